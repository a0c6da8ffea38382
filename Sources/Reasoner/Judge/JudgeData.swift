/// One input to the judge: a problem, one of the policy's own completions for it, and what a
/// perfect judge would say.
public struct JudgeItem: Sendable, Equatable, Codable {
    public var problem: Problem
    /// The policy's completion (without <eos>); always parseable by the task.
    public var candidate: String
    public var gold: Judgment
    /// Whether the candidate's answer is right (the event the judge's score is a confidence in).
    public var correct: Bool
    /// exp(mean log p) of the candidate under the policy, its own confidence: the baseline ranking
    /// that best-of-k selection by the judge is compared with.
    public var policyConfidence: Double

    public init(problem: Problem, candidate: String, gold: Judgment, correct: Bool, policyConfidence: Double) {
        self.problem = problem
        self.candidate = candidate
        self.gold = gold
        self.correct = correct
        self.policyConfidence = policyConfidence
    }
}

/// A held-out problem with all k of the policy's samples, duplicates and malformed ones included:
/// the population best-of-k selection picks from.
public struct JudgeHeldOutProblem: Sendable, Equatable, Codable {
    public var problem: Problem
    /// The k completions in sampling order (a random order: ties in a ranking go to the earliest).
    public var samples: [String]
    /// Each sample's exp(mean log p) under the policy.
    public var confidences: [Double]
    /// Each sample's answer (nil when malformed) and whether it is right.
    public var answers: [String?]
    public var correct: [Bool]
}

/// Everything a judge run learns from and is measured on, drawn once from the policy and stored
/// with the run (RUN/candidates.json), so that every iteration and every resumed process judges
/// the same candidates.
public struct JudgeData: Sendable, Equatable, Codable {
    /// SFT's seed judgments.
    public var seed: [JudgeItem]
    /// Self-rationalization's inputs (their gold judgments are read only by gold pairing).
    public var pool: [JudgeItem]
    /// Held-out problems with the policy's k samples each.
    public var heldOut: [JudgeHeldOutProblem]
    /// The distinct parseable candidates of the held-out samples, judged at every iteration.
    public var heldOutItems: [JudgeItem]

    public init(seed: [JudgeItem], pool: [JudgeItem], heldOut: [JudgeHeldOutProblem], heldOutItems: [JudgeItem]) {
        self.seed = seed
        self.pool = pool
        self.heldOut = heldOut
        self.heldOutItems = heldOutItems
    }

    /// For each held-out problem, each sample's index in `heldOutItems` (nil when malformed).
    public var heldOutSampleItems: [[Int?]] {
        var index: [String: Int] = [:]
        for (i, item) in heldOutItems.enumerated() { index[item.problem.key + "\u{1}" + item.candidate] = i }
        return heldOut.map { p in p.samples.map { index[p.problem.key + "\u{1}" + $0] } }
    }
}
