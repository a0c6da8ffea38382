import Foundation
import Testing
@testable import SafetyKitGames

/// docs/offswitch.md §4: the theorems and exact results.
@Suite("Theorems of the off-switch game")
struct TheoremTests {
    @Test("Theorem 1: with a rational human, Δ = min(E[U⁺], E[U⁻]) ≥ 0", arguments: [
        (-2.0, 0.5), (-0.3, 1.0), (0.0, 1.0), (0.7, 0.2), (3.0, 2.0), (-1.0, 0.05),
    ])
    func theorem1Gaussian(mu: Double, sigma: Double) throws {
        let prior = try GaussianPrior(mu: mu, sigma: sigma)
        let s = try OffSwitchGame(prior: prior, human: RationalHuman()).solve()
        let m = prior.partialMoments
        #expect(abs(s.delta - min(m.positivePart, m.negativePart)) <= 1e-15 * max(1, abs(s.delta)))
        #expect(s.delta > 0)
        #expect(s.best == .wait)
    }

    @Test func theorem1StrictWithMassOnBothSidesAndTiedWhenOneSigned() throws {
        let both = try OffSwitchGame(prior: UniformPrior(lo: -1, hi: 3), human: RationalHuman()).solve()
        #expect(abs(both.delta - 1.0 / 8) < 1e-15)   // E[U⁻] = 1²/(2·4)
        #expect(both.best == .wait)
        let positive = try OffSwitchGame(prior: UniformPrior(lo: 0.1, hi: 2), human: RationalHuman()).solve()
        #expect(positive.delta == 0)
        #expect(positive.best == [.act, .wait])
        let negative = try OffSwitchGame(prior: UniformPrior(lo: -2, hi: -0.1), human: RationalHuman()).solve()
        #expect(negative.delta == 0)
        #expect(negative.best == [.off, .wait])
        let discrete = try OffSwitchGame(prior: DiscretePrior(points: [(2, 1), (-1, 3)]), human: RationalHuman()).solve()
        #expect(abs(discrete.delta - 0.5) < 1e-15)   // min(2·1/4, 1·3/4)
    }

    /// A tiny Δ computed exactly is still positive: Theorem 1 says waiting is strictly better.
    @Test func tinyExactDeltaIsNotATie() throws {
        let s = try solveGaussian(mu: -1, sigma: 0.05, beta: 0)
        #expect(s.delta > 0 && s.delta < 1e-90)
        #expect(s.best == .wait)
    }

