import SafetyKitNumerics

/// SELF's feedback and refinement at inference: after each response, the request for feedback
/// (`Feedback.request`), then greedy decoding of the feedback line and, after a fault, the
/// refinement. The feedback's confidence is the model's probability that its first word is
/// `accept`, against the other first words a feedback line can have.
public enum SelfRefinement {
    /// What the model wrote about one response.
    public struct Outcome: Sendable, Equatable {
        /// The feedback line read (nil when unreadable, or when the response leaves no room in
        /// the context for one).
        public var feedback: Feedback?
        /// P(accept) at the feedback's first token, normalised over the first words of the
        /// feedback forms (accept, step, answer, form); nil without room in the context.
        public var acceptProbability: Double?
        /// The refinement, when the feedback found a fault and one was written.
        public var refinement: String?
        /// Tokens generated.
        public var tokens: Int

        /// An outcome.
        public init(feedback: Feedback? = nil, acceptProbability: Double? = nil, refinement: String? = nil, tokens: Int = 0) {
            self.feedback = feedback
            self.acceptProbability = acceptProbability
            self.refinement = refinement
            self.tokens = tokens
        }

        /// The completion that stands: the refinement when the model's feedback found a fault
        /// and it wrote one, else the response.
        public func final(_ response: String) -> String {
            guard let feedback, !feedback.accepts, let refinement else { return response }
            return refinement
        }
    }

    /// The model's feedback on each (problem, response) and, after a fault, its refinement, in
    /// batches of `batchSize`; a continuation has at most `maxTokens` tokens. The vocabulary
    /// must hold the feedback format.
    public static func run(_ model: TransformerModel, task: any ReasoningTask, problems: [Problem], responses: [String],
                           vocabulary: Vocabulary, maxTokens: Int, batchSize: Int = 64) throws(ReasonerError) -> [Outcome] {
        precondition(problems.count == responses.count, "one response per problem")
        guard Feedback.isIn(vocabulary), model.configuration.vocabularySize >= vocabulary.count else {
            throw .badConfiguration("the model has no feedback format: its vocabulary lacks \(Feedback.tokens.joined(separator: ", "))")
        }
        let limit = model.configuration.contextLength
        var contexts: [[Int]?] = []
        for (problem, response) in zip(problems, responses) {
            let tokens = try vocabulary.encode(task.prompt(problem) + Feedback.request(after: response), context: "the response to \(problem.key)")
            contexts.append(tokens.count < limit ? tokens : nil)
        }
        let fitting = contexts.indices.filter { contexts[$0] != nil }
        let firstWords = ["accept", "step", "answer", "form"].map { vocabulary.id($0)! }
        let probabilities = try model.nextTokenProbabilities(after: fitting.map { contexts[$0]! }, of: firstWords, pad: vocabulary.pad,
                                                             batchSize: batchSize)
        let sampler = Sampler(temperature: 0, maxTokens: maxTokens)
        var samples: [Sampler.Sample] = []
        for start in stride(from: 0, to: fitting.count, by: max(1, batchSize)) {
            let batch = fitting[start..<min(fitting.count, start + max(1, batchSize))].map { contexts[$0]! }
            samples += sampler.generate(model, prompts: batch, eos: vocabulary.eos, seed: 0, firstStream: start)
        }
        var outcomes = problems.map { _ in Outcome() }
        for (k, i) in fitting.enumerated() {
            let p = probabilities[k], total = p.reduce(0, +)
            let written = Feedback.split(vocabulary.decode(samples[k].tokens))
            outcomes[i] = Outcome(feedback: written.feedback, acceptProbability: total > 0 ? p[0] / total : 0.25,
                                  refinement: samples[k].finished ? written.refinement : nil, tokens: samples[k].logProbabilities.count)
        }
        return outcomes
    }
}

/// The model's feedback on one answer beside the gold checker's, and how its refinement fared.
public struct FeedbackAudit: Sendable, Equatable {
    /// The feedback the model wrote (nil when unreadable or without room).
    public var written: Feedback?
    /// The gold checker's feedback (`Feedback.judge`).
    public var gold: Feedback
    /// The model's P(accept) (see `SelfRefinement.Outcome`).
    public var acceptProbability: Double?
    /// Whether the refinement is right, when one stands (the feedback found a fault and the
    /// model wrote one); nil when the answer stands as it was.
    public var refinedCorrect: Bool?
}

extension FeedbackAudit {
    /// The audit of `outcome`, the model's feedback on `response` to `problem`.
    public init(_ outcome: SelfRefinement.Outcome, response: String, problem: Problem, task: any ReasoningTask) {
        written = outcome.feedback
        gold = Feedback.judge(response, problem: problem, task: task)
        acceptProbability = outcome.acceptProbability
        let final = outcome.final(response)
        refinedCorrect = final == response ? nil : task.isCorrect(final, for: problem)
    }
}

/// SELF's feedback over many answers against the gold checker (nil where a share has no
/// denominator): of the answers the model flags (any feedback but accept), the share that are
/// wrong (`precision`); of the wrong answers, the share it flags (`recall`); of the flagged wrong
/// ones, the share whose feedback is the gold checker's, step and fault (`exact`); of the flagged
/// ones whose refinement stands, the share right (`refinementSuccess`); the accuracy of what
/// stands after refinement (`refinedAccuracy`); the share without a readable feedback line
/// (`missing`). "Wrong" is the gold checker's: any feedback but accept.
public struct FeedbackSummary: Sendable, Equatable {
    /// Of the flagged answers, the share wrong.
    public var precision: Double?
    /// Of the wrong answers, the share flagged.
    public var recall: Double?
    /// Of the flagged wrong answers, the share whose feedback is the gold checker's.
    public var exact: Double?
    /// Of the flagged answers whose refinement stands, the share right.
    public var refinementSuccess: Double?
    /// The accuracy of what stands after refinement.
    public var refinedAccuracy: Double?
    /// The share without a readable feedback line.
    public var missing: Double?

    /// The summary of `audits`, each with whether its answer, before refinement, is right.
    public init(_ audits: [(audit: FeedbackAudit, correct: Bool)]) {
        func share(_ a: Int, _ b: Int) -> Double? { b > 0 ? Double(a) / Double(b) : nil }
        let flagged = audits.filter { $0.audit.written.map { !$0.accepts } ?? false }
        let wrong = audits.filter { !$0.audit.gold.accepts }
        let flaggedWrong = flagged.filter { !$0.audit.gold.accepts }
        precision = share(flaggedWrong.count, flagged.count)
        recall = share(flaggedWrong.count, wrong.count)
        exact = share(flaggedWrong.filter { $0.audit.written == $0.audit.gold }.count, flaggedWrong.count)
        let refined = flagged.compactMap(\.audit.refinedCorrect)
        refinementSuccess = share(refined.filter { $0 }.count, refined.count)
        refinedAccuracy = share(audits.filter { $0.audit.refinedCorrect ?? $0.correct }.count, audits.count)
        missing = share(audits.filter { $0.audit.written == nil }.count, audits.count)
    }
}
