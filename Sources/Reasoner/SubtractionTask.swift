import Foundation
import SafetyKitNumerics

/// Subtraction with borrows, in addition's scratchpad layout: each line takes the next digit pair
/// from the right, writes the partial difference so far and the borrow (0 or 1); the last scratch
/// line is the difference without leading zeros. The minuend is never below the subtrahend, so
/// every answer is a natural number.
///
///     Input:
///     5 2 - 1 7
///     Target:
///     <scratch>
///     5 2 - 1 7 , B: 0
///     5 - 1 , 5 B: 1
///     , 3 5 B: 0
///     3 5
///     </scratch>
///     3 5
///
/// Difficulty is the digit count d: both operands have exactly d digits (generated as two such
/// numbers, the larger first). It writes "-" and "B:", which the standard vocabulary lacks.
public struct SubtractionTask: ReasoningTask {
    /// Subtraction with borrows.
    public init() {}

    public var name: String { "subtraction" }
    public var difficulties: ClosedRange<Int> { 1...8 }
    public var extraTokens: [String] { ["-", "B:"] }

    public func problem(difficulty: Int, using stream: inout RandomStream) -> Problem {
        func operand() -> [Int] {
            (0..<difficulty).map { i in i == 0 && difficulty > 1 ? 1 + stream.nextIndex(below: 9) : stream.nextIndex(below: 10) }
        }
        let (x, y) = (operand(), operand())
        // Equal lengths without leading zeros: the lexicographic order is the numeric one.
        return x.lexicographicallyPrecedes(y) ? make(y, x) : make(x, y)
    }

    public func problem(parsing text: String) throws(ReasonerError) -> Problem {
        let parts = text.replacingOccurrences(of: " ", with: "").split(separator: "-", omittingEmptySubsequences: false)
        guard parts.count == 2, parts.allSatisfy({ (1...8).contains($0.count) && $0.allSatisfy { $0.isASCII && $0.isNumber } }),
              let a = Int(parts[0]), let b = Int(parts[1]), a >= b else {
            throw .badProblem("cannot read '\(text)' as a subtraction problem; expected A-B with 1 to 8 digits each and A >= B, e.g. 52-17")
        }
        return make(parts[0].map { Int(String($0))! }, parts[1].map { Int(String($0))! })
    }

    func make(_ a: [Int], _ b: [Int]) -> Problem {
        let text = a.map(String.init).joined(separator: " ") + " - " + b.map(String.init).joined(separator: " ")
        let key = a.map(String.init).joined() + "-" + b.map(String.init).joined()
        return Problem(text: text, answer: Self.significant(Self.digits(of: a, minus: b)).map(String.init).joined(separator: " "),
                       difficulty: max(a.count, b.count), key: key)
    }

    /// The digits of a − b (a ≥ b) on max(|a|, |b|) places, leading zeros kept.
    static func digits(of a: [Int], minus b: [Int]) -> [Int] {
        var result: [Int] = [], borrow = 0
        for k in 0..<max(a.count, b.count) {
            let x = k < a.count ? a[a.count - 1 - k] : 0, y = k < b.count ? b[b.count - 1 - k] : 0
            let d = x - y - borrow
            result.insert((d + 10) % 10, at: 0)
            borrow = d < 0 ? 1 : 0
        }
        return result
    }

    /// Digits without leading zeros (0 stays "0").
    static func significant(_ digits: [Int]) -> [Int] {
        let kept = Array(digits.drop(while: { $0 == 0 }))
        return kept.isEmpty ? [0] : kept
    }

    public func solve(_ problem: Problem) -> Solution {
        let sides = problem.key.split(separator: "-")
        let a = sides[0].map { Int(String($0))! }, b = sides[1].map { Int(String($0))! }
        let length = max(a.count, b.count)
        func digit(_ x: [Int], _ k: Int) -> Int { k < x.count ? x[x.count - 1 - k] : 0 }
        var lines = ["\(problem.text) , B: 0"]
        var partial: [Int] = [], borrow = 0
        for k in 0..<length {
            let d = digit(a, k) - digit(b, k) - borrow
            partial.insert((d + 10) % 10, at: 0)
            borrow = d < 0 ? 1 : 0
            let next = k + 1 < length ? "\(digit(a, k + 1)) - \(digit(b, k + 1)) " : ""
            lines.append(next + ", " + partial.map(String.init).joined(separator: " ") + " B: \(borrow)")
        }
        lines.append(problem.answer)
        return Solution(rationale: lines, answer: problem.answer)
    }

    /// The digit count and the number of borrows, "d3 b2" (as addition counts its carries).
    public func confidenceClass(of problem: Problem) -> String {
        let borrows = solve(problem).rationale.dropFirst().filter { $0.hasSuffix("B: 1") }.count
        return "d\(problem.difficulty) b\(borrows)"
    }

    /// Ordered pairs a ≥ b of d-digit numbers: n(n + 1)/2 for the n = 10 (d = 1) or 9·10^(d−1) numbers.
    public func problemCount(difficulty d: Int) -> Double {
        let n = Problem.numbers(ofDigits: d)
        return n * (n + 1) / 2
    }
}