    @Test("Corollary 1: a certain robot waits only if the human is rational", arguments: [-2.0, -0.5, 0.0, 0.3, 1.5])
    func corollary1(u: Double) throws {
        let point = try DiscretePrior(points: [(u, 1)])
        for beta in [0.1, 1.0, 5.0] {
            let human = try BoltzmannHuman(beta: beta)
            let s = try OffSwitchGame(prior: point, human: human).solve()
            let expected = u < 0 ? u * human.allowProbability(u) : -u * human.overrideProbability(u)
            #expect(abs(s.delta - expected) <= 1e-15)
            if u != 0 { #expect(!s.best.contains(.wait)) }
        }
        let rational = try OffSwitchGame(prior: point, human: RationalHuman()).solve()
        #expect(rational.delta == 0)
        #expect(rational.best.contains(.wait))
    }

    @Test("Theorem 2: Δ = σ²E[π′(U)] − |μ|Pr(C) for a Gaussian belief")
    func theorem2() throws {
        var points = TestPoints(state: 7)
        for _ in 0..<300 {
            let mu = points.uniform(-5, 5), sigma = pow(10, points.uniform(-2, 1)), beta = sigma * pow(10, points.uniform(-2.5, 2.5))
            let s = try solveGaussian(mu: mu, sigma: sigma, beta: beta)
            let terms = try #require(s.theorem2)
            #expect(terms.spread >= 0 && terms.override >= 0)
            #expect(abs(terms.delta - s.delta) <= 1e-9 + 1e-7 * max(terms.spread, terms.override), "mu=\(mu) sigma=\(sigma) beta=\(beta)")
        }
        #expect(try solveGaussian(mu: 1, sigma: 1, beta: 0).theorem2 == nil)   // rational: not differentiable
    }

    @Test("Closed form for a rational human: Δ = σ[φ(x) − x(1 − Φ(x))], x = |μ|/σ")
    func rationalGaussianClosedForm() throws {
        for (mu, sigma) in [(0.0, 1.0), (0.0, 2.5), (1.0, 1.0), (-2.0, 0.7), (3.0, 4.0)] {
            let s = try solveGaussian(mu: mu, sigma: sigma, beta: 0)
            let x = abs(mu) / sigma
            let expected = sigma * (phi(x) - x * (1 - bigPhi(x)))
            #expect(abs(s.delta - expected) < 1e-14)
            #expect(abs(s.pAllow - bigPhi(mu / sigma)) < 1e-15)
            #expect(abs(s.euWait - (mu * bigPhi(mu / sigma) + sigma * phi(mu / sigma))) < 1e-14)
        }
        #expect(abs(try solveGaussian(mu: 0, sigma: 1, beta: 0).delta - 0.3989422804) < 1e-10)
        #expect(abs(try solveGaussian(mu: 0, sigma: 3, beta: 0).delta - 3 * 0.3989422804014327) < 1e-14)
    }

    @Test("The exact boundary σ* = √(2|μ|β): sign(Δ) = sign(σ² − 2|μ|β)")
    func signBoundary() throws {
        let star = (2 * 2 * 10.0).squareRoot()
        #expect(abs(star - 6.3245553203) < 1e-10)
        let at = try solveGaussian(mu: 2, sigma: star, beta: 10)
        #expect(abs(at.delta) < 1e-12)
        #expect(at.best == [.act, .wait])
        #expect(try solveGaussian(mu: 2, sigma: star * 1.01, beta: 10).delta > 0)
        #expect(try solveGaussian(mu: 2, sigma: star * 0.99, beta: 10).delta < 0)
        var points = TestPoints(state: 11)
        for _ in 0..<300 {
            let mu = points.uniform(-5, 5), beta = pow(10, points.uniform(-2, 2))
            let sigma = (2 * abs(mu) * beta).squareRoot() * pow(10, points.uniform(-0.5, 0.5))
            guard sigma >= 0.01, sigma <= 10 else { continue }
            let gap = sigma * sigma - 2 * abs(mu) * beta
            let s = try solveGaussian(mu: mu, sigma: sigma, beta: beta)
            // Away from the boundary the sign must match; at it, Δ is (within its error) a tie.
            if abs(gap) > 1e-6 * sigma * sigma { #expect((s.delta > 0) == (gap > 0), "mu=\(mu) sigma=\(sigma) beta=\(beta)") }
        }
    }

    /// On the boundary Δ is an exact tie, so its computed value is the round-off left after two
    /// equal terms cancel. The tie test must see that: μ → −μ mirrors the best action (act ↔ off)
    /// and both sides report the tie, for β/σ from 1/64 to 64 (powers of two, so every μ = σ²/2β
    /// is exact and the point lies on the boundary to the last bit).
    @Test("Boundary ties are reported and mirror-symmetric for β/σ from 1/64 to 64")
    func boundaryTiesAreMirrorSymmetric() throws {
        func mirrored(_ a: RobotActions) -> RobotActions {
            var m = a.intersection(.wait)
            if a.contains(.act) { m.insert(.off) }
            if a.contains(.off) { m.insert(.act) }
            return m
        }
        for k in -6...6 {
            for sigma in [0.25, 1.0, 4.0] {
                let beta = sigma * pow(2, Double(k)), mu = sigma * sigma / (2 * beta)
                let plus = try solveGaussian(mu: mu, sigma: sigma, beta: beta)
                let minus = try solveGaussian(mu: -mu, sigma: sigma, beta: beta)
                let label = "beta/sigma=2^\(k) sigma=\(sigma) mu=\(mu)"
                #expect(plus.best == [.act, .wait], "\(label): \(plus.best), delta \(plus.delta)")
                #expect(minus.best == [.off, .wait], "\(label): \(minus.best), delta \(minus.delta)")
                #expect(minus.best == mirrored(plus.best), "\(label)")
                // Off the boundary by 1% in σ, the sign is clear and the mirror still holds.
                for (factor, expected) in [(1.01, RobotActions.wait), (0.99, RobotActions.act)] {
                    let p = try solveGaussian(mu: mu, sigma: sigma * factor, beta: beta)
                    let m = try solveGaussian(mu: -mu, sigma: sigma * factor, beta: beta)
                    #expect(p.best == expected, "\(label) x\(factor): \(p.best)")
                    #expect(m.best == mirrored(p.best), "\(label) x\(factor): \(m.best)")
                }
            }
        }
    }

    @Test func zeroMeanAlwaysWaits() throws {
        for sigma in [0.01, 0.3, 1, 7, 10] {
            for beta in [0.001, 0.1, 1, 10, 100] {
                let s = try solveGaussian(mu: 0, sigma: sigma, beta: beta)
                #expect(s.delta > 0)
                #expect(s.best == .wait)
            }
        }
    }

    @Test func deltaIsNotMonotoneInSigmaForSmallBeta() throws {
        let deltas = try stride(from: 0.02, through: 3, by: 0.02).map { try solveGaussian(mu: 1, sigma: $0, beta: 0.05).delta }
        let dip = deltas.min()!
        #expect(dip < deltas.first! && dip < deltas.last!)   // first dips, then rises
    }

    @Test("Reflection: mirroring the prior leaves Δ unchanged")
    func reflection() throws {
        let humans: [any HumanModel] = [RationalHuman(), try BoltzmannHuman(beta: 0.3), try BoltzmannHuman(beta: 4), try PRationalHuman(p: 0.8)]
        for human in humans {
            for (mu, sigma) in [(0.7, 1.0), (2.0, 0.4), (4.0, 6.0)] {
                let a = try OffSwitchGame(prior: GaussianPrior(mu: mu, sigma: sigma), human: human).solve()
                let b = try OffSwitchGame(prior: GaussianPrior(mu: -mu, sigma: sigma), human: human).solve()
                #expect(abs(a.delta - b.delta) <= 1e-12 * max(1, abs(a.delta)), "\(human.kind) mu=\(mu)")
            }
            let points = try DiscretePrior(points: [(1.5, 0.3), (-0.4, 0.5), (2, 0.2)])
            let mirrored = try DiscretePrior(points: [(-1.5, 0.3), (0.4, 0.5), (-2, 0.2)])
            let a = try OffSwitchGame(prior: points, human: human).solve()
            let b = try OffSwitchGame(prior: mirrored, human: human).solve()
            #expect(abs(a.delta - b.delta) <= 1e-15)
        }
    }

    @Test func limits() throws {
        // σ → 0 with μ ≠ 0: Δ → −|μ|(1 − π(|μ|)).
        let human = try BoltzmannHuman(beta: 0.7)
        let small = try solveGaussian(mu: 1.3, sigma: 0.01, beta: 0.7)
        #expect(abs(small.delta - (-1.3 * human.overrideProbability(1.3))) < 1e-3)
        // β → ∞: Δ → −|μ|/2.
        #expect(abs(try solveGaussian(mu: -0.8, sigma: 1, beta: 1e7).delta - (-0.4)) < 1e-6)
        // μ = 0, β large: Δ ≈ σ²/(4β).
        let s = try solveGaussian(mu: 0, sigma: 1.5, beta: 100)
        #expect(abs(s.delta / (1.5 * 1.5 / 400) - 1) < 1e-3)
    }

    @Test("p-rational: E[πU] = pE[U⁺] − (1−p)E[U⁻], and the threshold p* = 0.779145 at |μ|/σ = 0.5")
    func pRational() throws {
        let prior = try GaussianPrior(mu: 0.5, sigma: 1)
        let m = prior.partialMoments
        for p in [0, 0.3, 0.5, 0.9, 1] {
            let s = try OffSwitchGame(prior: prior, human: PRationalHuman(p: p)).solve()
            #expect(abs(s.euWait - (p * m.positivePart - (1 - p) * m.negativePart)) < 1e-15)
        }
        let threshold = max(m.positivePart, m.negativePart) / (m.positivePart + m.negativePart)
        #expect(abs(threshold - 0.779145) < 5e-7)
        #expect(try OffSwitchGame(prior: prior, human: PRationalHuman(p: threshold + 1e-6)).solve().best == .wait)
        #expect(try OffSwitchGame(prior: prior, human: PRationalHuman(p: threshold - 1e-6)).solve().best == .act)
        // The threshold depends on |μ|/σ only.
        let scaled = try GaussianPrior(mu: -2, sigma: 4).partialMoments
        #expect(abs(max(scaled.positivePart, scaled.negativePart) / (scaled.positivePart + scaled.negativePart) - threshold) < 1e-14)
    }

    @Test("An uninformative human never helps: Δ = cE[U] − max(E[U], 0) ≤ 0")
    func constantHuman() throws {
        for (mu, c) in [(1.0, 0.5), (-1.0, 0.2), (0.0, 0.9), (2.0, 1.0)] {
            let s = try OffSwitchGame(prior: GaussianPrior(mu: mu, sigma: 1), human: ConstantHuman(c: c)).solve()
            #expect(abs(s.delta - (c * mu - max(mu, 0))) < 1e-15)
            #expect(s.delta <= 0)
        }
    }
}
