import Foundation

/// Log-probabilities of given completions under a model: per token, per sequence, length
/// normalised, and over the answer tokens only. Used for preference training and as
/// confidence sources.
package enum CompletionScorer {
    /// The log-probability of each completion token (<eos> included) of each example.
    package static func tokenLogProbabilities(_ model: TransformerModel, _ examples: [TrainingExample]) throws(ReasonerError) -> [[Float]] {
        guard !examples.isEmpty else { return [] }
        let longest = examples.map { $0.tokens.count - 1 }.max()!
        guard longest <= model.configuration.contextLength else {
            throw .badProblem("an example has \(longest + 1) tokens; the model's context is \(model.configuration.contextLength)")
        }
        let workspace = try TransformerWorkspace(configuration: model.configuration, batch: examples.count, length: max(1, longest))
        let (tokens, targets) = TrainingExample.batch(examples, length: workspace.T, pad: 0)
        var none: RandomStream? = nil
        workspace.forward(model, tokens: tokens, targets: targets, dropout: &none)
        let losses = workspace.positionLosses()
        return examples.indices.map { b in
            (0..<workspace.T).compactMap { t in targets[b * workspace.T + t] >= 0 ? -losses[b * workspace.T + t] : nil }
        }
    }

    /// Confidences of a completion: exp(mean log p) over its tokens (length normalised), and the
    /// probability of the answer tokens given the rationale (the last `answerTokens` tokens
    /// before <eos>, with <eos>).
    package static func confidences(_ logProbabilities: some RandomAccessCollection<Float>, answerTokens: Int) -> (sequence: Double, answer: Double) {
        guard !logProbabilities.isEmpty else { return (0, 0) }
        let mean = logProbabilities.reduce(0.0) { $0 + Double($1) } / Double(logProbabilities.count)
        let answer = logProbabilities.suffix(answerTokens + 1).reduce(0.0) { $0 + Double($1) }
        return (exp(mean), exp(answer))
    }
}

import SafetyKitNumerics
