/// A judge's verdict on a candidate solution (docs/reasoner.md, self-rationalization): the rationale,
/// which copies each step of the candidate and marks it, then the first wrong step and a 1–5 score.
///
/// Steps are the candidate's scratchpad lines followed by its answer line, numbered from 1. A
/// step is right when it equals the gold step at the same place (the task's `checkSteps`; the
/// answer step against the gold answer). When the candidate has fewer steps than the gold
/// solution, each missing step is marked `miss`.
///
/// The score is 1 + ⌊4·f⌋ with f = (steps right) / (steps marked): 5 only when every step is
/// right and none is missing, 1 when fewer than a quarter are.
///
///     Steps:
///     4 7 + 3 5 , C: 0 ok
///     4 + 3 , 2 C: 1 ok
///     , 9 2 C: 0 bad
///     9 2 bad
///     9 2 bad
///     Wrong: 3
///     Score: 2
///
/// Copying the step before marking it puts the line being checked, and the one before it, right
/// beside the mark: checking becomes as local as writing the next step is for the policy. (A first
/// design wrote the marks alone on one line; its judge learned each length's most common score
/// and could not tell right from wrong within a length: AUROC 0.50–0.51 at 3 and 4 digits.)
package struct Judgment: Sendable, Hashable, Codable {
    package enum Mark: String, Sendable, CaseIterable, Codable {
        case ok, bad, miss
    }

    /// One mark per candidate step, then one `miss` per step the candidate lacks.
    package var marks: [Mark]
    /// The copied steps, one per mark ("" for a missing step). Not checked when parsing: the
    /// metrics judge the marks, the first wrong step and the score.
    package var steps: [String]
    /// 1-based; nil when every step is right ("Wrong: none").
    package var firstWrongStep: Int?
    /// 1...5.
    package var score: Int

    package init(marks: [Mark], steps: [String]? = nil, firstWrongStep: Int?, score: Int) {
        self.marks = marks
        self.steps = steps ?? marks.map { _ in "" }
        self.firstWrongStep = firstWrongStep
        self.score = score
    }

    /// The judgment that follows from the marks (the gold judgment's construction).
    package init(marks: [Mark], steps: [String]? = nil) {
        let right = marks.filter { $0 == .ok }.count
        let share = marks.isEmpty ? 0 : Double(right) / Double(marks.count)
        self.init(marks: marks, steps: steps, firstWrongStep: marks.firstIndex { $0 != .ok }.map { $0 + 1 },
                  score: Self.score(fractionRight: share))
    }

    /// 1 + ⌊4·f⌋ for f in [0, 1]: the spec's mapping of the fraction of right steps to 1–5.
    package static func score(fractionRight f: Double) -> Int { 1 + min(4, Int((4 * max(0, f)).rounded(.down))) }

    /// The judgment as the judge writes it (space-separated tokens, one field per line).
    package var text: String {
        let wrong = firstWrongStep.map { String($0).map(String.init).joined(separator: " ") } ?? "none"
        let lines = zip(steps, marks).map { step, mark in step.isEmpty ? mark.rawValue : step + " " + mark.rawValue }
        return (["Steps:"] + lines + ["Wrong: \(wrong)", "Score: \(score)"]).joined(separator: "\n")
    }

    /// Reads a judge's output strictly: "Steps:", one line per step ending in a known mark, then
    /// the first wrong step in digits (or "none") and a score in 1...5. Anything else is nil. The
    /// fields are not required to agree with one another: a judge may name a first wrong step its
    /// own marks contradict, and the metrics count what it wrote.
    package static func parse(_ text: String) -> Judgment? {
        var lines = text.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        while lines.last == "" { lines.removeLast() }
        guard lines.count >= 3, lines[0] == "Steps:" else { return nil }
        var marks: [Mark] = [], steps: [String] = []
        for line in lines[1..<(lines.count - 2)] {
            var tokens = line.split(separator: " ").map(String.init)
            guard let last = tokens.popLast(), let mark = Mark(rawValue: last) else { return nil }
            marks.append(mark)
            steps.append(tokens.joined(separator: " "))
        }
        let wrongTokens = lines[lines.count - 2].split(separator: " ").map(String.init)
        let scoreTokens = lines[lines.count - 1].split(separator: " ").map(String.init)
        guard wrongTokens.first == "Wrong:", scoreTokens.first == "Score:" else { return nil }
        let wrong: Int?
        if Array(wrongTokens.dropFirst()) == ["none"] {
            wrong = nil
        } else {
            let digits = wrongTokens.dropFirst()
            guard !digits.isEmpty, digits.count <= 3, digits.allSatisfy({ $0.count == 1 && $0.allSatisfy(\.isNumber) }),
                  let n = Int(digits.joined()), n >= 1 else { return nil }
            wrong = n
        }
        guard scoreTokens.count == 2, let score = Int(scoreTokens[1]), (1...5).contains(score) else { return nil }
        return Judgment(marks: marks, steps: steps, firstWrongStep: wrong, score: score)
    }
}
