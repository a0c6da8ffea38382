import Foundation
import SafetyKitNumerics

/// Multiplication of a number by one digit, with addition's scratchpad layout: each line takes
/// the next digit from the right, writes the partial product so far and the carry; the last
/// scratch line is the product. Its tokens are all in the standard vocabulary.
///
///     Input:
///     4 7 * 3
///     Target:
///     <scratch>
///     4 7 * 3 , C: 0
///     4 * 3 , 1 C: 2
///     , 4 1 C: 1
///     1 4 1
///     </scratch>
///     1 4 1
///
/// Difficulty is the digit count d of the first operand (exactly d digits); the multiplier is
/// one digit, 0–9. A carry here runs from 0 to 8.
public struct MultiplicationTask: ReasoningTask {
    /// Multiplication by one digit.
    public init() {}

    public var name: String { "multiplication" }
    public var difficulties: ClosedRange<Int> { 1...8 }

    public func problem(difficulty: Int, using stream: inout RandomStream) -> Problem {
        let digits = (0..<difficulty).map { i in i == 0 && difficulty > 1 ? 1 + stream.nextIndex(below: 9) : stream.nextIndex(below: 10) }
        var problem = make(digits, stream.nextIndex(below: 10))
        problem.difficulty = difficulty
        return problem
    }

    public func problem(parsing text: String) throws(ReasonerError) -> Problem {
        let parts = text.replacingOccurrences(of: " ", with: "").split(separator: "*", omittingEmptySubsequences: false)
        guard parts.count == 2, (1...8).contains(parts[0].count), parts[1].count == 1,
              parts.allSatisfy({ $0.allSatisfy { $0.isASCII && $0.isNumber } }) else {
            throw .badProblem("cannot read '\(text)' as a multiplication problem; expected A*b with 1 to 8 digits and one digit, e.g. 47*3")
        }
        return make(parts[0].map { Int(String($0))! }, Int(String(parts[1]))!)
    }

    func make(_ a: [Int], _ b: Int) -> Problem {
        let text = a.map(String.init).joined(separator: " ") + " * \(b)"
        return Problem(text: text, answer: Self.product(a, b).map(String.init).joined(separator: " "), difficulty: a.count,
                       key: a.map(String.init).joined() + "*\(b)")
    }

    /// The digits of a × b without leading zeros (0 is "0").
    static func product(_ a: [Int], _ b: Int) -> [Int] {
        var result: [Int] = [], carry = 0
        for x in a.reversed() {
            result.insert((x * b + carry) % 10, at: 0)
            carry = (x * b + carry) / 10
        }
        if carry > 0 { result.insert(carry, at: 0) }
        while result.count > 1 && result[0] == 0 { result.removeFirst() }
        return result
    }

    public func solve(_ problem: Problem) -> Solution {
        let sides = problem.key.split(separator: "*")
        let a = sides[0].map { Int(String($0))! }, b = Int(String(sides[1]))!
        var lines = ["\(problem.text) , C: 0"]
        var partial: [Int] = [], carry = 0
        for k in 0..<a.count {
            let x = a[a.count - 1 - k], value = x * b + carry
            partial.insert(value % 10, at: 0)
            carry = value / 10
            let next = k + 1 < a.count ? "\(a[a.count - 2 - k]) * \(b) " : ""
            lines.append(next + ", " + partial.map(String.init).joined(separator: " ") + " C: \(carry)")
        }
        lines.append(problem.answer)
        return Solution(rationale: lines, answer: problem.answer)
    }

    /// First operands of exactly d digits (10 at d = 1, else 9·10^(d−1)) times 10 multipliers.
    public func problemCount(difficulty d: Int) -> Double {
        Problem.numbers(ofDigits: d) * 10
    }
}
