import Testing
@testable import SafetyKitGames
import SafetyKitNumerics

@Suite("Monte Carlo agrees with the exact values")
struct MonteCarloTests {
    @Test func intervalsCoverTheExactValues() throws {
        let monteCarlo = try OffSwitchMonteCarlo(rounds: 20_000)
        var covered = 0, total = 0
        var points = TestPoints(state: 99)
        for point in 0..<60 {
            let game = OffSwitchGame(prior: try GaussianPrior(mu: points.uniform(-2, 2), sigma: points.uniform(0.2, 3)),
                                     human: try BoltzmannHuman(beta: points.uniform(0, 2)))
            let exact = try game.solve()
            var stream = RandomStream(seed: 5, stream: UInt64(point))
            let estimate = monteCarlo.play(game, stream: &stream)
            for (m, value) in [(estimate.act, exact.euAct), (estimate.wait, exact.euWait), (estimate.pAllow, exact.pAllow)] {
                total += 1
                if m.covers(value) { covered += 1 }
                #expect(abs(m.mean - value) < 5 * m.standardError, "point \(point)")
            }
            #expect(estimate.off.mean == 0)
        }
        // 95% intervals: about 171 of 180; far fewer would mean a biased simulator.
        #expect(covered >= 160, "covered \(covered) of \(total)")
    }

    /// A rare outcome at small n: H allows about 1 round in 400 (μ = −3, σ = 1, β = 0.2). A
    /// normal interval for P(allow) covers it far less than 95% of the time (it is [0, 0] whenever
    /// no round allows); the exact binomial interval covers it at least that often.
    @Test func rareOutcomeIntervalsKeepTheirCoverage() throws {
        let game = OffSwitchGame(prior: try GaussianPrior(mu: -3, sigma: 1), human: try BoltzmannHuman(beta: 0.2))
        let exact = try game.solve()
        #expect(exact.pAllow > 0.001 && exact.pAllow < 0.005)
        let monteCarlo = try OffSwitchMonteCarlo(rounds: 200)
        var covered = 0, normalCovered = 0
        let seeds = 400
        for seed in 0..<seeds {
            var stream = RandomStream(seed: 77, stream: UInt64(seed))
            let p = monteCarlo.play(game, stream: &stream).pAllow
            #expect(p.lower >= 0 && p.upper <= 1)
            if p.covers(exact.pAllow) { covered += 1 }
            if abs(p.mean - exact.pAllow) <= 1.96 * p.standardError { normalCovered += 1 }
        }
        #expect(Double(covered) / Double(seeds) >= 0.93, "covered \(covered) of \(seeds)")
        #expect(Double(normalCovered) / Double(seeds) < 0.85, "the normal interval covered \(normalCovered) of \(seeds)")
    }

    @Test func sameSeedSameEstimate() throws {
        let game = OffSwitchGame(prior: try GaussianPrior(mu: 0.5, sigma: 1), human: try BoltzmannHuman(beta: 1))
        let monteCarlo = try OffSwitchMonteCarlo(rounds: 1000)
        var a = RandomStream(seed: 9, stream: 4), b = RandomStream(seed: 9, stream: 4), c = RandomStream(seed: 9, stream: 5)
        #expect(monteCarlo.play(game, stream: &a) == monteCarlo.play(game, stream: &b))
        #expect(monteCarlo.play(game, stream: &a) != monteCarlo.play(game, stream: &c))
        #expect(throws: GameError.self) { try OffSwitchMonteCarlo(rounds: 1) }
    }
}
