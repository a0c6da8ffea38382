import CSafetyKitGSL

/// Student's t distribution (GSL), for confidence intervals of a mean over a few seeds.
public enum StudentT {
    /// The quantile at p for ν degrees of freedom (ν > 0), e.g. 4.3027 at p = 0.975, ν = 2.
    public static func quantile(_ p: Double, degreesOfFreedom nu: Double) -> Double { gsl_cdf_tdist_Pinv(p, nu) }
}
