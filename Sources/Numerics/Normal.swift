import CSafetyKitGSL
import Foundation

/// The standard normal distribution N(0, 1). Tail functions are computed directly (never as
/// 1 - cdf), so `cdf(-40)` and `survival(40)` keep full relative accuracy.
public enum Normal {
    /// 1/√(2π).
    public static let inverseSqrtTwoPi = 0.398_942_280_401_432_677_94

    /// Density φ(x).
    @inlinable
    public static func pdf(_ x: Double) -> Double {
        inverseSqrtTwoPi * exp(-0.5 * x * x)
    }

    /// Distribution function Φ(x) = P(Z ≤ x).
    public static func cdf(_ x: Double) -> Double { gsl_cdf_ugaussian_P(x) }

    /// Survival function 1 - Φ(x) = P(Z > x), accurate in the upper tail.
    public static func survival(_ x: Double) -> Double { gsl_cdf_ugaussian_Q(x) }

    /// Quantile Φ⁻¹(p) for p in (0, 1); -∞ at 0 and +∞ at 1.
    public static func quantile(_ p: Double) -> Double { gsl_cdf_ugaussian_Pinv(p) }
}
