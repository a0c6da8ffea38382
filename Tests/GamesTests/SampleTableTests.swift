import Testing
@testable import SafetyKitGames

/// docs/offswitch.md §4's sample table (Gaussian belief; β = 0 is a rational human).
@Suite("Sample values from docs/offswitch.md")
struct SampleTableTests {
    struct Row: Sendable, CustomTestStringConvertible {
        var mu, sigma, beta, euWait, delta, pAllow: Double
        var best: RobotActions
        var testDescription: String { "mu=\(mu) sigma=\(sigma) beta=\(beta)" }
    }

    static let rows: [Row] = [
        Row(mu: 0, sigma: 1, beta: 0, euWait: 0.3989422804, delta: 0.3989422804, pAllow: 0.5, best: .wait),
        Row(mu: 0.5, sigma: 1, beta: 0.1, euWait: 0.6921501524, delta: 0.1921501524, pAllow: 0.6886544307, best: .wait),
        Row(mu: 0.5, sigma: 1, beta: 1, euWait: 0.5, delta: 0, pAllow: 0.6020271328, best: [.act, .wait]),
        Row(mu: -0.5, sigma: 0.5, beta: 1, euWait: -0.1360302749, delta: -0.1360302749, pAllow: 0.3840239489, best: .off),
        Row(mu: 2, sigma: 3, beta: 1, euWait: 2.308484813, delta: 0.3084848126, pAllow: 0.7174239859, best: .wait),
    ]

    @Test(arguments: rows)
    func matchesTable(_ row: Row) throws {
        let game = OffSwitchGame(prior: try GaussianPrior(mu: row.mu, sigma: row.sigma), human: try BoltzmannHuman(beta: row.beta))
        let s = try game.solve()
        #expect(abs(s.euAct - row.mu) == 0)
        #expect(abs(s.euWait - row.euWait) < 1e-9)
        #expect(abs(s.delta - row.delta) < 1e-9)
        #expect(abs(s.pAllow - row.pAllow) < 1e-9)
        #expect(s.best == row.best)
    }
}
