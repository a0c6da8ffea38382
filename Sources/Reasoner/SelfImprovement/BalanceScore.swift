/// B-STaR's balance score for one (temperature, threshold) configuration over a query set:
/// bs_q = min(n'_q / n*, 1) · n'_q / n_q, with n_q the responses selected for query q, n'_q the
/// unique correct ones among them, and n* = ⌈N / M⌉ (N selected over all M queries); BS is the
/// mean over queries. A query with nothing selected scores 0.
public enum BalanceScore {
    /// `selected[q]` lists query q's selected responses as (completion, correct).
    public static func score(_ selected: [[(completion: String, correct: Bool)]]) -> Double {
        guard !selected.isEmpty else { return 0 }
        let total = selected.reduce(0) { $0 + $1.count }
        let target = max(1, (total + selected.count - 1) / selected.count)
        var sum = 0.0
        for responses in selected where !responses.isEmpty {
            let uniqueCorrect = Set(responses.filter(\.correct).map(\.completion)).count
            sum += min(Double(uniqueCorrect) / Double(target), 1) * Double(uniqueCorrect) / Double(responses.count)
        }
        return sum / Double(selected.count)
    }
}

/// The reward B-STaR filters on: 1[answer right] + r_prm, where the process reward r_prm is the
/// minimum step score, each step scored 1 if the task's checker accepts it and 0 if not, mapped
/// to [−1, 1]. A malformed completion has no valid step: r_prm = −1.
public enum ProcessReward {
    /// A response's reward: its answer's correctness plus its steps' (see the type's documentation).
    public static func reward(_ attempt: Attempt, problem: Problem, task: any ReasoningTask) -> Double {
        let outcome = attempt.isCorrect(problem.answer) ? 1.0 : 0.0
        guard let solution = attempt.solution, !solution.rationale.isEmpty else { return outcome - 1 }
        let steps = task.checkSteps(solution.rationale, of: problem)
        let minimum = steps.allSatisfy { $0 } ? 1.0 : 0.0
        return outcome + (2 * minimum - 1)
    }

    /// The share of a completion's steps the checker accepts (0 for a malformed one).
    public static func stepAccuracy(_ attempt: Attempt, problem: Problem, task: any ReasoningTask) -> Double {
        guard let solution = attempt.solution, !solution.rationale.isEmpty else { return 0 }
        let steps = task.checkSteps(solution.rationale, of: problem)
        return Double(steps.filter { $0 }.count) / Double(steps.count)
    }
}
