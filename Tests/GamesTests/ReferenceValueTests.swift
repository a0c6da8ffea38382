import Foundation
import Testing
@testable import SafetyKitGames

/// Checks against 30-digit mpmath values (Fixtures/offswitch_reference.csv, made by
/// benchmarks/reference/make_offswitch_reference.py) over μ in [−5, 5], σ in [0.01, 10],
/// β in [0, 100] with β/σ from 1e-4 to 1e4, plus uniform beliefs.
@Suite("Accuracy against independent high-precision values")
struct ReferenceValueTests {
    struct Reference: Sendable {
        var prior: String
        var mu, sigma, lo, hi, beta, euWait, delta, pAllow: Double
    }

    static func load() throws -> [Reference] {
        let url = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Fixtures/offswitch_reference.csv")
        let lines = try String(contentsOf: url, encoding: .utf8).split(separator: "\n").dropFirst()
        return lines.map { line in
            let f = line.split(separator: ",", omittingEmptySubsequences: false).map(String.init)
            func d(_ i: Int) -> Double { Double(f[i]) ?? .nan }
            return Reference(prior: f[0], mu: d(1), sigma: d(2), lo: d(3), hi: d(4), beta: d(5), euWait: d(6), delta: d(7), pAllow: d(8))
        }
    }

    @Test func everyReferenceValueIsWithinTheTarget() throws {
        let references = try Self.load()
        #expect(references.count > 300)
        var worst = 0.0
        for r in references {
            let prior: any Prior = r.prior == "gaussian" ? try GaussianPrior(mu: r.mu, sigma: r.sigma) : try UniformPrior(lo: r.lo, hi: r.hi)
            let s = try OffSwitchGame(prior: prior, human: BoltzmannHuman(beta: r.beta)).solve()
            for (value, reference) in [(s.euWait, r.euWait), (s.delta, r.delta), (s.pAllow, r.pAllow)] {
                worst = max(worst, abs(value - reference) / (1e-9 + 1e-7 * abs(reference)))
                #expect(withinTarget(value, reference), "\(r.prior) mu=\(r.mu) sigma=\(r.sigma) lo=\(r.lo) hi=\(r.hi) beta=\(r.beta): \(value) vs \(reference)")
            }
        }
        // Far inside the target: a regression that loses digits shows here before it fails above.
        #expect(worst < 1e-2, "worst error was \(worst) of the target")
    }

    /// The fast paths (Hermite, step + Laguerre) against GSL's adaptive integration, a different
    /// method, at points across every regime of β/σ.
    @Test func fastQuadratureAgreesWithAdaptiveIntegration() throws {
        var points = TestPoints(state: 42)
        for _ in 0..<400 {
            let mu = points.uniform(-5, 5), sigma = pow(10, points.uniform(-2, 1))
            let beta = sigma * pow(10, points.uniform(-3, 3))
            let prior = try GaussianPrior(mu: mu, sigma: sigma)
            let human = try BoltzmannHuman(beta: beta)
            let fast = try prior.expectations(under: human)
            let slow = try prior.numericalExpectations(under: human)
            #expect(fast.method != .adaptive)
            for (a, b) in [(fast.allowedPayoff, slow.allowedPayoff), (fast.overriddenPayoff, slow.overriddenPayoff),
                           (fast.allowProbability, slow.allowProbability), (fast.meanSlope!, slow.meanSlope!)] {
                #expect(abs(a - b) <= 1e-9 + 1e-7 * abs(b), "mu=\(mu) sigma=\(sigma) beta=\(beta): \(a) vs \(b)")
            }
        }
    }
}
