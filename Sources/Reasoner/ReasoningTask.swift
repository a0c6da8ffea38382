import Foundation
import SafetyKitNumerics

/// A task with checkable rationales: it makes problems, renders prompts and gold targets, and
/// checks a model's output strictly (a malformed output is wrong, never a crash) and, where it
/// can, step by step. This is one of the Reasoner's real seams: a new task is one new type.
public protocol ReasoningTask: Sendable {
    /// The name used on the command line, e.g. "addition".
    var name: String { get }
    /// The difficulties the task supports (e.g. digit counts 1...8).
    var difficulties: ClosedRange<Int> { get }
    /// A random problem at a difficulty.
    func problem(difficulty: Int, using stream: inout RandomStream) -> Problem
    /// Reads a problem from its short text form (e.g. "12+34").
    func problem(parsing text: String) throws(ReasonerError) -> Problem
    /// The gold rationale lines (inside the scratchpad) and the answer.
    func solve(_ problem: Problem) -> Solution
    /// Which of the given rationale lines are correct steps for this problem. By default, the
    /// lines that equal the gold step at their position.
    func checkSteps(_ lines: [String], of problem: Problem) -> [Bool]
    /// How many distinct problems exist at a difficulty (as a Double: it can be astronomically large).
    func problemCount(difficulty: Int) -> Double
    /// The kind of problem a verbalized confidence is learned per (CalibratedMath's "question
    /// type"): problems of one class share one target, the model's accuracy on the class.
    /// By default, the difficulty.
    func confidenceClass(of problem: Problem) -> String
    /// What is wrong with a rationale line that differs from the gold step `gold`, for SELF's
    /// feedback. By default, read from where the line's tokens first differ.
    func fault(of line: String, against gold: String) -> StepFault
    /// The tokens the task writes beyond the standard vocabulary ("-", words), in a fixed order;
    /// none by default. A task's `vocabulary` is the standard one with these appended, so the
    /// standard tasks' models keep every id.
    var extraTokens: [String] { get }
}

/// A problem: its tokens for the prompt, its gold answer, and its difficulty.
public struct Problem: Sendable, Hashable, Codable {
    /// The problem as it appears after "Input:" (space-separated tokens).
    public var text: String
    /// The gold answer as it appears after "</scratch>".
    public var answer: String
    /// The problem's difficulty (digits or operations).
    public var difficulty: Int
    /// A compact form for files and the command line, e.g. "12+34".
    public var key: String

    /// A problem.
    public init(text: String, answer: String, difficulty: Int, key: String) {
        self.text = text
        self.answer = answer
        self.difficulty = difficulty
        self.key = key
    }
}

extension Problem {
    /// How many numbers have exactly d digits: 10 at d = 1 (0 counts), else 9·10^(d−1).
    static func numbers(ofDigits d: Int) -> Double { d == 1 ? 10 : 9 * pow(10, Double(d - 1)) }
}

/// A rationale (the scratchpad lines) and the final answer.
public struct Solution: Sendable, Equatable {
    /// The scratchpad lines.
    public var rationale: [String]
    /// The final answer line.
    public var answer: String
}

extension ReasoningTask {
    /// The difficulty, "d3".
    public func confidenceClass(of problem: Problem) -> String { "d\(problem.difficulty)" }

    /// Each line against the gold step at its position: a step is right when it is the gold one.
    public func checkSteps(_ lines: [String], of problem: Problem) -> [Bool] {
        let gold = solve(problem).rationale
        return lines.enumerated().map { i, line in i < gold.count && gold[i] == line }
    }

    /// None: the task writes only standard tokens.
    public var extraTokens: [String] { [] }

    /// The vocabulary a model of this task is made with: the standard one and `extraTokens`.
    public var vocabulary: Vocabulary { Vocabulary.standard.appending(extraTokens) }

    /// "Input:\n<problem>\nTarget:\n", optionally with a guideline to follow (ReGenesis's
    /// "Guide: plan") and a hint (STaR's rationalization) after "Target:", in that order.
    public func prompt(_ problem: Problem, hint: String? = nil, guideline: Guideline? = nil) -> String {
        "Input:\n\(problem.text)\nTarget:" + (guideline.map { " \(Guideline.marker) \($0.rawValue)" } ?? "")
            + (hint.map { " Hint: \($0)" } ?? "") + "\n"
    }

    /// The gold completion: the scratchpad, the answer, and the end marker (added by the tokenizer).
    public func target(_ problem: Problem) -> String {
        let solution = solve(problem)
        return "<scratch>\n" + solution.rationale.joined(separator: "\n") + "\n</scratch>\n" + solution.answer
    }

    /// Parses a completion strictly: "<scratch>", lines, "</scratch>", then the answer line, and
    /// optionally a verbalized confidence line and a decision line after it (taken off first,
    /// whatever they state). Returns nil for anything malformed.
    public func parse(_ completion: String) -> Solution? {
        var lines = DecisionLine.answerPart(completion).split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        while lines.last == "" { lines.removeLast() }
        guard lines.count >= 3, lines[0] == "<scratch>", let close = lines.firstIndex(of: "</scratch>"),
              close == lines.count - 2 else { return nil }
        let answer = lines[lines.count - 1]
        guard !answer.isEmpty, answer.split(separator: " ").allSatisfy({ $0.allSatisfy(\.isNumber) }) else { return nil }
        return Solution(rationale: Array(lines[1..<close]), answer: answer)
    }

    /// Whether a completion's answer is right.
    public func isCorrect(_ completion: String, for problem: Problem) -> Bool {
        parse(completion)?.answer == problem.answer
    }
}
