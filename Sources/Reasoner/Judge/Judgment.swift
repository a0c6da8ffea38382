/// A judge's verdict on a candidate solution (reasoner.md, self-rationalization): a mark per step
/// (the rationale), the first wrong step, and a 1–5 score.
///
/// Steps are the candidate's scratchpad lines followed by its answer line, numbered from 1. A
/// step is right when it equals the gold step at the same place (the task's `checkSteps`; the
/// answer step against the gold answer). When the candidate has fewer steps than the gold
/// solution, each missing step is marked `miss`.
///
/// The score is 1 + ⌊4·f⌋ with f = (steps right) / (steps marked): 5 only when every step is
/// right and none is missing, 1 when fewer than a quarter are.
///
///     Steps: ok ok bad bad bad bad
///     Wrong: 3
///     Score: 2
public struct Judgment: Sendable, Hashable, Codable {
    public enum Mark: String, Sendable, CaseIterable, Codable {
        case ok, bad, miss
    }

    /// One mark per candidate step, then one `miss` per step the candidate lacks.
    public var marks: [Mark]
    /// 1-based; nil when every step is right ("Wrong: none").
    public var firstWrongStep: Int?
    /// 1...5.
    public var score: Int

    public init(marks: [Mark], firstWrongStep: Int?, score: Int) {
        self.marks = marks
        self.firstWrongStep = firstWrongStep
        self.score = score
    }

    /// The judgment that follows from the marks (the gold judgment's construction).
    public init(marks: [Mark]) {
        let right = marks.filter { $0 == .ok }.count
        let share = marks.isEmpty ? 0 : Double(right) / Double(marks.count)
        self.init(marks: marks, firstWrongStep: marks.firstIndex { $0 != .ok }.map { $0 + 1 },
                  score: Self.score(fractionRight: share))
    }

    /// 1 + ⌊4·f⌋ for f in [0, 1]: the spec's mapping of the fraction of right steps to 1–5.
    public static func score(fractionRight f: Double) -> Int { 1 + min(4, Int((4 * max(0, f)).rounded(.down))) }

    /// The judgment as the judge writes it (space-separated tokens, one field per line).
    public var text: String {
        let wrong = firstWrongStep.map { String($0).map(String.init).joined(separator: " ") } ?? "none"
        return "Steps: " + marks.map(\.rawValue).joined(separator: " ") + "\nWrong: \(wrong)\nScore: \(score)"
    }

    /// Reads a judge's output strictly: the three lines in order, known marks, a step number
    /// written in digits (or "none"), and a score in 1...5. Anything else is nil. The three
    /// fields are not required to agree with one another: a judge may name a first wrong step
    /// its own marks contradict, and the metrics count what it wrote.
    public static func parse(_ text: String) -> Judgment? {
        var lines = text.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        while lines.last == "" { lines.removeLast() }
        guard lines.count == 3 else { return nil }
        let fields = lines.map { $0.split(separator: " ").map(String.init) }
        guard fields[0].first == "Steps:", fields[1].first == "Wrong:", fields[2].first == "Score:" else { return nil }
        var marks: [Mark] = []
        for token in fields[0].dropFirst() {
            guard let mark = Mark(rawValue: token) else { return nil }
            marks.append(mark)
        }
        let wrongTokens = Array(fields[1].dropFirst())
        let wrong: Int?
        if wrongTokens == ["none"] {
            wrong = nil
        } else {
            guard !wrongTokens.isEmpty, wrongTokens.count <= 3, wrongTokens.allSatisfy({ $0.count == 1 && $0.allSatisfy(\.isNumber) }),
                  let n = Int(wrongTokens.joined()), n >= 1 else { return nil }
            wrong = n
        }
        guard fields[2].count == 2, let score = Int(fields[2][1]), (1...5).contains(score) else { return nil }
        return Judgment(marks: marks, firstWrongStep: wrong, score: score)
    }
}
