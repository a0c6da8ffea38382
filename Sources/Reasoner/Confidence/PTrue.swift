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

    /// prompt + completion (without <eos>) + "\n" + "Right?": the next token answers the question.
    static func question(prompt: [Int], completion: [Int], vocabulary: Vocabulary) -> [Int] {
        prompt + completion.filter { $0 != vocabulary.eos } + [vocabulary.id("\n")!, vocabulary.id("Right?")!]
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
        var result: [Double] = []
        result.reserveCapacity(prompts.count)
        for start in stride(from: 0, to: prompts.count, by: max(1, batchSize)) {
            let end = min(prompts.count, start + max(1, batchSize))
            // Each example scores its last token (a placeholder `yes`): the probabilities at that
            // position are the question's answer distribution.
            let examples = (start..<end).map { example(prompt: prompts[$0], completion: completions[$0], right: true, vocabulary: vocabulary) }
            let ws = try TransformerWorkspace.fitting(examples, configuration: model.configuration, reusing: nil)
            let (tokens, targets) = TrainingExample.batch(examples, length: ws.T, pad: vocabulary.pad)
            var none: RandomStream? = nil
            ws.forward(model, tokens: tokens, targets: targets, dropout: &none)
            for (b, e) in examples.enumerated() {
                let p = ws.probabilities(b: b, t: e.tokens.count - 2)
                let total = Double(p[yes]) + Double(p[no])
                result.append(total > 0 ? Double(p[yes]) / total : 0.5)
            }
        }
        return result
    }

    /// One answer with its label: the prompt, the model's completion, and whether it was right.
    public struct LabelledAnswer: Sendable, Equatable {
        /// The prompt's tokens.
        public var prompt: [Int]
        /// The completion's tokens.
        public var completion: [Int]
        /// Whether its answer was right.
        public var right: Bool

        /// A labelled answer.
        public init(prompt: [Int], completion: [Int], right: Bool) {
            self.prompt = prompt
            self.completion = completion
            self.right = right
        }
    }

    /// Teaches `model` (extended to `vocabulary` if it lacks the question's tokens) to answer the
    /// question: `steps` SFT steps of `batchSize` answers drawn with replacement from `answers`
    /// (stream `seed`, purpose `pTrueBatches`), the loss on the yes/no token only. Returns the model.
    public static func train(_ model: TransformerModel, answers: [LabelledAnswer], steps: Int, batchSize: Int, learningRate: Float,
                             seed: UInt64, progress: ((Int, Double) -> Void)? = nil) throws(ReasonerError) -> TransformerModel {
        guard !answers.isEmpty else { throw .badProblem("P(True) needs labelled answers to learn from") }
        let extra = vocabulary.count - model.configuration.vocabularySize
        let start = extra > 0 ? try model.extendingVocabulary(by: extra, seed: seed) : model
        let examples = answers.map { example(prompt: $0.prompt, completion: $0.completion, right: $0.right, vocabulary: vocabulary) }
        let trainer = SupervisedTrainer(model: start, schedule: LearningRateSchedule(peak: learningRate, warmupSteps: min(50, steps / 10), totalSteps: steps),
                                        batchSize: batchSize, vocabulary: vocabulary)
        var none: RandomStream? = nil
        for step in 0..<steps {
            let batch = SelfImprovementLoop.draw(batchSize, from: examples, iteration: 0, step: step, seed: seed, purpose: .pTrueBatches)
            let report = try trainer.step(batch, dropout: &none)
            progress?(step + 1, report.loss)
        }
        return trainer.model
    }
}
