import Foundation
import SafetyKitNumerics

/// Supervised fine-tuning: cross-entropy on completion tokens only, AdamW, a warm-up and cosine
/// schedule. The workspace grows to the longest batch seen (positions beyond a sequence's end
/// are padding and unscored).
public final class SupervisedTrainer {
    /// The model being trained.
    public private(set) var model: TransformerModel
    /// Its optimizer.
    public var optimizer: AdamW
    /// The learning-rate schedule.
    public var schedule: LearningRateSchedule
    /// Sequences per step.
    public let batchSize: Int
    private var workspace: TransformerWorkspace?
    private let vocabulary: Vocabulary

    /// A trainer of `model` (fresh optimizer state).
    public init(model: TransformerModel, schedule: LearningRateSchedule, batchSize: Int, vocabulary: Vocabulary = .standard,
                optimizer: AdamW? = nil) {
        self.model = model
        self.schedule = schedule
        self.batchSize = batchSize
        self.vocabulary = vocabulary
        self.optimizer = optimizer ?? AdamW(parameterCount: model.parameterCount)
    }

    /// What one step did.
    public struct StepReport: Sendable {
        /// The step's mean loss over scored tokens.
        public var loss: Double
        /// The gradient norm before clipping.
        public var gradientNorm: Float
        /// The step's learning rate.
        public var learningRate: Float
        /// Tokens scored in the batch.
        public var tokens: Int
    }

    /// One optimisation step on a batch (with dropout masks from `dropout` if the model uses them).
    public func step(_ examples: [TrainingExample], dropout: inout RandomStream?) throws(ReasonerError) -> StepReport {
        let ws = try TransformerWorkspace.fitting(examples, configuration: model.configuration, reusing: workspace)
        workspace = ws
        let (tokens, targets) = TrainingExample.batch(examples, length: ws.T, pad: vocabulary.pad)
        let loss = ws.forward(model, tokens: tokens, targets: targets, dropout: &dropout)
        ws.backward(model)
        let rate = schedule.rate(at: optimizer.step)
        let norm = optimizer.update(&model, gradients: ws.gradients, learningRate: rate)
        return StepReport(loss: loss, gradientNorm: norm, learningRate: rate, tokens: targets.reduce(0) { $0 + ($1 >= 0 ? 1 : 0) })
    }
}
