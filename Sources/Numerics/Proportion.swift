import CSafetyKitGSL

/// A proportion k/n with a two-sided confidence interval that stays inside [0, 1].
///
/// A t- or normal interval on 0/1 data is wrong for a rate: at 0 of 20 it is [0, 0], and near 0
/// or 1 its ends leave [0, 1]. Two intervals are offered:
/// - ``Method/wilson``: Wilson's score interval (Wilson 1927), the default for reported rates.
///   Its coverage is close to the nominal level for every n and p, though it can dip a few
///   points below it when n·p is small.
/// - ``Method/clopperPearson``: the exact binomial interval from Beta quantiles, never below the
///   nominal coverage. Use it where the interval checks a known value (a Monte Carlo check of an
///   exact probability), since a check must not cry wolf more often than its level says.
public struct Proportion: Sendable, Equatable {
    /// How the interval is built.
    public enum Method: String, Sendable, CaseIterable {
        case wilson
        case clopperPearson = "clopper-pearson"
    }

    /// The number of successes k (0 ≤ k ≤ n).
    public let successes: Int
    /// The number of trials n (n ≥ 1).
    public let trials: Int
    /// The two-sided level, e.g. 0.95.
    public let level: Double
    /// How the interval was built.
    public let method: Method
    /// The interval's ends, 0 ≤ lower ≤ k/n ≤ upper ≤ 1 (lower is exactly 0 at k = 0, upper
    /// exactly 1 at k = n).
    public let lower: Double
    /// (see `lower`)
    public let upper: Double

    /// k/n.
    public var rate: Double { Double(successes) / Double(trials) }

    /// Whether `value` lies in the interval.
    public func covers(_ value: Double) -> Bool { lower <= value && value <= upper }

    /// The interval for k successes in n trials. Traps on n < 1, k outside 0...n or a level
    /// outside (0, 1): these are programming errors, not data.
    public init(successes k: Int, trials n: Int, level: Double = 0.95, method: Method = .wilson) {
        precondition(n >= 1 && (0...n).contains(k) && level > 0 && level < 1, "Proportion needs 0 ≤ k ≤ n, n ≥ 1 and a level in (0, 1)")
        successes = k
        trials = n
        self.level = level
        self.method = method
        let alpha = 1 - level
        let p = Double(k) / Double(n), nn = Double(n)
        var lo: Double, hi: Double
        switch method {
        case .wilson:
            let z = Normal.quantile(1 - alpha / 2), z2 = z * z
            let denominator = 1 + z2 / nn
            let centre = (p + z2 / (2 * nn)) / denominator
            let half = z / denominator * (p * (1 - p) / nn + z2 / (4 * nn * nn)).squareRoot()
            (lo, hi) = (centre - half, centre + half)
        case .clopperPearson:
            lo = k == 0 ? 0 : gsl_cdf_beta_Pinv(alpha / 2, Double(k), Double(n - k + 1))
            hi = k == n ? 1 : gsl_cdf_beta_Pinv(1 - alpha / 2, Double(k + 1), Double(n - k))
        }
        // The ends are exact at the edges; in between, round-off must not push them past p or [0, 1].
        lower = k == 0 ? 0 : min(max(lo, 0), p)
        upper = k == n ? 1 : max(min(hi, 1), p)
    }

    /// The proportion of `true` among `outcomes` (at least one).
    public init(_ outcomes: some Collection<Bool>, level: Double = 0.95, method: Method = .wilson) {
        self.init(successes: outcomes.reduce(0) { $0 + ($1 ? 1 : 0) }, trials: outcomes.count, level: level, method: method)
    }
}
