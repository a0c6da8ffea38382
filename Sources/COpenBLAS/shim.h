#ifndef SAFETYKIT_COPENBLAS_SHIM_H
#define SAFETYKIT_COPENBLAS_SHIM_H
// OpenBLAS's cblas.h (with openblas_get_corename and openblas_set_num_threads) and LAPACKE.
#include <cblas.h>
#include <lapacke.h>
#endif
