import SafetyKitNumerics

/// How a base learns to state its confidence (confidence-and-rl.md), end to end: the model answers
/// fresh problems greedily, each answer is labelled right or wrong, each kind of problem
/// (`ReasoningTask.confidenceClass`) gets its share right as the verbalized target, and
/// `StatedConfidence.train` teaches both confidences. `safetykit confidence` and the study's
/// stated start run this one recipe.
public struct StatedConfidenceRecipe: Sendable {
    /// What the model learns to state.
    public var teaching = StatedConfidence.Teaching.both
    /// Fresh labelling problems per difficulty (fewer where a difficulty runs out). With 500,
    /// P(True)'s held-out ECE stayed above 0.05 on one of two seeds tried; with 1000, below.
    public var problemsPerDifficulty = 1000
    /// Training steps on the labelled answers.
    public var steps = 600
    /// Answers per step.
    public var batchSize = 32
    /// Peak learning rate (warm-up, cosine decay).
    public var learningRate: Float = 3e-4
    /// The weight of distilling the base's next-token distributions on its own answers
    /// (`StatedConfidence.train`), which keeps its accuracy where the targets were measured.
    public var distillation = StatedConfidence.defaultDistillation
    /// With `.decision`: the action the model should take when its stated probability of being
    /// right is q (the off-switch game's optimum for that belief, which the caller solves).
    public var decide: (@Sendable (Double) -> DecisionLine.Action)? = nil

    /// The defaults.
    public init() {}

    /// The recipe's settings in one line (without `decide`, which the caller names), for telling
    /// apart bases made by different recipes.
    public var summary: String {
        "\(teaching.rawValue); \(problemsPerDifficulty) problems per difficulty; \(steps) steps of \(batchSize); "
            + "learning rate \(learningRate); distillation \(DecimalText.shortest(distillation))"
    }

    /// One answer the model gave: the labelled answer (its completion without a confidence line),
    /// the problem's difficulty and kind, and what its last line stated.
    public struct Answer: Sendable, Equatable {
        /// The prompt, the completion without its confidence line, and whether it was right.
        public var labelled: StatedConfidence.LabelledAnswer
        /// The problem's difficulty.
        public var difficulty: Int
        /// The problem's kind (`ReasoningTask.confidenceClass`).
        public var kind: String
        /// What the completion's confidence line stated.
        public var statement: VerbalizedConfidence.Statement
        /// What the completion's decision line decided.
        public var decision: DecisionLine.Statement = .absent
    }

    /// The recipe's result: the model, the answers it learned from and the targets per kind.
    public struct Outcome: Sendable {
        /// The model that states its confidence.
        public var model: TransformerModel
        /// The base's answers it learned from, with their targets.
        public var answers: [Answer]
        /// The verbalized target decile per kind of problem.
        public var targets: [String: Int]
    }

    /// `model`'s greedy answers to `problems`, labelled, each with the confidence its last line
    /// states (taken off the completion, which is what P(True) asks of).
    public static func answers(_ model: TransformerModel, task: any ReasoningTask, problems: [Problem], vocabulary: Vocabulary, seed: UInt64,
                               progress: ((Int) -> Void)? = nil) throws(ReasonerError) -> [Answer] {
        let prompts = try problems.map { p throws(ReasonerError) in try vocabulary.encode(task.prompt(p), context: "the prompt of \(p.key)") }
        // Room for the question after the longest prompt's answer: a completion cut there is wrong anyway.
        let room = max(1, model.configuration.contextLength - (prompts.map(\.count).max() ?? 0) - 3)
        let (_, records) = try Evaluation.run(model, task: task, problems: problems, sampler: Sampler(temperature: 0, maxTokens: room),
                                              vocabulary: vocabulary, seed: seed, progress: progress)
        var result: [Answer] = []
        for (prompt, r) in zip(prompts, records) {
            let (rest, decision) = DecisionLine.split(r.text)
            let (body, statement) = VerbalizedConfidence.split(rest)
            let completion = try vocabulary.encode(body) + (r.finished ? [vocabulary.eos] : [])
            result.append(Answer(labelled: .init(prompt: prompt, completion: completion, right: r.right), difficulty: r.problem.difficulty,
                                 kind: task.confidenceClass(of: r.problem), statement: statement, decision: decision))
        }
        return result
    }

    /// Runs the recipe on `model` (of the standard vocabulary): labelling problems at
    /// `difficulties` drawn from `seed`'s stream (purpose `pTrueProblems`), none of them in
    /// `excluding` (the held-out problems), then training from `seed`.
    public func teach(_ model: TransformerModel, task: any ReasoningTask, difficulties: [Int], excluding: Set<String>, seed: UInt64,
                      answering: ((Int, Int) -> Void)? = nil, training: ((Int, Double) -> Void)? = nil) throws(ReasonerError) -> Outcome {
        var taken = excluding
        let labelling = SelfImprovementLoop.draw(task: task, difficulties: difficulties, count: { _ in problemsPerDifficulty },
                                                 excluding: &taken, seed: seed, purpose: .pTrueProblems)
        var answers = try Self.answers(model, task: task, problems: labelling, vocabulary: .standard, seed: seed) { answering?($0, labelling.count) }
        let targets = StatedConfidence.targets(answers.map { ($0.kind, $0.labelled.right) })
        for i in answers.indices {
            let decile = targets[answers[i].kind]
            answers[i].labelled.decile = decile
            if case .decision = teaching, let decide, let decile { answers[i].labelled.decision = decide(Double(decile) / 10) }
        }
        let trained = try StatedConfidence.train(model, answers: answers.map(\.labelled), teaching: teaching, steps: steps, batchSize: batchSize,
                                                 learningRate: learningRate, distillation: distillation, seed: seed, progress: training)
        return Outcome(model: trained, answers: answers, targets: targets)
    }
}
