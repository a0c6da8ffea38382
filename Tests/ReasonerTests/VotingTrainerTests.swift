import Foundation
import Testing
@testable import SafetyKitNumerics
@testable import SafetyKitReasoner

@Suite("MC-CoT voting during training")
struct VotingTrainerTests {
    @Test func fusionByHand() {
        // std of [0, 1] is ½ → w = ⅔; std of [0, 3] is 1.5 → w = 0.4; Σw = 16/15.
        let (fused, coefficients) = VotingTrainer.fuse([[0, 1], [0, 3]], alpha: 0.5)
        #expect(abs(coefficients[0] - 0.5625) < 1e-6 && abs(coefficients[1] - 0.4375) < 1e-6)
        #expect(abs(fused[0]) < 1e-6 && abs(fused[1] - 1.875) < 1e-6)
        // Identical passes fuse to themselves, whatever α.
        let (same, _) = VotingTrainer.fuse([[1, -2, 0.5], [1, -2, 0.5], [1, -2, 0.5]], alpha: 0.3)
        #expect(zip(same, [Float(1), -2, 0.5]).allSatisfy { abs($0 - $1) < 1e-6 })
    }

    @Test func onePassWithoutDropoutIsPlainSupervisedTraining() throws {
        let configuration = ModelConfiguration(vocabularySize: Vocabulary.standard.count, contextLength: 64, width: 16, depth: 1, heads: 2)
        let model = try TransformerModel(configuration: configuration, seed: 3)
        let batch = try TrainingTests.examples(4, seed: 2)
        let workspace = try TransformerWorkspace(configuration: configuration, batch: 4, length: 64)
        let (tokens, targets) = TrainingExample.batch(batch, length: 64, pad: Vocabulary.standard.pad)
        var none: RandomStream? = nil
        let loss = workspace.forward(model, tokens: tokens, targets: targets, dropout: &none)
        workspace.backward(model)
        let schedule = LearningRateSchedule(peak: 1e-2, warmupSteps: 1, totalSteps: 10)
        let voting = try VotingTrainer(model: model, schedule: schedule, batchSize: 4, passes: 1, dropout: 0)
        var masks = RandomStream(seed: 1)
        let fused = try voting.lossAndGradients(batch, dropout: &masks)
        #expect(abs(loss - fused.loss) < 1e-5)
        let scale = workspace.gradients.map(abs).max()!
        let gap = zip(workspace.gradients, fused.gradients).map { abs($0 - $1) }.max()!
        #expect(gap < 1e-5 * scale, "largest gradient difference \(gap) of \(scale)")
        // Positive control: three passes with dropout give another gradient.
        let dropped = try VotingTrainer(model: model, schedule: schedule, batchSize: 4, passes: 3, dropout: 0.2)
        let other = try dropped.lossAndGradients(batch, dropout: &masks)
        #expect(zip(workspace.gradients, other.gradients).map { abs($0 - $1) }.max()! > 1e-3 * scale)
        _ = try dropped.step(batch, dropout: &masks)
        #expect(dropped.model.configuration.dropout == 0 && dropped.model.parameters != model.parameters)
    }
}
