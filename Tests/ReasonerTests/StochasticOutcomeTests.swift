import Foundation
import Testing
@testable import SafetyKitNumerics
@testable import SafetyKitReasoner

@Suite("Stochastic outcomes: scoring rules and exact measurements")
struct StochasticOutcomeTests {
    typealias Experiment = StochasticOutcomeExperiment

    /// The three rules by hand, and each is proper: for every p, the expected score over the 11
    /// deciles is highest at q = p.
    @Test func scoresAreProper() {
        #expect(abs(Experiment.Score.brier.value(q: 0.7, outcome: true) + 0.09) < 1e-12)
        #expect(abs(Experiment.Score.brier.value(q: 0.7, outcome: false) + 0.49) < 1e-12)
        #expect(abs(Experiment.Score.log.value(q: 0, outcome: true) - log(0.05)) < 1e-12)
        #expect(abs(Experiment.Score.spherical.value(q: 0.5, outcome: true) - 0.5 / 0.5.squareRoot()) < 1e-12)
        for score in Experiment.Score.allCases {
            for d in 1...9 {
                let p = Double(d) / 10
                let expected = (0...10).map { q in p * score.value(q: Double(q) / 10, outcome: true) + (1 - p) * score.value(q: Double(q) / 10, outcome: false) }
                #expect(expected.indices.max { expected[$0] < expected[$1] } == d, "\(score) at p = \(p)")
            }
            #expect(score.worst <= (0...10).map { min(score.value(q: Double($0) / 10, outcome: true), score.value(q: Double($0) / 10, outcome: false)) }.min()!)
        }
    }

    /// A policy that states the truth is calibrated with no error; a uniform one is off by
    /// E|q − ½| = 3/11 in ECE, since every decile then stands for the mean p, ½.
    @Test func measurementsOfKnownPolicies() {
        let prompts = Experiment.prompts
        #expect(prompts.count == 36 && prompts.allSatisfy { $0.p == Double($0.a + $0.b) / 10 })
        let truth = prompts.map { p in (0...10).map { $0 == Int((10 * p.p).rounded()) ? 1.0 : 0.0 } }
        let exact = Experiment.measure(distributions: truth, step: 0, reward: nil)
        let meanVariance = prompts.reduce(0.0) { $0 + $1.p * (1 - $1.p) } / 36
        #expect(exact.ece < 1e-12 && abs(exact.overconfidence) < 1e-12 && exact.meanAbsoluteError < 1e-12)
        #expect(abs(exact.brier - meanVariance) < 1e-12 && exact.extremeShare == 2.0 / 36)   // 0+0 and 5+5
        let uniform = Experiment.measure(distributions: prompts.map { _ in [Double](repeating: 1.0 / 11, count: 11) }, step: 0, reward: nil)
        let spread = prompts.reduce(0.0) { $0 + abs($1.p - 0.5) } / 36
        #expect(abs(uniform.ece - 3.0 / 11) < 1e-12)
        #expect(abs(uniform.overconfidence - (3.0 / 11 - spread)) < 1e-12)
        #expect(abs(uniform.extremeShare - 2.0 / 11) < 1e-12)
        // Always stating 1: overconfident by ½ − E|p − ½|.
        let sure = Experiment.measure(distributions: prompts.map { _ in (0...10).map { $0 == 10 ? 1.0 : 0.0 } }, step: 0, reward: nil)
        #expect(abs(sure.overconfidence - (0.5 - spread)) < 1e-12 && abs(sure.ece - 0.5) < 1e-12)
    }

    /// A short run end to end: the base states deciles near the truth, and a run is a pure
    /// function of its seed.
    @Test func aShortRunIsReproducible() throws {
        var experiment = Experiment(estimator: .rloo)
        experiment.baseSteps = 200; experiment.steps = 6; experiment.measureEvery = 3; experiment.promptsPerStep = 4
        experiment.configuration = ModelConfiguration(vocabularySize: Experiment.vocabulary.count, contextLength: 16, width: 16, depth: 1, heads: 2)
        let base = try experiment.base(seed: 2)
        let first = try experiment.run(from: base, seed: 2), second = try experiment.run(from: base, seed: 2)
        #expect(first == second && first.map(\.step) == [0, 3, 6])
        #expect(first[0].reward == nil && first[1].reward != nil)
        var uniform = experiment
        uniform.start = .uniform
        let ignorant = try Experiment.measure(try uniform.base(seed: 2), step: 0, reward: nil)
        #expect(first[0].meanAbsoluteError < ignorant.meanAbsoluteError - 0.02, "the calibrated base should be nearer the truth: \(first[0]) vs \(ignorant)")
    }
}
