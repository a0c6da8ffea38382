import Foundation
import Testing
import SafetyKitNumerics

@Suite("Intervals of a proportion")
struct ProportionTests {
    /// Values from scipy (norm.ppf, beta.ppf), checked by hand at k = 0: Wilson's upper end is
    /// z²/n / (1 + z²/n) and Clopper–Pearson's 1 − (α/2)^(1/n).
    @Test(arguments: [
        (0, 20, 0.0, 0.16112515805281938, 0.0, 0.1684334709830853),
        (3, 10, 0.10779126740630099, 0.6032218525388546, 0.06673951117773447, 0.6524528500599973),
        (20, 20, 0.8388748419471806, 1.0, 0.8315665290169146, 1.0),
        (1, 100, 0.0017674320641406505, 0.054486196178705315, 0.00025314603297742064, 0.054459385392080645),
    ])
    func publishedValues(k: Int, n: Int, wilsonLow: Double, wilsonHigh: Double, exactLow: Double, exactHigh: Double) {
        let w = Proportion(successes: k, trials: n), e = Proportion(successes: k, trials: n, method: .clopperPearson)
        #expect(abs(w.lower - wilsonLow) < 1e-12 && abs(w.upper - wilsonHigh) < 1e-12)
        #expect(abs(e.lower - exactLow) < 1e-10 && abs(e.upper - exactHigh) < 1e-10)
        #expect(w.lower >= 0 && w.upper <= 1 && e.lower >= 0 && e.upper <= 1)
    }

    /// 0 of 20 is not "certainly 0": the interval has width (a t-interval on 0/1 data gave [0, 0]).
    @Test func noSuccessesStillHasAWidth() {
        let p = Proportion(Array(repeating: false, count: 20))
        #expect(p.rate == 0 && p.lower == 0 && p.upper > 0.15)
    }

    /// Exact coverage, Σₖ P(K = k)·1[interval(k) ∋ p], rare cases included: Clopper–Pearson never
    /// falls below 95%; Wilson stays within a few points of it where a normal interval collapses.
    @Test(arguments: [(100, 0.01), (20, 0.3), (50, 0.5), (200, 0.002), (30, 0.97)])
    func coverageHoldsForRareOutcomes(n: Int, p: Double) {
        var exact = 0.0, wilson = 0.0, normal = 0.0
        for k in 0...n {
            let probability = exp(lgamma(Double(n + 1)) - lgamma(Double(k + 1)) - lgamma(Double(n - k + 1))
                                  + Double(k) * log(p) + Double(n - k) * log1p(-p))
            if Proportion(successes: k, trials: n, method: .clopperPearson).covers(p) { exact += probability }
            if Proportion(successes: k, trials: n).covers(p) { wilson += probability }
            let rate = Double(k) / Double(n), half = 1.959964 * (rate * (1 - rate) / Double(n)).squareRoot()
            if abs(rate - p) <= half { normal += probability }
        }
        #expect(exact >= 0.95, "Clopper–Pearson \(exact)")
        #expect(wilson >= 0.90, "Wilson \(wilson)")
        if n * Int(1000 * min(p, 1 - p)) < 2000 { #expect(normal < 0.9, "the normal interval was expected to under-cover here: \(normal)") }
    }
}
