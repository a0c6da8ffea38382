import Foundation
import SafetyKitNumerics

/// How a model is measured on held-out problems in every iteration: one greedy answer per
/// problem (its accuracy, sequence and answer confidences), and k samples at a temperature
/// (majority vote, pass@k, exploration and exploitation metrics, entropy).
public struct HeldOutEvaluation: Sendable {
    /// Samples per problem (n in the pass@k estimator, K in Pass@K-S and Best-of-K).
    public var samples = 8
    /// The sampling temperature.
    public var temperature: Float = 0.7
    /// k of the reported pass@k (at most `samples`).
    public var passK = 4
    /// S of Pass@K-S and Reward@K-S.
    public var uniqueCorrect = 2

    /// An evaluation.
    public init(samples: Int = 8, temperature: Float = 0.7, passK: Int = 4, uniqueCorrect: Int = 2) {
        self.samples = samples
        self.temperature = temperature
        self.passK = passK
        self.uniqueCorrect = uniqueCorrect
    }

    /// Measures `model` on `problems`; the samples come from `seed`.
    public func run(_ model: TransformerModel, task: any ReasoningTask, problems: [Problem], vocabulary: Vocabulary, seed: UInt64,
                    batchSize: Int = 128, maxTokens: Int = 256, progress: ((Int) -> Void)? = nil) throws(ReasonerError) -> [HeldOutRecord] {
        let greedy = try Attempt.sample(model, task: task, problems: problems, k: 1, sampler: Sampler(temperature: 0, maxTokens: maxTokens), hint: false,
                                        vocabulary: vocabulary, seed: seed, batchSize: batchSize, progress: nil)
        let sampled = samples > 0
            ? try Attempt.sample(model, task: task, problems: problems, k: samples, sampler: Sampler(temperature: temperature, maxTokens: maxTokens), hint: false,
                                 vocabulary: vocabulary, seed: RandomStream(seed: seed, stream: 1).key, batchSize: batchSize, progress: progress)
            : problems.map { _ in [] }
        var records = problems.indices.map { i in HeldOutRecord(problem: problems[i], greedy: greedy[i][0], samples: sampled[i], evaluation: self) }
        // The greedy answer's steps against the gold ones (with S^3c-Math's corrections read out).
        for i in records.indices {
            records[i].steps = records[i].greedy.solution.map { SelfCorrection.audit($0.rationale, gold: task.solve(problems[i]).rationale) }
        }
        // The stated confidences, where the model's vocabulary has them.
        if StatedConfidence.hasVerbalized(vocabulary) {
            for i in records.indices { records[i].verbalized = records[i].greedy.statement }
        }
        if StatedConfidence.hasDecision(vocabulary) {
            for i in records.indices { records[i].decision = records[i].greedy.decision }
        }
        // SELF's feedback on the greedy answer, and its refinement, where the model writes them.
        if Feedback.isIn(vocabulary) {
            let responses = records.map(\.greedy.completion)
            let outcomes = try SelfRefinement.run(model, task: task, problems: problems, responses: responses, vocabulary: vocabulary,
                                                  maxTokens: maxTokens + 8, batchSize: batchSize)
            for i in records.indices { records[i].feedback = FeedbackAudit(outcomes[i], response: responses[i], problem: problems[i], task: task) }
        }
        if StatedConfidence.hasPTrue(vocabulary) {
            let prompts = try problems.map { p throws(ReasonerError) in try vocabulary.encode(task.prompt(p), context: "the prompt of \(p.key)") }
            let completions = try records.map { r throws(ReasonerError) in try vocabulary.encode(r.greedy.completion, context: "a greedy completion") }
            let p = try PTrue.probabilities(model, prompts: prompts, completions: completions, vocabulary: vocabulary, batchSize: batchSize)
            for i in records.indices { records[i].pTrue = p[i] }
        }
        return records
    }
}

