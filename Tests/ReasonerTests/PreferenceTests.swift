import Foundation
import Testing
@testable import SafetyKitNumerics
@testable import SafetyKitReasoner

@Suite("Preference training: DPO, IPO, RPO")
struct PreferenceTests {
    static let losses: [PreferenceLoss] = [.dpo(beta: 0.1), .ipo(beta: 0.1), .rpo(beta: 0.5, alpha: 1)]

    @Test(arguments: losses)
    func lossDerivativesMatchFiniteDifferences(loss: PreferenceLoss) {
        var stream = RandomStream(seed: 3)
        for _ in 0..<20 {
            let pair = PreferenceLoss.Pair(policyChosen: -10 * stream.nextUniform(), policyRejected: -10 * stream.nextUniform(),
                                           referenceChosen: -10 * stream.nextUniform(), referenceRejected: -10 * stream.nextUniform(),
                                           chosenLength: 1 + stream.nextIndex(below: 20), rejectedLength: 1 + stream.nextIndex(below: 20))
            let (_, dChosen, dRejected) = loss.evaluate(pair)
            let h = 1e-6
            var a = pair, b = pair
            a.policyChosen += h; b.policyChosen -= h
            #expect(abs((loss.evaluate(a).loss - loss.evaluate(b).loss) / (2 * h) - dChosen) < 1e-7)
            a = pair; b = pair
            a.policyRejected += h; b.policyRejected -= h
            #expect(abs((loss.evaluate(a).loss - loss.evaluate(b).loss) / (2 * h) - dRejected) < 1e-7)
        }
        // DPO at u = 0: log 2, and dL/dπ_w = −β/2.
        let even = PreferenceLoss.dpo(beta: 0.1).evaluate(.init(policyChosen: -3, policyRejected: -4, referenceChosen: -3, referenceRejected: -4,
                                                                chosenLength: 3, rejectedLength: 4))
        #expect(abs(even.loss - log(2)) < 1e-15 && abs(even.dChosen + 0.05) < 1e-15)
    }

    static let tiny = ModelConfiguration(vocabularySize: 7, contextLength: 8, width: 8, depth: 2, heads: 2, mlpRatio: 2)

    static func pairs() -> [PreferenceExample] {
        [PreferenceExample(prompt: [3, 4], chosen: [5, 2, 1], rejected: [6, 1]),
         PreferenceExample(prompt: [2], chosen: [4, 4, 1], rejected: [3, 5, 6, 1])]
    }

    /// The whole loss recomputed from scratch with the scorer, for finite differences.
    static func fullLoss(_ model: TransformerModel, reference: TransformerModel, loss: PreferenceLoss) throws -> Double {
        func sums(_ m: TransformerModel) throws -> [Double] {
            let examples = pairs().map { TrainingExample(tokens: $0.prompt + $0.chosen, promptLength: $0.prompt.count) }
                + pairs().map { TrainingExample(tokens: $0.prompt + $0.rejected, promptLength: $0.prompt.count) }
            return try CompletionScorer.tokenLogProbabilities(m, examples).map { $0.reduce(0.0) { $0 + Double($1) } }
        }
        let p = try sums(model), r = try sums(reference), n = pairs().count
        return (0..<n).reduce(0.0) { total, i in
            total + loss.evaluate(.init(policyChosen: p[i], policyRejected: p[n + i], referenceChosen: r[i], referenceRejected: r[n + i],
                                        chosenLength: pairs()[i].chosen.count, rejectedLength: pairs()[i].rejected.count)).loss / Double(n)
        }
    }

    @Test(arguments: losses)
    func parameterGradientsMatchFiniteDifferences(loss: PreferenceLoss) throws {
        let reference = try TransformerModel(configuration: Self.tiny, seed: 1, scale: 0.4)
        var model = try TransformerModel(configuration: Self.tiny, seed: 2, scale: 0.4)
        let trainer = try PreferenceTrainer(model: model, reference: reference, loss: loss,
                                            schedule: LearningRateSchedule(peak: 1e-3, warmupSteps: 1, totalSteps: 1))
        let (log, analytic) = try trainer.lossAndGradients(Self.pairs())
        #expect(abs(log.loss - (try Self.fullLoss(model, reference: reference, loss: loss))) < 1e-5)
        var stream = RandomStream(seed: 7)
        for _ in 0..<60 {
            let i = stream.nextIndex(below: model.parameterCount)
            let original = model.parameters[i], h: Float = 1e-2
            model.parameters[i] = original + h
            let plus = try Self.fullLoss(model, reference: reference, loss: loss)
            model.parameters[i] = original - h
            let minus = try Self.fullLoss(model, reference: reference, loss: loss)
            model.parameters[i] = original
            let numeric = (plus - minus) / (2 * Double(h))
            #expect(abs(numeric - Double(analytic[i])) <= 2e-2 * abs(numeric) + 2e-4, "\(loss) index \(i): \(analytic[i]) vs \(numeric)")
        }
    }

