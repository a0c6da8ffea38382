/// Language feedback on a response, in SELF's format (Lu et al. 2023) at the reasoner's scale:
/// after a response, a line holding only `marker`, then one feedback line, and when the feedback
/// finds a fault, a line holding only `refineMarker` and the whole solution again, corrected.
///
///     Input:
///     4 7 + 3 8
///     Target:
///     <scratch>
///     4 7 + 3 8 , C: 0
///     4 + 3 , 4 C: 1          (wrong: 7 + 8 leaves 5)
///     ...
///     </scratch>
///     8 4
///     <feedback>
///     step 2 result
///     <refine>
///     <scratch>
///     ...
///     </scratch>
///     8 5
///
/// The feedback is one of: `accept` (every step and the answer right); `step N FAULT`, the first
/// wrong step (1-based, its number written digit by digit) and what is wrong with it; `answer`
/// (every step right, the answer line not); `form` (no solution can be read).
public enum Feedback: Sendable, Hashable {
    /// Every step and the answer are right.
    case accept
    /// Step n (1-based) is the first wrong one, for this reason.
    case step(Int, StepFault)
    /// Every step is right but the answer line is not.
    case answer
    /// The response cannot be read as a solution.
    case form

    /// The line that ends a response and asks for feedback.
    public static let marker = "<feedback>"
    /// The line between a fault and the refinement.
    public static let refineMarker = "<refine>"
    /// The tokens the format adds to a vocabulary: the two markers and the feedback's words.
    public static let tokens = [marker, refineMarker, "accept", "step", "answer", "form"] + StepFault.allCases.map(\.rawValue)

    /// Whether the feedback finds nothing wrong.
    public var accepts: Bool { self == .accept }

    /// The feedback line: "accept", "step 1 2 carry", "answer" or "form".
    public var line: String {
        switch self {
        case .accept: "accept"
        case let .step(n, fault): "step " + String(n).map(String.init).joined(separator: " ") + " " + fault.rawValue
        case .answer: "answer"
        case .form: "form"
        }
    }

    /// Reads a feedback line; nil when it is none of the forms.
    public init?(line: String) {
        let words = line.split(separator: " ").map(String.init)
        switch words.first {
        case "accept" where words.count == 1: self = .accept
        case "answer" where words.count == 1: self = .answer
        case "form" where words.count == 1: self = .form
        case "step" where words.count >= 3:
            let digits = words[1..<(words.count - 1)]
            guard digits.allSatisfy({ $0.count == 1 && $0.allSatisfy(\.isASCII) && $0.allSatisfy(\.isNumber) }), digits.first != "0",
                  let n = Int(digits.joined()), let fault = StepFault(rawValue: words[words.count - 1]) else { return nil }
            self = .step(n, fault)
        default: return nil
        }
    }

    /// The gold feedback on `completion` for `problem`: the task's step checker finds the first
    /// wrong step, the task names its fault against the gold step.
    public static func judge(_ completion: String, problem: Problem, task: any ReasoningTask) -> Feedback {
        guard let solution = task.parse(completion) else { return .form }
        let gold = task.solve(problem).rationale
        let right = task.checkSteps(solution.rationale, of: problem)
        if let j = right.firstIndex(of: false) {
            return .step(j + 1, j < gold.count ? task.fault(of: solution.rationale[j], against: gold[j]) : .shape)
        }
        if solution.rationale.count != gold.count { return .step(min(solution.rationale.count, gold.count) + 1, .shape) }
        return solution.answer == problem.answer ? .accept : .answer
    }

    /// The line that follows a response and asks for feedback, with its line breaks.
    public static let requestLine = "\n" + marker + "\n"
    /// A response followed by the request for feedback.
    public static func request(after response: String) -> String { response + requestLine }

    /// What follows the request: the feedback line, and after a fault the refinement.
    public static func continuation(_ feedback: Feedback, refinement: String?) -> String {
        guard !feedback.accepts, let refinement else { return feedback.line }
        return feedback.line + "\n" + refineMarker + "\n" + refinement
    }

    /// Splits what a model wrote after the request into its feedback (nil when the line is
    /// unreadable) and its refinement (nil when there is none).
    public static func split(_ continuation: String) -> (feedback: Feedback?, refinement: String?) {
        let lines = continuation.split(separator: "\n", maxSplits: 2, omittingEmptySubsequences: false).map(String.init)
        let feedback = lines.first.flatMap(Feedback.init(line:))
        guard lines.count == 3, lines[1] == refineMarker else { return (feedback, nil) }
        return (feedback, lines[2])
    }

    /// `vocabulary` with the format's tokens appended (the missing ones; every id is kept).
    public static func vocabulary(extending vocabulary: Vocabulary) -> Vocabulary {
        vocabulary.appending(tokens)
    }

    /// Whether a vocabulary holds the format.
    public static func isIn(_ vocabulary: Vocabulary) -> Bool { tokens.allSatisfy { vocabulary.id($0) != nil } }
}

/// What is wrong with a step, by the part of the line that first differs from the gold step.
public enum StepFault: String, Sendable, Hashable, CaseIterable {
    /// A digit or operand copied from the problem (before the line's "," or "=").
    case copy
    /// The value the step computes (between "," or "=" and "C:", or a line without them).
    case result
    /// The carry (after "C:").
    case carry
    /// The line has the wrong shape: another number of tokens, or a step too many or too few.
    case shape
}

extension ReasoningTask {
    /// The default reading of a step's fault: the part of the line, split at "," or "=" and at
    /// "C:" (a borrow's "B:" counts as a carry), where its first token differs from the gold
    /// step's; `shape` when the token counts differ.
    public func fault(of line: String, against gold: String) -> StepFault {
        let written = line.split(separator: " "), right = gold.split(separator: " ")
        guard written.count == right.count, let i = written.indices.first(where: { written[$0] != right[$0] }) else { return .shape }
        if let carry = right.firstIndex(where: { $0 == "C:" || $0 == "B:" }), i > carry { return .carry }
        if let separator = right.firstIndex(where: { $0 == "," || $0 == "=" }), i < separator { return .copy }
        return .result
    }
}