/// One held-out problem's measurements in one iteration.
public struct HeldOutRecord: Sendable {
    public var problem: Problem
    /// The greedy completion and whether its answer is right.
    public var greedy: Attempt
    /// Whether the greedy completion's answer is right.
    public var greedyCorrect: Bool
    /// Of the k samples: how many are right, how many distinct completions, how many distinct
    /// right ones.
    public var sampleCount: Int
    /// (see `sampleCount`)
    public var correctSamples: Int
    /// (see `sampleCount`)
    public var distinctCompletions: Int
    /// (see `sampleCount`)
    public var distinctCorrect: Int
    /// Pass@K-S: at least S distinct right completions among the K samples.
    public var passAtKS: Bool
    /// The majority answer of the samples (nil if none parsed), its vote share, and whether it is right.
    public var majority: MajorityVote?
    /// (see `majority`)
    public var majorityCorrect: Bool
    /// Samples ranked by the model's own mean log-probability: is the top one right (Best-of-K),
    /// and are the top S all right (Reward@K-S)?
    public var bestOfKCorrect: Bool
    /// (see `bestOfKCorrect`)
    public var topSCorrect: Bool
    /// Σ and count of the token entropies of the samples.
    public var entropySum: Double
    /// (see `entropySum`)
    public var sampledTokens: Int
    /// pass@k by the unbiased estimator, for the evaluation's k.
    public var passAtK: Double
    /// P(True) of the greedy answer; nil when the model's vocabulary has no P(True) question.
    public var pTrue: Double?
    /// What the greedy completion states as its confidence; nil when the model's vocabulary has
    /// no verbalized confidence line.
    public var verbalized: VerbalizedConfidence.Statement?
    /// What the greedy completion decides on its decision line; nil when the model's vocabulary
    /// has no decision line.
    public var decision: DecisionLine.Statement?
    /// The greedy completion's steps against the task's gold steps (nil when it does not parse):
    /// its errors, the corrections after them and the kept steps.
    public var steps: SelfCorrection.StepAudit?
    /// The model's feedback on its greedy answer against the gold checker's, and its
    /// refinement's fate; nil when the model's vocabulary has no feedback format.
    public var feedback: FeedbackAudit?

    init(problem: Problem, greedy: Attempt, samples: [Attempt], evaluation: HeldOutEvaluation) {
        self.problem = problem
        self.greedy = greedy
        greedyCorrect = greedy.isCorrect(problem.answer)
        sampleCount = samples.count
        let right = samples.map { $0.isCorrect(problem.answer) }
        correctSamples = right.filter { $0 }.count
        distinctCompletions = Set(samples.map(\.completion)).count
        distinctCorrect = Set(zip(samples, right).filter(\.1).map(\.0.completion)).count
        passAtKS = distinctCorrect >= evaluation.uniqueCorrect
        majority = MajorityVote(samples.map(\.answer))
        majorityCorrect = majority?.answer == problem.answer
        // Rank by mean log-probability (higher first); ties keep sampling order.
        let ranked = samples.indices.sorted { a, b in
            let (x, y) = (samples[a].meanLogProbability, samples[b].meanLogProbability)
            return x > y || (x == y && a < b)
        }
        bestOfKCorrect = ranked.first.map { right[$0] } ?? false
        let s = evaluation.uniqueCorrect
        topSCorrect = ranked.count >= s && ranked.prefix(s).allSatisfy { right[$0] }
        entropySum = samples.reduce(0.0) { $0 + $1.entropies.reduce(0.0) { $0 + Double($1) } }
        sampledTokens = samples.reduce(0) { $0 + $1.entropies.count }
        passAtK = PassAtK.estimate(n: samples.count, correct: correctSamples, k: min(evaluation.passK, samples.count))
    }
}

extension Attempt {
    /// Mean log-probability per token (−∞ for an empty completion).
    public var meanLogProbability: Double {
        logProbabilities.isEmpty ? -.infinity : logProbabilities.reduce(0.0) { $0 + Double($1) } / Double(logProbabilities.count)
    }
}

/// The unbiased pass@k estimator (Chen et al. 2021): 1 − C(n−c, k)/C(n, k), the chance that k
/// of n samples drawn without replacement include a right one, computed as a product to avoid
/// large binomials.
public enum PassAtK {
    /// The unbiased pass@k estimate 1 − C(n − c, k)/C(n, k) from n samples with c right.
    public static func estimate(n: Int, correct c: Int, k: Int) -> Double {
        guard k > 0, n > 0, c > 0 else { return 0 }
        if n - c < k { return 1 }
        var missAll = 1.0
        for i in (n - c + 1)...n { missAll *= 1 - Double(k) / Double(i) }
        return 1 - missAll
    }
}
