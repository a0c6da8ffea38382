import Foundation
import SafetyKitNumerics

/// Confidences the model states itself, and how a base learns them (confidence-and-rl.md):
/// P(True) by cross-entropy on whether its own greedy answers were right, and the verbalized
/// decile by CalibratedMath's targets, the model's own accuracy on each kind of problem.
///
/// The stated-confidence vocabulary is the standard one, then P(True)'s question and answers,
/// then the verbalized line's tokens. Appending keeps every standard id, so a model of the
/// standard vocabulary extends to it without changing what it does.
public enum StatedConfidence {
    /// Standard + P(True) + verbalized tokens.
    public static let vocabulary = Vocabulary(tokens: PTrue.vocabulary.tokens + VerbalizedConfidence.tokens)

    /// Whether `vocabulary` holds P(True)'s question and answers.
    public static func hasPTrue(_ vocabulary: Vocabulary) -> Bool { PTrue.tokens.allSatisfy { vocabulary.id($0) != nil } }
    /// Whether `vocabulary` holds the verbalized line's tokens.
    public static func hasVerbalized(_ vocabulary: Vocabulary) -> Bool { VerbalizedConfidence.tokens.allSatisfy { vocabulary.id($0) != nil } }
    /// Whether `vocabulary` holds the decision line's tokens.
    public static func hasDecision(_ vocabulary: Vocabulary) -> Bool { DecisionLine.tokens.allSatisfy { vocabulary.id($0) != nil } }
    /// The stated-confidence vocabulary with the decision line's tokens appended.
    public static let decisionVocabulary = Vocabulary(tokens: vocabulary.tokens + DecisionLine.tokens)

    /// What a base is taught to state.
    public enum Teaching: String, CaseIterable, Sendable {
        /// P(True) alone (vocabulary `PTrue.vocabulary`).
        case pTrue = "ptrue"
        /// P(True) and the verbalized line after every answer (vocabulary `StatedConfidence.vocabulary`).
        case both
        /// Both, and after the confidence line the decision the off-switch game prescribes for
        /// it (vocabulary `StatedConfidence.decisionVocabulary`).
        case decision

        /// The vocabulary a model taught this way has.
        public var vocabulary: Vocabulary {
            switch self {
            case .pTrue: PTrue.vocabulary
            case .both: StatedConfidence.vocabulary
            case .decision: StatedConfidence.decisionVocabulary
            }
        }
    }

    /// One answer with its label: the prompt, the model's completion, whether it was right, and
    /// the decile the model should state after it (nil: none taught).
    public struct LabelledAnswer: Sendable, Equatable {
        /// The prompt's tokens.
        public var prompt: [Int]
        /// The completion's tokens (ending in <eos> when it finished).
        public var completion: [Int]
        /// Whether its answer was right.
        public var right: Bool
        /// The verbalized target, 0…10.
        public var decile: Int?
        /// The decision target, after the verbalized line.
        public var decision: DecisionLine.Action?

        /// A labelled answer.
        public init(prompt: [Int], completion: [Int], right: Bool, decile: Int? = nil, decision: DecisionLine.Action? = nil) {
            self.prompt = prompt
            self.completion = completion
            self.right = right
            self.decile = decile
            self.decision = decision
        }
    }

    /// CalibratedMath's targets: for each class, the share of its answers that were right,
    /// rounded to the nearest decile. `answers` pairs each answer's class with its correctness.
    public static func targets(_ answers: [(kind: String, right: Bool)]) -> [String: Int] {
        var counts: [String: (right: Int, all: Int)] = [:]
        for a in answers { counts[a.kind, default: (0, 0)].all += 1; if a.right { counts[a.kind]!.right += 1 } }
        return counts.mapValues { VerbalizedConfidence.decile(Double($0.right) / Double($0.all)) }
    }

