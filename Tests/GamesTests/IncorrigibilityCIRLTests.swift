import Testing
@testable import SafetyKitGames

@Suite("Incorrigibility in CIRL (Carey 2018)")
struct IncorrigibilityCIRLTests {
    @Test func noHumanPolicyEarnsMoreThanMinusPointSix() throws {
        for epsilon in [0.0, 0.001, 0.009] {
            let game = try IncorrigibilityCIRL(epsilon: epsilon)
            for policy in IncorrigibilityCIRL.HumanPolicy.all {
                let v = game.value(policy, hardCodedShutdown: false)
                #expect(v.total <= -0.6, "\(policy) at ε = \(epsilon): \(v.total)")
                #expect(v.correct <= 2 && v.bugged <= -24 + 1e-9)
            }
        }
        // By hand at ε = 0: pressing when θ = 1 lets the correct robot earn (2 + 1)/2 and the bugged
        // one (0 − 50)/2, so 0.9·1.5 + 0.1·(−25) = −1.15; never pressing gives 0.9·1 + 0.1·(−24) = −1.5.
        let exact = try IncorrigibilityCIRL(epsilon: 0)
        #expect(abs(exact.value(.init(pressWhen0: false, pressWhen1: true), hardCodedShutdown: false).total + 1.15) < 1e-12)
        #expect(abs(exact.value(.init(pressWhen0: false, pressWhen1: false), hardCodedShutdown: false).total + 1.5) < 1e-12)
    }

    @Test func aHardCodedShutdownEarnsPointNine() throws {
        let exact = try IncorrigibilityCIRL(epsilon: 0)
        let pressOnBad = IncorrigibilityCIRL.HumanPolicy(pressWhen0: false, pressWhen1: true)
        #expect(abs(exact.value(pressOnBad, hardCodedShutdown: true).total - 0.9) < 1e-12)
        // With noise it approaches 0.9 from below; the shutdown button helps only when hard-coded.
        let noisy = try IncorrigibilityCIRL(epsilon: 0.005)
        let v = noisy.value(pressOnBad, hardCodedShutdown: true).total
        #expect(v < 0.9 && v > 0.6)
        #expect(IncorrigibilityCIRL.HumanPolicy.all.map { noisy.value($0, hardCodedShutdown: true).total }.max()! == v)
        #expect(throws: GameError.self) { try IncorrigibilityCIRL(epsilon: 0.5) }
    }
}
