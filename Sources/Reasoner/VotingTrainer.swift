import Foundation
import SafetyKitNumerics

/// Voting during training (MC-CoT): each step runs the batch through the model `passes` times
/// with different dropout masks, fuses the passes' logits S_k at every position,
///
///     w_k = 1 / (1 + std_v(S_k)),   fused = α · mean_k S_k + (1 − α) · Σ_k w_k S_k / Σ_k w_k,
///
/// and takes the cross-entropy on the fused logits (α = 0.5, docs/reasoner.md). The weights w_k are
/// held constant in the gradient (a stop-gradient, as for an ensemble weight), so
/// ∂L/∂S_k = (α/K + (1 − α) w_k/Σw) · ∂L/∂fused, and each pass backpropagates its share.
/// The gradients of all passes are summed and AdamW takes one step.
package final class VotingTrainer {
    /// The model with the training dropout in its configuration.
    private var training: TransformerModel
    private let original: ModelConfiguration
    package var optimizer: AdamW
    package var schedule: LearningRateSchedule
    package let batchSize: Int
    package let passes: Int
    package let alpha: Float
    private let vocabulary: Vocabulary
    private var workspaces: [TransformerWorkspace] = []

    /// `dropout` is the rate used in the passes (the model's own configuration keeps its rate).
    package init(model: TransformerModel, schedule: LearningRateSchedule, batchSize: Int, passes: Int = 3, alpha: Float = 0.5,
                dropout: Float = 0.1, vocabulary: Vocabulary = .standard, optimizer: AdamW? = nil) throws(ReasonerError) {
        var configuration = model.configuration
        configuration.dropout = dropout
        training = try TransformerModel(configuration: configuration, parameters: model.parameters)
        original = model.configuration
        self.schedule = schedule
        self.batchSize = batchSize
        self.passes = max(1, passes)
        self.alpha = alpha
        self.vocabulary = vocabulary
        self.optimizer = optimizer ?? AdamW(parameterCount: model.parameterCount)
    }

    /// The trained model, in its original configuration.
    package var model: TransformerModel {
        // The parameter count is unchanged by the dropout rate, so this cannot fail.
        (try? TransformerModel(configuration: original, parameters: training.parameters))!
    }

    /// Fuses K passes' logits at one position (each `V` long) and returns the fused logits and
    /// each pass's coefficient in ∂fused/∂S_k.
    package static func fuse(_ logits: [[Float]], alpha: Float) -> (fused: [Float], coefficients: [Float]) {
        let K = logits.count, V = logits[0].count
        let weights = logits.map { s -> Float in
            let mean = s.reduce(0, +) / Float(V)
            let variance = s.reduce(0) { $0 + ($1 - mean) * ($1 - mean) } / Float(V)
            return 1 / (1 + variance.squareRoot())
        }
        let total = weights.reduce(0, +)
        let coefficients = weights.map { alpha / Float(K) + (1 - alpha) * $0 / total }
        var fused = [Float](repeating: 0, count: V)
        for (k, s) in logits.enumerated() { for v in 0..<V { fused[v] += coefficients[k] * s[v] } }
        return (fused, coefficients)
    }

    /// The fused loss of a batch (mean over scored positions), how many positions it scores,
    /// and its gradient (summed over the passes), without updating the model.
    package func lossAndGradients(_ examples: [TrainingExample], dropout: inout RandomStream) throws(ReasonerError) -> (loss: Double, scored: Int, gradients: [Float]) {
        let first = try TransformerWorkspace.fitting(examples, configuration: training.configuration, reusing: workspaces.first)
        if workspaces.first !== first {
            workspaces = [first]
            for _ in 1..<passes { workspaces.append(try TransformerWorkspace(configuration: training.configuration, batch: first.B, length: first.T)) }
        }
        let T = workspaces[0].T, V = training.configuration.vocabularySize, N = examples.count * T
        let (tokens, targets) = TrainingExample.batch(examples, length: T, pad: vocabulary.pad)
        var stream: RandomStream? = dropout
        for ws in workspaces { ws.forward(training, tokens: tokens, targets: targets, dropout: &stream) }
        dropout = stream!
        let scored = targets.reduce(0) { $0 + ($1 >= 0 ? 1 : 0) }
        var logitGradients = workspaces.map { _ in [Float](repeating: 0, count: N * V) }
        var loss = 0.0
        for n in 0..<N where targets[n] >= 0 {
            let perPass = workspaces.map { Array($0.lastLogits[(n * V)..<((n + 1) * V)]) }
            let (fused, coefficients) = Self.fuse(perPass, alpha: alpha)
            let maximum = fused.max()!
            var sum = 0.0
            for z in fused { sum += exp(Double(z - maximum)) }
            let target = Int(targets[n])
            loss += log(sum) - Double(fused[target] - maximum)
            for v in 0..<V {
                let p = Float(exp(Double(fused[v] - maximum)) / sum)
                let d = (p - (v == target ? 1 : 0)) / Float(scored)
                for k in 0..<passes { logitGradients[k][n * V + v] = coefficients[k] * d }
            }
        }
        var total = [Float](repeating: 0, count: training.parameterCount)
        for (ws, g) in zip(workspaces, logitGradients) {
            ws.backward(training, logitGradients: g)
            for i in total.indices { total[i] += ws.gradients[i] }
        }
        return (scored > 0 ? loss / Double(scored) : 0, scored, total)
    }

    /// One step on a batch; `dropout` supplies every pass's masks.
    package func step(_ examples: [TrainingExample], dropout: inout RandomStream) throws(ReasonerError) -> SupervisedTrainer.StepReport {
        let (loss, scored, gradients) = try lossAndGradients(examples, dropout: &dropout)
        let rate = schedule.rate(at: optimizer.step)
        let norm = optimizer.update(&training, gradients: gradients, learningRate: rate)
        return SupervisedTrainer.StepReport(loss: loss, gradientNorm: norm, learningRate: rate, tokens: scored)
    }
}