    /// The example that teaches an answer's verbalized line: prompt, the completion without
    /// <eos>, "\n", "Confidence:", the decile, with `decision` "\n", "Decision:", the action,
    /// then <eos>; every completion token scored.
    static func verbalizedExample(_ answer: LabelledAnswer, decile: Int, decision: DecisionLine.Action? = nil,
                                  vocabulary: Vocabulary) -> TrainingExample {
        let body = answer.completion.filter { $0 != vocabulary.eos }
        let newline = vocabulary.id("\n")!
        var line = [newline, vocabulary.id(VerbalizedConfidence.marker)!, vocabulary.id(String(decile))!]
        if let decision { line += [newline, vocabulary.id(DecisionLine.marker)!, vocabulary.id(decision.rawValue)!] }
        return TrainingExample(tokens: answer.prompt + body + line + [vocabulary.eos], promptLength: answer.prompt.count)
    }

    /// The weight of the distillation term in `train`, against 1 for P(True)'s and the decile's
    /// terms. At 10 the held-out accuracy of five bases moved by at most a point while they learned.
    public static let defaultDistillation = 10.0

    /// The base's next-token distributions over each answer's own completion: for answer i,
    /// `Vbase` probabilities per completion token j (the distribution at the position that
    /// predicts it), row after row, from `model` (the base, before it learns any new token).
    static func referenceDistributions(_ model: TransformerModel, answers: [LabelledAnswer], pad: Int,
                                       batchSize: Int = 64) throws(ReasonerError) -> [[Float]] {
        let examples = answers.map { a in
            TrainingExample(tokens: a.prompt + a.completion, promptLength: a.prompt.count,
                            distilled: a.prompt.count..<(a.prompt.count + a.completion.count))
        }
        return try TrainingExample.attachingReferences(examples, from: model, pad: pad, batchSize: batchSize).map { $0.reference ?? [] }
    }