    @Test func dpoMatchesTheClosedFormPerLogitGradient() throws {
        // With the policy equal to the reference, u = 0 and dL/dz_t = −β·σ(0)·(onehot − softmax) on the
        // chosen tokens and the opposite on the rejected: β/2 times the cross-entropy gradient of the
        // chosen tokens minus β/2 times that of the rejected, which a weighted cross-entropy backward gives.
        let model = try TransformerModel(configuration: Self.tiny, seed: 2, scale: 0.4)
        let trainer = try PreferenceTrainer(model: model, reference: model, loss: .dpo(beta: 0.2),
                                            schedule: LearningRateSchedule(peak: 1e-3, warmupSteps: 1, totalSteps: 1))
        let (log, gradients) = try trainer.lossAndGradients(Self.pairs())
        #expect(abs(log.loss - Foundation.log(2)) < 1e-9 && log.margin == 0)
        let pairs = Self.pairs(), n = pairs.count
        let examples = pairs.map { TrainingExample(tokens: $0.prompt + $0.chosen, promptLength: $0.prompt.count) }
            + pairs.map { TrainingExample(tokens: $0.prompt + $0.rejected, promptLength: $0.prompt.count) }
        let workspace = try TransformerWorkspace(configuration: Self.tiny, batch: 2 * n, length: 7)
        let (tokens, targets) = TrainingExample.batch(examples, length: 7, pad: 0)
        var none: RandomStream? = nil
        workspace.forward(model, tokens: tokens, targets: targets, dropout: &none)
        // Cross-entropy backward gives w·(softmax − onehot): w = β/2/n on chosen rows, −β/2/n on rejected.
        let weights = (0..<(2 * n * 7)).map { k in Float(k / 7 < n ? 0.1 / Double(n) : -0.1 / Double(n)) }
        workspace.backward(model, weights: weights)
        let gap = zip(gradients, workspace.gradients).map { abs($0 - $1) }.max()!
        #expect(gap < 1e-7, "largest difference \(gap)")
    }

    @Test func trainingLowersTheRejectedMoreThanTheChosen() throws {
        let configuration = ModelConfiguration(vocabularySize: 7, contextLength: 8, width: 16, depth: 1, heads: 2)
        let start = try TransformerModel(configuration: configuration, seed: 4)
        for loss in [PreferenceLoss.dpo(beta: 0.1), .rpo(beta: 0.1, alpha: 1)] {
            let trainer = try PreferenceTrainer(model: start, reference: start, loss: loss,
                                                schedule: LearningRateSchedule(peak: 1e-2, warmupSteps: 1, totalSteps: 30))
            let first = try trainer.lossAndGradients(Self.pairs()).log
            var last = first
            for _ in 0..<30 { last = try trainer.step(Self.pairs()) }
            #expect(last.loss < first.loss && last.accuracy == 1 && last.margin > 0)
            #expect(last.logpRejected - first.logpRejected < last.logpChosen - first.logpChosen)
            if case .rpo = loss { #expect(last.logpChosen > first.logpChosen) }   // the NLL term holds the chosen up
        }
    }

    @Test func badPreferenceInputIsRejected() throws {
        let model = try TransformerModel(configuration: Self.tiny, seed: 2)
        var other = Self.tiny
        other.width = 16
        let schedule = LearningRateSchedule(peak: 1e-3, warmupSteps: 1, totalSteps: 1)
        #expect(throws: ReasonerError.self) { try PreferenceTrainer(model: model, reference: try TransformerModel(configuration: other, seed: 1), loss: .dpo(beta: 0.1), schedule: schedule) }
        #expect(throws: ReasonerError.self) { try PreferenceTrainer(model: model, reference: model, loss: .dpo(beta: 0), schedule: schedule) }
        #expect(throws: ReasonerError.self) { try PreferenceTrainer(model: model, reference: model, loss: .ipo(beta: -1), schedule: schedule) }
        let trainer = try PreferenceTrainer(model: model, reference: model, loss: .dpo(beta: 0.1), schedule: schedule)
        #expect(throws: ReasonerError.badProblem("preference pair 1 has an empty rejected response")) {
            try trainer.step([PreferenceExample(prompt: [2], chosen: [3, 1], rejected: [])])
        }
    }
}
