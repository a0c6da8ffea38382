import SafetyKitNumerics

/// What a method sees in one iteration: the current model, the task, and the pool of problems
/// to improve on, with helpers to sample from the model reproducibly.
public struct IterationContext {
    /// 1-based.
    public let iteration: Int
    /// The model the iteration starts from.
    public let model: TransformerModel
    /// The task.
    public let task: any ReasoningTask
    /// The problems to improve on. For a label-free method, their answers are blank.
    public let pool: [Problem]
    /// The vocabulary.
    public let vocabulary: Vocabulary
    /// The run's seed; every stream a method uses is derived from it, the iteration and a purpose.
    public let seed: UInt64
    /// Sequences per sampling batch.
    public let batchSize: Int
    /// The most tokens a completion may have: a little more than the longest gold completion, so
    /// a rambling sample stops early instead of filling the context.
    public let maxTokens: Int
    /// Called with the number of prompts sampled so far, for progress.
    public let progress: ((Int) -> Void)?
    /// Samples to hand out instead of the model's: (problems, k, sampler, hint) → [problem][sample].
    /// Tests script the methods' selection logic with it.
    package var script: (([Problem], Int, Sampler, Bool) -> [[Attempt]])?
    /// As `script`, also told the guideline the prompts carry (ReGenesis); used before `script`.
    package var guidedScript: (([Problem], Int, Sampler, Bool, Guideline?) -> [[Attempt]])?
    /// The run's seed set, gold rationales the base was made from (ReGenesis shows its
    /// guidelines on them); empty when the loop has none.
    public var seedSet: [Problem] = []
    /// Continuations to hand out instead of the model's: prompts → one sample each.
    package var continuationScript: (([[Int]]) -> [Sampler.Sample])?
    /// Feedback to hand out instead of the model's: (problems, responses) → one outcome each.
    package var refinementScript: (([Problem], [String]) -> [SelfRefinement.Outcome])?

    /// The context of one iteration.
    public init(iteration: Int, model: TransformerModel, task: any ReasoningTask, pool: [Problem], vocabulary: Vocabulary,
                seed: UInt64, batchSize: Int = 128, maxTokens: Int = 256, progress: ((Int) -> Void)? = nil) {
        self.iteration = iteration
        self.model = model
        self.task = task
        self.pool = pool
        self.vocabulary = vocabulary
        self.seed = seed
        self.batchSize = batchSize
        self.maxTokens = maxTokens
        self.progress = progress
    }

    /// A seed for one purpose in this iteration; with `part`, for one of several independent
    /// draws of that purpose (B-STaR's temperatures), from substreams rather than neighbouring
    /// purposes.
    public func seed(for purpose: StreamPurpose, part: Int? = nil) -> UInt64 {
        let stream = RandomStream(seed: seed, purpose: purpose).substream(UInt64(iteration))
        return part.map { stream.substream(UInt64($0)).key } ?? stream.key
    }

    /// One continuation of each token prompt, sampled with `sampler` until `stop` (which is not
    /// included) or its token limit, in batches of `batchSize`; prompt i draws from stream i of
    /// the purpose's seed.
    public func continuations(_ prompts: [[Int]], sampler: Sampler, stop: Int, purpose: StreamPurpose) -> [Sampler.Sample] {
        if let continuationScript { return continuationScript(prompts) }
        let seed = seed(for: purpose)
        var result: [Sampler.Sample] = []
        result.reserveCapacity(prompts.count)
        for start in stride(from: 0, to: prompts.count, by: batchSize) {
            let end = min(prompts.count, start + batchSize)
            result += sampler.generate(model, prompts: Array(prompts[start..<end]), eos: stop, seed: seed, firstStream: start)
        }
        return result
    }

    /// SELF's feedback on each response and, after a fault, its refinement (greedy; see
    /// `SelfRefinement`), a continuation having at most `maxTokens` tokens.
    public func refine(_ problems: [Problem], responses: [String], maxTokens: Int) throws(ReasonerError) -> [SelfRefinement.Outcome] {
        if let refinementScript { return refinementScript(problems, responses) }
        return try SelfRefinement.run(model, task: task, problems: problems, responses: responses, vocabulary: vocabulary,
                                      maxTokens: maxTokens, batchSize: batchSize)
    }

    /// k completions per problem, sampled with `sampler`, from the plain prompt or the hinted one,
    /// under `guideline` when one is given. Result [i][j] is problem i's j-th sample.
    public func sample(_ problems: [Problem], k: Int, sampler: Sampler, hint: Bool = false, guideline: Guideline? = nil,
                       purpose: StreamPurpose, part: Int? = nil) throws(ReasonerError) -> [[Attempt]] {
        if let guidedScript { return guidedScript(problems, k, sampler, hint, guideline) }
        if let script { return script(problems, k, sampler, hint) }
        var sampler = sampler
        sampler.maxTokens = min(sampler.maxTokens, maxTokens)
        return try Attempt.sample(model, task: task, problems: problems, k: k, sampler: sampler, hint: hint, guideline: guideline,
                                  vocabulary: vocabulary, seed: seed(for: purpose, part: part), batchSize: batchSize, progress: progress)
    }
}