    /// Teaches `model` (extended to `teaching.vocabulary` if it lacks tokens) to state its
    /// confidence while it keeps answering as before. Each of `steps` steps draws `batchSize`
    /// answers with replacement from `answers` (stream `seed`, purpose `pTrueBatches`) and
    /// minimises the sum of:
    /// - the mean cross-entropy of P(True)'s yes/no token over the batch (a proper scoring rule);
    /// - over the finished answers' own tokens, the mean per token of `distillation` times the KL
    ///   divergence from `model`'s own next-token distribution (the base's logits distilled, so that
    ///   the answers stay those the targets were measured on: with the greedy tokens' cross-entropy
    ///   at weight 1 instead, held-out accuracy fell from 86% to 65% on one seed, and the stated
    ///   deciles, measured on the base, were too high), and the cross-entropy of the verbalized
    ///   line and <eos> after it when taught (without them the new tokens' logits rise at every
    ///   position and greedy answers run on into the question);
    /// - when taught, the mean cross-entropy of the stated decile over those answers, so that the
    ///   one token that carries the confidence is not outweighed by the answer's many.
    /// Returns the model.
    public static func train(_ model: TransformerModel, answers: [LabelledAnswer], teaching: Teaching, steps: Int, batchSize: Int,
                             learningRate: Float, distillation: Double = defaultDistillation, seed: UInt64, progress: ((Int, Double) -> Void)? = nil) throws(ReasonerError) -> TransformerModel {
        guard !answers.isEmpty else { throw .badProblem("a stated confidence needs labelled answers to learn from") }
        let vocabulary = teaching.vocabulary
        let baseV = model.configuration.vocabularySize
        guard answers.allSatisfy({ ($0.prompt + $0.completion).allSatisfy { $0 < baseV } }) else {
            throw .badProblem("a labelled answer holds a token the base does not know; label answers without their confidence lines")
        }
        let references = try referenceDistributions(model, answers: answers, pad: vocabulary.pad)
        let extra = vocabulary.count - baseV
        var policy = extra > 0 ? try model.extendingVocabulary(by: extra, seed: seed) : model
        let V = policy.configuration.vocabularySize
        let schedule = LearningRateSchedule(peak: learningRate, warmupSteps: min(50, steps / 10), totalSteps: steps)
        var optimizer = AdamW(parameterCount: policy.parameterCount)
        var workspace: TransformerWorkspace? = nil
        let verbalized: Bool, decides: Bool
        switch teaching {
        case .pTrue: (verbalized, decides) = (false, false)
        case .both: (verbalized, decides) = (true, false)
        case .decision: (verbalized, decides) = (true, true)
        }
        let indices = Array(answers.indices)
        for step in 0..<steps {
            let batch = SelfImprovementLoop.draw(batchSize, from: indices, iteration: 0, step: step, seed: seed, purpose: .pTrueBatches)
            let questions = batch.map { i in
                PTrue.example(prompt: answers[i].prompt, completion: answers[i].completion, right: answers[i].right, vocabulary: vocabulary)
            }
            // Each own example: the answer it is, and how many of its completion tokens are distilled.
            var own: [TrainingExample] = [], owners: [(answer: Int, distilled: Int)] = [], stated: [Bool] = [], decided: [Bool] = []
            for i in batch where answers[i].completion.last == vocabulary.eos {
                let a = answers[i]
                if verbalized, let d = a.decile {
                    let decision = decides ? a.decision : nil
                    own.append(verbalizedExample(a, decile: d, decision: decision, vocabulary: vocabulary))
                    owners.append((i, a.completion.count - 1)); stated.append(true); decided.append(decision != nil)
                } else {
                    own.append(TrainingExample(tokens: a.prompt + a.completion, promptLength: a.prompt.count))
                    owners.append((i, a.completion.count)); stated.append(false); decided.append(false)
                }
            }
            let examples = questions + own
            let ws = try TransformerWorkspace.fitting(examples, configuration: policy.configuration, reusing: workspace)
            workspace = ws
            let T = ws.T
            let (tokens, targets) = TrainingExample.batch(examples, length: T, pad: vocabulary.pad)
            var none: RandomStream? = nil
            _ = ws.forward(policy, tokens: tokens, targets: targets, dropout: &none)
            let losses = ws.positionLosses(), probabilities = ws.lastProbabilities
            let ownStart = questions.count * T
            let ownTokens = (ownStart..<examples.count * T).filter { targets[$0] >= 0 }.count
            let statedCount = stated.filter { $0 }.count
            var dlogits = [Float](repeating: 0, count: examples.count * T * V), loss = 0.0
            for k in 0..<(examples.count * T) where targets[k] >= 0 {
                var w = k < ownStart ? 1 / Double(questions.count) : 1 / Double(max(1, ownTokens))
                let row = k * V
                if k >= ownStart {
                    let b = (k - ownStart) / T, t = k % T, example = examples[questions.count + b]
                    // Completion token j is predicted at position promptLength − 1 + j.
                    let j = t - (example.promptLength - 1)
                    if j < owners[b].distilled {
                        let w = w * distillation
                        let reference = references[owners[b].answer], first = j * baseV
                        for v in 0..<V {
                            let q = v < baseV ? Double(reference[first + v]) : 0, p = Double(probabilities[row + v])
                            dlogits[row + v] = Float(w * (p - q))
                            if q > 0 { loss += w * q * (log(q) - log(max(p, 1e-30))) }
                        }
                        continue
                    }
                    // The decile is predicted two positions before the example's last token (five with
                    // a decision line, whose action is predicted there instead); each has its own term.
                    let n = example.tokens.count
                    if stated[b] && (t == n - 3 || (decided[b] && t == n - 6)) { w += 1 / Double(statedCount) }
                }
                for v in 0..<V { dlogits[row + v] = Float(w) * probabilities[row + v] }
                dlogits[row + Int(targets[k])] -= Float(w)
                loss += w * Double(losses[k])
            }
            ws.backward(policy, logitGradients: dlogits)
            optimizer.update(&policy, gradients: ws.gradients, learningRate: schedule.rate(at: step))
            progress?(step + 1, loss)
        }
        return policy
    }
}
