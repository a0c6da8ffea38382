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
        var result: [Double] = [], workspace: TransformerWorkspace? = nil
        result.reserveCapacity(prompts.count)
        for start in stride(from: 0, to: prompts.count, by: max(1, batchSize)) {
            let end = min(prompts.count, start + max(1, batchSize))
            // Each example scores its last token (a placeholder `yes`): the probabilities at that
            // position are the question's answer distribution.
            let examples = (start..<end).map { example(prompt: prompts[$0], completion: completions[$0], right: true, vocabulary: vocabulary) }
            let ws = try TransformerWorkspace.fitting(examples, configuration: model.configuration, reusing: workspace)
            workspace = ws
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
        /// The completion's tokens (ending in <eos> when it finished).
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
    /// question while it keeps answering as before: each of `steps` steps draws `batchSize`
    /// answers with replacement from `answers` (stream `seed`, purpose `pTrueBatches`) and
    /// minimises the mean cross-entropy of their yes/no tokens plus the mean cross-entropy per
    /// token of the finished ones' own completions and <eos> (self-distillation). Without the
    /// second term the new tokens' logits rise at every position and greedy answers run on into
    /// the question. Returns the model.
    public static func train(_ model: TransformerModel, answers: [LabelledAnswer], steps: Int, batchSize: Int, learningRate: Float,
                             seed: UInt64, progress: ((Int, Double) -> Void)? = nil) throws(ReasonerError) -> TransformerModel {
        guard !answers.isEmpty else { throw .badProblem("P(True) needs labelled answers to learn from") }
        let extra = vocabulary.count - model.configuration.vocabularySize
        var policy = extra > 0 ? try model.extendingVocabulary(by: extra, seed: seed) : model
        let schedule = LearningRateSchedule(peak: learningRate, warmupSteps: min(50, steps / 10), totalSteps: steps)
        var optimizer = AdamW(parameterCount: policy.parameterCount)
        var workspace: TransformerWorkspace? = nil
        for step in 0..<steps {
            let batch = SelfImprovementLoop.draw(batchSize, from: answers, iteration: 0, step: step, seed: seed, purpose: .pTrueBatches)
            let questions = batch.map { example(prompt: $0.prompt, completion: $0.completion, right: $0.right, vocabulary: vocabulary) }
            let own = batch.filter { $0.completion.last == vocabulary.eos }.map { TrainingExample(tokens: $0.prompt + $0.completion, promptLength: $0.prompt.count) }
            let examples = questions + own
            let ws = try TransformerWorkspace.fitting(examples, configuration: policy.configuration, reusing: workspace)
            workspace = ws
            let (tokens, targets) = TrainingExample.batch(examples, length: ws.T, pad: vocabulary.pad)
            var none: RandomStream? = nil
            _ = ws.forward(policy, tokens: tokens, targets: targets, dropout: &none)
            let losses = ws.positionLosses()
            let ownTokens = (questions.count * ws.T..<examples.count * ws.T).filter { targets[$0] >= 0 }.count
            var weights = [Float](repeating: 0, count: examples.count * ws.T), loss = 0.0
            for k in 0..<(examples.count * ws.T) where targets[k] >= 0 {
                let w = k < questions.count * ws.T ? 1 / Double(questions.count) : 1 / Double(max(1, ownTokens))
                weights[k] = Float(w)
                loss += w * Double(losses[k])
            }
            ws.backward(policy, weights: weights)
            optimizer.update(&policy, gradients: ws.gradients, learningRate: schedule.rate(at: step))
            progress?(step + 1, loss)
        }
        return policy
    }
}
