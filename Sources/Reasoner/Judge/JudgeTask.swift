/// The judge's task: read a problem and a candidate solution of the policy's task, and write a
/// `Judgment`. The gold judgment comes from the policy task's step checker, so any task that
/// checks its steps can be judged.
///
///     Input:
///     4 7 + 3 5
///     Candidate:
///     <scratch>
///     …
///     </scratch>
///     8 2
///     Judge:
///     Steps:
///     4 7 + 3 5 , C: 0 ok
///     …
///     8 2 ok
///     Wrong: none
///     Score: 5
package struct JudgeTask: Sendable {
    /// The task whose solutions are judged.
    package let task: any ReasoningTask

    package init(task: any ReasoningTask) { self.task = task }

    /// The tokens a judge needs beyond the task language.
    package static let extraTokens = ["Candidate:", "Judge:", "Steps:", "Wrong:", "Score:", "none"] + Judgment.Mark.allCases.map(\.rawValue)

    /// The judge's vocabulary: the standard vocabulary with the judge's tokens appended, so every
    /// standard token keeps its id (a policy's weights extend to a judge's by adding rows).
    package static let vocabulary = Vocabulary(tokens: Vocabulary.standard.tokens + extraTokens)

    /// The judge's prompt for a candidate completion (the policy's output, without <eos>).
    package func prompt(_ problem: Problem, candidate: String) -> String {
        "Input:\n\(problem.text)\nCandidate:\n\(candidate)\nJudge:\n"
    }

    /// The gold judgment of a candidate, or nil when the candidate is malformed (the task cannot
    /// parse it: there are no steps to judge, and a parser, not a judge, rejects it).
    package func gold(_ problem: Problem, candidate: String) -> Judgment? {
        guard let solution = task.parse(candidate) else { return nil }
        let gold = task.solve(problem)
        let steps = task.checkSteps(solution.rationale, of: problem) + [solution.answer == problem.answer]
        var marks: [Judgment.Mark] = steps.map { $0 ? .ok : .bad }
        var lines = solution.rationale + [solution.answer]
        let goldSteps = gold.rationale.count + 1
        if marks.count < goldSteps {
            marks += Array(repeating: .miss, count: goldSteps - marks.count)
            lines += Array(repeating: "", count: goldSteps - lines.count)
        }
        return Judgment(marks: marks, steps: lines)
    }
}
