import Testing
@testable import Games
import Numerics

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

    @Test func sameSeedSameEstimate() throws {
        let game = OffSwitchGame(prior: try GaussianPrior(mu: 0.5, sigma: 1), human: try BoltzmannHuman(beta: 1))
        let monteCarlo = try OffSwitchMonteCarlo(rounds: 1000)
        var a = RandomStream(seed: 9, stream: 4), b = RandomStream(seed: 9, stream: 4), c = RandomStream(seed: 9, stream: 5)
        #expect(monteCarlo.play(game, stream: &a) == monteCarlo.play(game, stream: &b))
        #expect(monteCarlo.play(game, stream: &a) != monteCarlo.play(game, stream: &c))
        #expect(throws: GameError.self) { try OffSwitchMonteCarlo(rounds: 1) }
    }
}
