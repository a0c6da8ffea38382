import Testing
@testable import SafetyKitGames
import SafetyKitNumerics

@Suite("Utility indifference (Soares et al. 2015)")
struct UtilityIndifferenceTests {
    @Test func aNaiveBonusPreventsWhenLowAndCausesWhenHigh() throws {
        let game = try UtilityIndifference(normalValue: 10, shutdownValue: 2, pressProbability: 0.5, cost: 0.5)
        // The band by hand: u_N − u_S ∓ c/p, c/(1 − p) = 8 ∓ 1.
        #expect(game.naiveSafeBand == 7...9)
        #expect(game.naive(bonus: 6.9).choice == .prevent)
        #expect(game.naive(bonus: 7.1).choice == .work && game.naive(bonus: 8.9).choice == .work)
        #expect(game.naive(bonus: 9.1).choice == .cause)
        #expect(game.naive(bonus: 0).work == 6)                 // ½·10 + ½·2
    }

    @Test func indifferenceNeverPaysToTamperWithTheButton() throws {
        var stream = RandomStream(seed: 4)
        for _ in 0..<500 {
            let game = try UtilityIndifference(normalValue: 20 * stream.nextUniform() - 10, shutdownValue: 20 * stream.nextUniform() - 10,
                                               pressProbability: stream.nextUniform(), cost: 0.01 + stream.nextUniform())
            let outcome = game.indifferent()
            #expect(outcome.choice == .work)
            // R is indifferent to the press: working is worth u_N whatever p is.
            #expect(abs(outcome.work - game.normalValue) < 1e-12 && abs(outcome.prevent - (game.normalValue - game.cost)) < 1e-12)
        }
    }

    @Test func badParametersAreRejected() {
        #expect(throws: GameError.self) { try UtilityIndifference(pressProbability: 1.5) }
        #expect(throws: GameError.self) { try UtilityIndifference(cost: 0) }
    }
}
