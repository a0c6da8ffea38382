import Foundation
import Testing
@testable import SafetyKitAnalysis
import SafetyKitGames
import SafetyKitNumerics

@Suite("The corrigibility probe")
struct CorrigibilityProbeTests {
    @Test func aCalibratedTwoPointBeliefWithARationalHumanMatchesTheorem1() throws {
        for cost in [0.5, 1, 3] {
            let probe = CorrigibilityProbe(human: RationalHuman(), wrongCost: cost)
            for p in stride(from: 0.0, through: 1.0, by: 0.05) {
                // Theorem 1: Δ = min(E[U+], E[U−]) = min(p, (1 − p)·cost) ≥ 0.
                let delta = try probe.delta(p)
                #expect(delta >= 0)
                #expect(abs(delta - min(p, (1 - p) * cost)) < 1e-12, "p \(p) cost \(cost)")
            }
        }
    }

    @Test func anOverconfidentRobotNeverWaitsForANoisyHuman() throws {
        let probe = CorrigibilityProbe(human: try BoltzmannHuman(beta: 0.5))
        let items = (0..<10).map { CorrigibilityProbe.Item(confidence: 1, correct: $0 < 7) }
        let result = try probe.run(items)
        #expect(result.model.deferenceRate == 0)
        #expect(abs(result.model.harmfulRate - 0.3) < 1e-12)
        #expect(result.model.meanBelievedDelta! < 0)
        // Positive control: an uncertain robot (confidence ½) waits for the same human.
        let unsure = try probe.run((0..<10).map { CorrigibilityProbe.Item(confidence: 0.5, correct: $0 < 7) })
        #expect(unsure.model.deferenceRate == 1 && unsure.model.harmfulRate == 0)
    }

    @Test func baselinesAndRegretByHand() throws {
        let probe = CorrigibilityProbe(human: RationalHuman(), wrongCost: 1)
        let items = [0.9, 0.8, 0.7, 0.95].enumerated().map { CorrigibilityProbe.Item(confidence: $1, correct: $0 != 3) }
        let result = try probe.run(items)
        #expect(result.oracle.regret == 0 && result.oracle.meanUtility == 0.75)
        #expect(result.alwaysAct.meanUtility == 0.5 && result.alwaysAct.regret == 0.25 && result.alwaysAct.harmfulRate == 0.25)
        // A rational human lets right answers through and stops wrong ones: waiting is as good as the oracle.
        #expect(result.alwaysWait.meanUtility == 0.75 && result.alwaysWait.regret == 0 && result.alwaysWait.deferenceRate == 1)
        // Theorem 1: with a rational human and any uncertain belief the robot waits.
        #expect(result.model.deferenceRate == 1 && result.model.regret == 0)
        // The empirical-samples belief: 4 of 4 right samples is a certain belief (a tie, which waits).
        let samples = CorrigibilityProbe(human: RationalHuman(), belief: .samples)
        let certain = try samples.run([CorrigibilityProbe.Item(confidence: 0.2, correct: true, samples: (4, 4))])
        #expect(certain.model.deferenceRate == 1 && certain.model.meanBelievedDelta == 0)
    }

    @Test func isotonicRegressionByHand() {
        let map = Recalibration.isotonic.fit(confidences: [0.1, 0.2, 0.3, 0.4], correct: [true, false, false, true])
        #expect(abs(map(0.05) - 1.0 / 3) < 1e-12 && abs(map(0.35) - 1.0 / 3) < 1e-12 && map(0.4) == 1 && map(0.9) == 1)
    }

    /// Ties are pooled before pool-adjacent-violators, so the fit equals scikit-learn's
    /// IsotonicRegression (values printed by scikit-learn 1.x, checked by hand).
    @Test func isotonicRegressionPoolsTiesLikeScikitLearn() {
        // 0.3 → 1, then 0.5 twice (0 and 1): the pooled 0.5 (mean ½) violates 0.3, so all three
        // share 2/3. Pooling ties only after a merge had given the second 0.5 the value 1.
        let pooled = Recalibration.isotonic.fit(confidences: [0.3, 0.5, 0.5], correct: [true, false, true])
        #expect(abs(pooled(0.3) - 2.0 / 3) < 1e-15 && abs(pooled(0.5) - 2.0 / 3) < 1e-15)
        let x = [0.9, 0.1, 0.7, 0.7, 0.3, 0.7, 0.3, 0.1, 0.9, 0.5]
        let y = [true, false, false, true, true, false, false, true, true, false]
        let map = Recalibration.isotonic.fit(confidences: x, correct: y)
        for (c, expected) in [(0.1, 0.375), (0.3, 0.375), (0.5, 0.375), (0.7, 0.375), (0.9, 1.0)] {
            #expect(abs(map(c) - expected) < 1e-15, "\(c)")
        }
        // Equal confidences always get one value, whatever order their outcomes come in.
        let shuffled = Recalibration.isotonic.fit(confidences: x.reversed(), correct: y.reversed())
        #expect(x.allSatisfy { map($0) == shuffled($0) })
    }

    @Test(arguments: Recalibration.allCases)
    func recalibrationImprovesECEOnAnOverconfidentSet(method: Recalibration) throws {
        var stream = RandomStream(seed: 11)
        var confidences: [Double] = [], correct: [Bool] = []
        for _ in 0..<4000 {
            let p = stream.nextUniform()
            let logit = log(p / (1 - p))
            confidences.append(1 / (1 + exp(-3 * logit)))   // overconfident: logits three times too large
            correct.append(stream.nextUniform() < p)
        }
        let before = CalibrationAnalysis(try Predictions(confidences: confidences, correct: correct)).report().ece
        let fixed = method.crossFitted(confidences: confidences, correct: correct)
        let after = CalibrationAnalysis(try Predictions(confidences: fixed, correct: correct)).report().ece
        #expect(before > 0.12)
        #expect(after < before / 3, "\(method): ECE \(before) → \(after)")
    }

    /// The environment of behavioural deference agrees with the off-switch game: for a robot that
    /// is right with probability q, the expected outcome of each action over right and wrong
    /// equals the game's EU of that action under the same two-point belief.
    @Test func theEnvironmentsOutcomesAreTheGamesValues() throws {
        for (human, cost) in [(try BoltzmannHuman(beta: 0.5) as any HumanModel, 1.0), (RationalHuman(), 2.0), (try BoltzmannHuman(beta: 2), 0.5)] {
            let probe = CorrigibilityProbe(human: human, wrongCost: cost)
            for q in [0.05, 0.3, 0.5, 0.8, 0.97] {
                let game = try OffSwitchGame(prior: probe.twoPoint(q), human: human).solve()
                func expected(_ action: CorrigibilityProbe.Decision.Action) -> Double {
                    q * probe.outcome(of: action, correct: true).utility + (1 - q) * probe.outcome(of: action, correct: false).utility
                }
                #expect(abs(expected(.act) - game.euAct) < 1e-9 && abs(expected(.wait) - game.euWait) < 1e-9 && expected(.off) == game.euOff)
                #expect(probe.outcome(of: .act, correct: false).harmful && !probe.outcome(of: .wait, correct: false).harmful)
            }
        }
    }
}
