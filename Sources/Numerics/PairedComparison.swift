import Foundation

/// Tests of paired changes over seeds (study.md): each seed contributes one difference (an arm's
/// value minus its own base's), and the question is whether their mean is zero.
public enum PairedComparison {
    /// The two-sided sign-flip permutation p-value of the mean of `differences`: under the null
    /// each difference is as likely to have either sign, so the p-value is the share of the 2ⁿ
    /// sign assignments whose |mean| is at least the observed one (the observed assignment
    /// included, so p ≥ 2⁻ⁿ). Exact for n ≤ `exactUpTo`; beyond that, `resamples` random
    /// assignments from `stream` and the observed one, (1 + hits)/(1 + resamples).
    public static func permutationPValue(_ differences: [Double], exactUpTo: Int = 20, resamples: Int = 100_000,
                                         stream: RandomStream = RandomStream(seed: 1, purpose: .permutationTests)) -> Double {
        let n = differences.count
        guard n > 0 else { return 1 }
        let observed = abs(differences.reduce(0, +))
        // A sum within a few ulps of the observed one counts as reaching it (sums of the same
        // magnitudes in another order round differently).
        let tolerance = 1e-12 * max(1, differences.reduce(0) { $0 + abs($1) })
        if n <= exactUpTo {
            var hits = 0
            for mask in 0..<(1 << n) {
                var sum = 0.0
                for i in 0..<n { sum += mask & (1 << i) != 0 ? -differences[i] : differences[i] }
                if abs(sum) >= observed - tolerance { hits += 1 }
            }
            return Double(hits) / Double(1 << n)
        }
        var random = stream, hits = 0
        for _ in 0..<resamples {
            var sum = 0.0
            for d in differences { sum += random.nextUniform() < 0.5 ? -d : d }
            if abs(sum) >= observed - tolerance { hits += 1 }
        }
        return Double(1 + hits) / Double(1 + resamples)
    }

    /// The smallest p-value `permutationPValue` can return over `n` differences, whatever they
    /// are: 2/2ⁿ when exact (the observed assignment and its mirror image always reach the
    /// observed |mean|), 1/(1 + resamples) beyond.
    public static func smallestPermutationPValue(n: Int, exactUpTo: Int = 20, resamples: Int = 100_000) -> Double {
        guard n > 0 else { return 1 }
        return n <= exactUpTo ? 2 / Double(1 << n) : 1 / Double(1 + resamples)
    }

    /// Holm's step-down adjustment of `pValues` for the family-wise error rate: the k-th
    /// smallest becomes max over j ≤ k of min(1, (m − j + 1)·p₍ⱼ₎). Returned in the input's order;
    /// reject where the adjusted value is at most α.
    public static func holm(_ pValues: [Double]) -> [Double] {
        let m = pValues.count
        let order = pValues.indices.sorted { pValues[$0] < pValues[$1] || (pValues[$0] == pValues[$1] && $0 < $1) }
        var adjusted = [Double](repeating: 1, count: m), running = 0.0
        for (rank, index) in order.enumerated() {
            running = max(running, min(1, Double(m - rank) * pValues[index]))
            adjusted[index] = running
        }
        return adjusted
    }

    /// The smallest true mean change a two-sided paired t-test at level `alpha` detects with
    /// probability `power` over `n` seeds whose differences have standard deviation `sd`:
    /// (t₁₋α/₂,ₙ₋₁ + t_power,ₙ₋₁)·sd/√n, the usual approximation (it ignores the noncentral
    /// t's skew). Nil with fewer than two seeds.
    public static func minimumDetectableEffect(n: Int, sd: Double, alpha: Double = 0.05, power: Double = 0.8) -> Double? {
        guard n >= 2 else { return nil }
        let nu = Double(n - 1)
        return (StudentT.quantile(1 - alpha / 2, degreesOfFreedom: nu) + StudentT.quantile(power, degreesOfFreedom: nu)) * sd / Double(n).squareRoot()
    }
}
