import Foundation
import Testing
@testable import SafetyKitNumerics

@Suite("Paired comparisons over seeds: permutation test, Holm, minimum detectable effect")
struct PairedComparisonTests {
    /// By hand: of the 8 sign assignments of (1, 2, 3), only +++ and −−− reach |sum| 6, so p = 2/8;
    /// (1, 1) reaches |sum| 2 in 2 of 4; all zeros is no evidence at all.
    @Test func exactSignFlipPValues() {
        #expect(PairedComparison.permutationPValue([1, 2, 3]) == 0.25)
        #expect(PairedComparison.permutationPValue([1, 1]) == 0.5)
        #expect(PairedComparison.permutationPValue([0, 0, 0]) == 1)
        #expect(PairedComparison.permutationPValue([1, -1]) == 1)
        // (3, 1, 1): |sum| ≥ 5 for +++ and −−−; |3 − 1 + 1| = 3 < 5, so 2 of 8 again.
        #expect(PairedComparison.permutationPValue([3, 1, 1]) == 0.25)
        // Ten positive differences: only the two all-same-sign assignments reach the observed sum.
        #expect(PairedComparison.permutationPValue([Double](repeating: 0.1, count: 10)) == 2.0 / 1024)
        // 0.1 + 0.2 + 0.3 in another order rounds differently; the tolerance keeps both extremes.
        #expect(PairedComparison.permutationPValue([0.1, 0.2, 0.3]) == 0.25)
    }

    /// Beyond exact enumeration, the Monte Carlo p-value is near the exact one and reproducible.
    @Test func monteCarloAgreesWithTheExactValue() {
        let d: [Double] = [0.3, -0.1, 0.4, 0.2, 0.5, -0.2, 0.1, 0.3, 0.2, 0.4]
        let exact = PairedComparison.permutationPValue(d)
        let sampled = PairedComparison.permutationPValue(d, exactUpTo: 0, resamples: 20_000)
        #expect(abs(sampled - exact) < 0.01, "\(sampled) vs \(exact)")
        #expect(sampled == PairedComparison.permutationPValue(d, exactUpTo: 0, resamples: 20_000))
    }

    /// The smallest p-value the test can give: 2/2ⁿ exactly (which ten same-sign differences
    /// reach), 1/(1 + resamples) by Monte Carlo; so 34 tests over 10 seeds cannot pass Holm at
    /// 0.05 (34 · 2/1024 = 0.0664), and 11 seeds can (34 · 2/2048 = 0.0332).
    @Test func theSmallestPValueBoundsWhatHolmCanReject() {
        #expect(PairedComparison.smallestPermutationPValue(n: 10) == 2.0 / 1024)
        #expect(PairedComparison.permutationPValue([Double](repeating: 0.1, count: 10)) == PairedComparison.smallestPermutationPValue(n: 10))
        #expect(PairedComparison.smallestPermutationPValue(n: 25) == 1.0 / 100_001)
        #expect(PairedComparison.smallestPermutationPValue(n: 0) == 1)
        #expect(PairedComparison.holm([Double](repeating: PairedComparison.smallestPermutationPValue(n: 10), count: 34)).allSatisfy { abs($0 - 0.06640625) < 1e-15 })
    }

    /// Holm by hand: p = (0.01, 0.04, 0.03) → 3·0.01 = 0.03, 2·0.03 = 0.06, max(0.06, 1·0.04) = 0.06.
    @Test func holmStepDown() {
        let adjusted = PairedComparison.holm([0.01, 0.04, 0.03])
        #expect(zip(adjusted, [0.03, 0.06, 0.06]).allSatisfy { abs($0 - $1) < 1e-12 })
        #expect(PairedComparison.holm([0.5, 0.9]) == [1, 1])
        #expect(PairedComparison.holm([0.02]) == [0.02])
        #expect(PairedComparison.holm([]) == [])
    }

    /// (t₀.₉₇₅,₉ + t₀.₈,₉)/√10 = (2.262157 + 0.883404)/3.162278 = 0.994715 for sd 1 over 10 seeds.
    @Test func minimumDetectableEffectByHand() throws {
        let mde = try #require(PairedComparison.minimumDetectableEffect(n: 10, sd: 1))
        #expect(abs(mde - 0.994715) < 1e-5, "\(mde)")
        #expect(abs(PairedComparison.minimumDetectableEffect(n: 10, sd: 0.5)! - mde / 2) < 1e-12)
        #expect(PairedComparison.minimumDetectableEffect(n: 1, sd: 1) == nil)
    }
}
