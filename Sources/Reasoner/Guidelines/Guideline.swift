/// A general reasoning guideline, ReGenesis's starting point (Peng et al. 2024): task-agnostic
/// advice that the model turns into a reasoning structure for the task at hand and then into a
/// path. At the reasoner's scale a guideline is a token after "Target:" ("Target: Guide: plan"),
/// and each one rewrites any task's steps in a way of its own, so that a from-scratch model can be
/// shown it on a few problems of every task:
///
///     Input:
///     4 7 + 3 8
///     Target: Guide: plan
///     <scratch>
///     plan 4                     ← the structure: how many steps the path takes
///     4 7 + 3 8 , C: 0
///     4 + 3 , 5 C: 1
///     , 8 5 C: 0
///     8 5
///     </scratch>
///     8 5
///
/// A path's first scratch line is its structure where the guideline has one (`plan`, `restate`).
public enum Guideline: String, CaseIterable, Sendable, Codable {
    /// Work it step by step in the task's order: the task's own scratchpad.
    case forward
    /// Say how many steps it takes ("plan 4"), then take them.
    case plan
    /// Write only each step's result: every line from its "," or "=" on, the copies left out.
    case short
    /// Restate the problem first (its text as the first line), then work it.
    case restate

    /// The token that introduces a guideline in a prompt.
    public static let marker = "Guide:"

    /// The tokens a model needs to read guidelines and write their structures ("plan" doubles as
    /// the structure line's word).
    public static let tokens = [marker] + allCases.map(\.rawValue)

    /// The guideline in words, for --help and the README.
    public var advice: String {
        switch self {
        case .forward: "work it step by step, in the task's order"
        case .plan: "say how many steps it takes, then take them"
        case .short: "write only each step's result"
        case .restate: "restate the problem, then work it"
        }
    }

    /// The gold path under this guideline: the task's steps rewritten, in the scratchpad, then the answer.
    public func completion(for problem: Problem, task: any ReasoningTask) -> String {
        let solution = task.solve(problem)
        let lines: [String]
        switch self {
        case .forward:
            lines = solution.rationale
        case .plan:
            let count = String(solution.rationale.count).map(String.init).joined(separator: " ")
            lines = ["plan \(count)"] + solution.rationale
        case .short:
            lines = solution.rationale.map(Self.result)
        case .restate:
            lines = [problem.text] + solution.rationale
        }
        return "<scratch>\n" + lines.joined(separator: "\n") + "\n</scratch>\n" + solution.answer
    }

    /// A step's result: from its first "," or "=" on ("6 + 9 , 8 C: 0" → ", 8 C: 0"); the whole
    /// line when it has neither (a final result line).
    static func result(_ line: String) -> String {
        let tokens = line.split(separator: " ")
        guard let i = tokens.firstIndex(where: { $0 == "," || $0 == "=" }) else { return line }
        return tokens[i...].joined(separator: " ")
    }

    /// Whether a vocabulary can write every guideline (a base shown them, or extended to them).
    public static func isIn(_ vocabulary: Vocabulary) -> Bool { tokens.allSatisfy { vocabulary.id($0) != nil } }
}
