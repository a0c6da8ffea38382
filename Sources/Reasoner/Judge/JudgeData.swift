/// One input to the judge: a problem, one of the policy's own completions for it, and what a
/// perfect judge would say.
package struct JudgeItem: Sendable, Equatable, Codable {
    package var problem: Problem
    /// The policy's completion (without <eos>); always parseable by the task.
    package var candidate: String
    package var gold: Judgment
    /// Whether the candidate's answer is right (the event the judge's score is a confidence in).
    package var correct: Bool
    /// exp(mean log p) of the candidate under the policy, its own confidence: the baseline ranking
    /// that best-of-k selection by the judge is compared with.
    package var policyConfidence: Double

    package init(problem: Problem, candidate: String, gold: Judgment, correct: Bool, policyConfidence: Double) {
        self.problem = problem
        self.candidate = candidate
        self.gold = gold
        self.correct = correct
        self.policyConfidence = policyConfidence
    }
}

/// A held-out problem with all k of the policy's samples, duplicates and malformed ones included:
/// the population best-of-k selection picks from.
package struct JudgeHeldOutProblem: Sendable, Equatable, Codable {
    package var problem: Problem
    /// The k completions in sampling order (a random order: ties in a ranking go to the earliest).
    package var samples: [String]
    /// Each sample's exp(mean log p) under the policy.
    package var confidences: [Double]
    /// Each sample's answer (nil when malformed) and whether it is right.
    package var answers: [String?]
    package var correct: [Bool]
}

/// Everything a judge run learns from and is measured on, drawn once from the policy and stored
/// with the run (RUN/candidates.json), so that every iteration and every resumed process judges
/// the same candidates.
package struct JudgeData: Sendable, Equatable, Codable {
    /// SFT's seed judgments.
    package var seed: [JudgeItem]
    /// Self-rationalization's inputs (their gold judgments are read only by gold pairing).
    package var pool: [JudgeItem]
    /// Held-out problems with the policy's k samples each.
    package var heldOut: [JudgeHeldOutProblem]
    /// The distinct parseable candidates of the held-out samples, judged at every iteration.
    package var heldOutItems: [JudgeItem]

    package init(seed: [JudgeItem], pool: [JudgeItem], heldOut: [JudgeHeldOutProblem], heldOutItems: [JudgeItem]) {
        self.seed = seed
        self.pool = pool
        self.heldOut = heldOut
        self.heldOutItems = heldOutItems
    }

    /// For each held-out problem, each sample's index in `heldOutItems` (nil when malformed).
    package var heldOutSampleItems: [[Int?]] {
        var index: [String: Int] = [:]
        for (i, item) in heldOutItems.enumerated() { index[item.problem.key + "\u{1}" + item.candidate] = i }
        return heldOut.map { p in p.samples.map { index[p.problem.key + "\u{1}" + $0] } }
    }
}
