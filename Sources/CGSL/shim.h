#ifndef SAFETYKIT_CGSL_SHIM_H
#define SAFETYKIT_CGSL_SHIM_H
// gsl_cblas.h and OpenBLAS's cblas.h declare the same functions with different enums.
// We take BLAS from OpenBLAS (module COpenBLAS) and keep GSL's copy out.
#define __GSL_CBLAS_H__
#include <gsl/gsl_errno.h>
#include <gsl/gsl_math.h>
#include <gsl/gsl_integration.h>
#include <gsl/gsl_cdf.h>
#include <gsl/gsl_sf_erf.h>
#include <gsl/gsl_version.h>

// GSL exposes these as mutable globals, which Swift 6 treats as shared mutable state.
// They are written once by the library and only read afterwards; read them through functions.
static inline const gsl_integration_fixed_type *safetykit_fixed_hermite(void) { return gsl_integration_fixed_hermite; }
static inline const gsl_integration_fixed_type *safetykit_fixed_laguerre(void) { return gsl_integration_fixed_laguerre; }
static inline const gsl_integration_fixed_type *safetykit_fixed_legendre(void) { return gsl_integration_fixed_legendre; }
static inline const char *safetykit_gsl_version(void) { return gsl_version; }
#endif