/// One sampled completion, parsed.
public struct Attempt: Sendable, Equatable {
    /// The completion's text (without <eos>).
    public var completion: String
    /// The parsed rationale and answer; nil if malformed or cut off before <eos>.
    public var solution: Solution?
    /// Per-token log-probabilities (temperature 1), <eos> included when the sample finished.
    public var logProbabilities: [Float]
    /// Per-token entropies of the model's distribution (nats).
    public var entropies: [Float]
    /// Tokens of the answer line, for the answer-only confidence.
    public var answerTokenCount: Int
    /// Tokens before the verbalized confidence line (all of them, without <eos>, when there is
    /// none): the sequence and answer confidences are read over these and the token that ends them.
    public var bodyTokenCount: Int
    /// What the completion's confidence line states.
    public var statement: VerbalizedConfidence.Statement
    /// What the completion's decision line decides.
    public var decision: DecisionLine.Statement

    /// The parsed final answer (nil for a malformed completion).
    public var answer: String? { solution?.answer }

    /// A finished completion as a task parses it (for scripted samples and tests).
    public init(completion: String, task: any ReasoningTask, logProbabilities: [Float] = [], entropies: [Float] = []) {
        self.init(completion: completion, solution: task.parse(completion), logProbabilities: logProbabilities, entropies: entropies)
    }

    /// A completion with its parse; the answer, body and confidence line are read off its text.
    init(completion: String, solution: Solution?, logProbabilities: [Float], entropies: [Float]) {
        self.completion = completion
        self.solution = solution
        self.logProbabilities = logProbabilities
        self.entropies = entropies
        let (rest, decision) = DecisionLine.split(completion)
        let (body, statement) = VerbalizedConfidence.split(rest)
        self.statement = statement
        self.decision = decision
        let lines = body.split(separator: "\n", omittingEmptySubsequences: false)
        answerTokenCount = lines.last?.split(separator: " ").count ?? 0
        // decode joins a line's tokens by spaces and writes each line-break token as "\n".
        bodyTokenCount = lines.reduce(lines.count - 1) { $0 + $1.split(separator: " ").count }
    }

    /// Whether the answer equals `gold` (a malformed completion is wrong).
    public func isCorrect(_ gold: String) -> Bool { solution?.answer == gold }

    /// exp(mean log p) over the completion's tokens.
    public var sequenceConfidence: Double { CompletionScorer.confidences(bodyLogProbabilities, answerTokens: answerTokenCount).sequence }
    /// p(answer tokens and the token that ends them | prompt, rationale): <eos>, or the line
    /// break before a verbalized confidence.
    public var answerConfidence: Double { CompletionScorer.confidences(bodyLogProbabilities, answerTokens: answerTokenCount).answer }
    /// The log-probabilities of the body's tokens and of the one token after it.
    var bodyLogProbabilities: ArraySlice<Float> { logProbabilities.prefix(bodyTokenCount + 1) }

    /// k samples for each problem; sequence (i, j) draws from stream i·k + j of `seed` whatever
    /// the batch size.
    static func sample(_ model: TransformerModel, task: any ReasoningTask, problems: [Problem], k: Int, sampler: Sampler, hint: Bool,
                       guideline: Guideline? = nil, vocabulary: Vocabulary, seed: UInt64, batchSize: Int,
                       progress: ((Int) -> Void)?) throws(ReasonerError) -> [[Attempt]] {
        var prompts: [[Int]] = []
        prompts.reserveCapacity(problems.count * k)
        for p in problems {
            let prompt = try vocabulary.encode(task.prompt(p, hint: hint ? p.answer : nil, guideline: guideline), context: "the prompt of \(p.key)")
            for _ in 0..<k { prompts.append(prompt) }
        }
        var result: [[Attempt]] = problems.map { _ in [] }
        for start in stride(from: 0, to: prompts.count, by: batchSize) {
            let end = min(prompts.count, start + batchSize)
            let samples = sampler.generate(model, prompts: Array(prompts[start..<end]), eos: vocabulary.eos, seed: seed, firstStream: start)
            for (offset, s) in samples.enumerated() {
                let text = vocabulary.decode(s.tokens)
                let solution = s.finished ? task.parse(text) : nil
                result[(start + offset) / k].append(Attempt(completion: text, solution: solution, logProbabilities: s.logProbabilities,
                                                            entropies: s.entropies))
            }
            progress?(end / k)
        }
        return result
    }
}
