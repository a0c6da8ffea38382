import Foundation
import SafetyKitNumerics

/// P(True), the "indirect logit" (Kadavath et al. 2022; Lin, Hilton and Evans 2022): after a
/// completion, the fixed line `Right?` and the model's probability of `yes` against `no` as the
/// next token, P = p(yes)/(p(yes) + p(no)). A model learns it (`train`) by cross-entropy on
/// whether its own greedy answer was right, over problems it did not train its answers on: a
/// proper scoring rule, whose minimiser is calibrated on the distribution it was fitted on.
///
/// The question is an optional part of the task format: its three tokens are appended to the
/// standard vocabulary (`vocabulary`), so every other token keeps its id and a model without them
/// is unchanged.
public enum PTrue {
    /// The tokens the question adds: the question line and the two answers.
    public static let tokens = ["Right?", "yes", "no"]
    /// The standard vocabulary with the question's tokens appended.
    public static let vocabulary = Vocabulary(tokens: Vocabulary.standard.tokens + tokens)

    /// prompt + completion (without <eos>, its decision line and its confidence line) + "\n" +
    /// "Right?": the next token answers the question. The question is asked of the answer alone,
    /// so the two stated confidences do not read each other.
    static func question(prompt: [Int], completion: [Int], vocabulary: Vocabulary) -> [Int] {
        let newline = vocabulary.id("\n")!
        var body = completion.filter { $0 != vocabulary.eos }
        // The decision line, then the confidence line, where the vocabulary has them.
        for marker in [DecisionLine.marker, VerbalizedConfidence.marker].compactMap(vocabulary.id) {
            if let start = body.lastIndex(of: newline), body.indices.contains(start + 1), body[start + 1] == marker {
                body.removeSubrange(start...)
            }
        }
        return prompt + body + [newline, vocabulary.id("Right?")!]
    }

    /// A training example: the question with `yes` (the answer was right) or `no` as its only
    /// scored token.
    public static func example(prompt: [Int], completion: [Int], right: Bool, vocabulary: Vocabulary) -> TrainingExample {
        let tokens = question(prompt: prompt, completion: completion, vocabulary: vocabulary) + [vocabulary.id(right ? "yes" : "no")!]
        return TrainingExample(tokens: tokens, promptLength: tokens.count - 1)
    }

    /// P(True) of each (prompt, completion) pair under `model`, whose vocabulary must hold the
    /// question's tokens, `batchSize` sequences per forward pass.
    public static func probabilities(_ model: TransformerModel, prompts: [[Int]], completions: [[Int]], vocabulary: Vocabulary,
                                     batchSize: Int = 64) throws(ReasonerError) -> [Double] {
        guard let yes = vocabulary.id("yes"), let no = vocabulary.id("no"), vocabulary.id("Right?") != nil,
              model.configuration.vocabularySize >= vocabulary.count else {
            throw .badConfiguration("the model has no P(True) question: its vocabulary lacks \(tokens.joined(separator: ", "))")
        }
        // A completion that leaves no room for the question in the context loses its tail (it
        // never finished, so its answer is wrong whatever the question says).
        let room = model.configuration.contextLength - 2
        let questions = prompts.indices.map { i in
            question(prompt: prompts[i], completion: Array(completions[i].prefix(max(0, room - prompts[i].count))), vocabulary: vocabulary)
        }
        return try model.nextTokenProbabilities(after: questions, of: [yes, no], pad: vocabulary.pad, batchSize: batchSize).map { p in
            p[0] + p[1] > 0 ? p[0] / (p[0] + p[1]) : 0.5
        }
    }

    /// Teaches `model` P(True) alone while it keeps answering as before
    /// (`StatedConfidence.train` with `.pTrue`); the model is extended to `vocabulary` if it lacks
    /// the question's tokens.
    public static func train(_ model: TransformerModel, answers: [StatedConfidence.LabelledAnswer], steps: Int, batchSize: Int, learningRate: Float,
                             seed: UInt64, progress: ((Int, Double) -> Void)? = nil) throws(ReasonerError) -> TransformerModel {
        try StatedConfidence.train(model, answers: answers, teaching: .pTrue, steps: steps, batchSize: batchSize, learningRate: learningRate,
                                   seed: seed, progress: progress)
    }
}
