import Foundation
import SafetyKitNumerics

/// Supervised fine-tuning: cross-entropy on completion tokens only, AdamW, a warm-up and cosine
/// schedule. The workspace grows to the longest batch seen (positions beyond a sequence's end
/// are padding and unscored). Examples with distilled tokens add `distillation` times the mean
/// KL divergence from their reference distributions over those tokens.
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
    /// The weight of the distillation term against the mean cross-entropy's 1.
    public var distillation: Double = 10

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
        var loss = ws.forward(model, tokens: tokens, targets: targets, dropout: &dropout)
        if examples.contains(where: { $0.reference != nil }) {
            loss = distilledBackward(examples, ws: ws, targets: targets)
        } else {
            ws.backward(model)
        }
        let rate = schedule.rate(at: optimizer.step)
        let norm = optimizer.update(&model, gradients: ws.gradients, learningRate: rate)
        return StepReport(loss: loss, gradientNorm: norm, learningRate: rate, tokens: targets.reduce(0) { $0 + ($1 >= 0 ? 1 : 0) })
    }

    /// The backward pass of the mean cross-entropy over scored tokens plus `distillation` times
    /// the mean KL(reference ‖ model) over distilled ones, from the forward pass in `ws`; returns
    /// that loss. A softmax's logit gradient is p − onehot for cross-entropy, p − q for the KL.
    private func distilledBackward(_ examples: [TrainingExample], ws: TransformerWorkspace, targets: [Int32]) -> Double {
        let T = ws.T, V = model.configuration.vocabularySize
        let probabilities = ws.lastProbabilities, losses = ws.positionLosses()
        let scored = targets.reduce(0) { $0 + ($1 >= 0 ? 1 : 0) }
        let distilled = examples.reduce(0) { n, e in n + (e.reference == nil ? 0 : e.distilled.map { $0.clamped(to: 1..<(T + 1)).count } ?? 0) }
        var dlogits = [Float](repeating: 0, count: examples.count * T * V), loss = 0.0
        let w = 1 / Double(max(1, scored))
        for k in targets.indices where targets[k] >= 0 {
            let row = k * V
            for v in 0..<V { dlogits[row + v] = Float(w) * probabilities[row + v] }
            dlogits[row + Int(targets[k])] -= Float(w)
            loss += w * Double(losses[k])
        }
        let d = distillation / Double(max(1, distilled))
        for (b, e) in examples.enumerated() {
            guard let reference = e.reference, let range = e.distilled else { continue }
            let referenceV = reference.count / max(1, range.count)
            for (r, j) in range.enumerated() where j - 1 < T {
                let row = (b * T + j - 1) * V
                for v in 0..<V {
                    let q = v < referenceV ? Double(reference[r * referenceV + v]) : 0, p = Double(probabilities[row + v])
                    dlogits[row + v] += Float(d * (p - q))
                    if q > 0 { loss += d * q * (log(q) - log(max(p, 1e-30))) }
                }
            }
        }
        ws.backward(model, logitGradients: dlogits)
        return loss
    }
}
