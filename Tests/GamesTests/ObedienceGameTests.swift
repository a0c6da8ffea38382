import Testing
@testable import SafetyKitGames

@Suite("Should robots be obedient? (Milli et al. 2017)")
struct ObedienceGameTests {
    static func meanAdvantage(_ runs: [ObedienceGame.Run], rounds: Range<Int>) -> Double {
        runs.reduce(0.0) { total, run in total + rounds.reduce(0.0) { $0 + run.advantage[$1] } } / Double(runs.count * rounds.count)
    }

    @Test func aRationalHumanIsAlwaysObeyed() throws {
        let runs = try ObedienceGame(rounds: 15, humanBeta: 0, particles: 300).simulate(runs: 40, seed: 1)
        #expect(runs.allSatisfy { $0.obeyed.allSatisfy { $0 } && $0.advantage.allSatisfy { $0 == 0 } })
    }

    @Test func thePosteriorMeanRobotGainsAutonomyAndMisspecificationHurts() throws {
        let correct = try ObedienceGame(rounds: 20, humanBeta: 0.5, particles: 300).simulate(runs: 80, seed: 2)
        let late = 10..<20
        let gain = Self.meanAdvantage(correct, rounds: late)
        #expect(gain > 0.03, "Δ over rounds 11-20: \(gain)")
        // It disobeys a noisy human, and more as it learns.
        let obedience = { (n: Int) in Double(correct.filter { $0.obeyed[n] }.count) / Double(correct.count) }
        #expect(obedience(19) < obedience(0))
        // A robot that misses a feature is worse off than one that obeys (Δ < 0).
        let blind = try ObedienceGame(rounds: 20, humanBeta: 0.5, robotFeatures: 2, particles: 300).simulate(runs: 80, seed: 2)
        #expect(Self.meanAdvantage(blind, rounds: 0..<20) < -0.03)
        // A robot that believes the human far more rational than it is gains less than the correct model.
        let overtrusting = try ObedienceGame(rounds: 20, humanBeta: 2, robotBeta: 0.1, particles: 300).simulate(runs: 80, seed: 2)
        let calibrated = try ObedienceGame(rounds: 20, humanBeta: 2, particles: 300).simulate(runs: 80, seed: 2)
        #expect(Self.meanAdvantage(overtrusting, rounds: late) < Self.meanAdvantage(calibrated, rounds: late))
    }

    @Test func runsAreReproducibleAndIndependentOfThreads() throws {
        let game = try ObedienceGame(rounds: 5, humanBeta: 1, particles: 100)
        #expect(game.simulate(runs: 6, seed: 3, threads: 1) == game.simulate(runs: 6, seed: 3, threads: 4))
        #expect(throws: GameError.self) { try ObedienceGame(humanBeta: -1) }
        #expect(throws: GameError.self) { try ObedienceGame(features: 3, robotFeatures: 4) }
    }
}
