import SafetyKitNumerics

/// A chain of additions and multiplications modulo m, writing every intermediate value:
///
///     Input:
///     3 + 4 * 5 + 2 mod 7
///     Target:
///     <scratch>
///     3 + 4 = 0
///     0 * 5 = 0
///     0 + 2 = 2
///     </scratch>
///     2
///
/// The chain is evaluated strictly **left to right**, reducing mod m after every operation, with
/// no operator precedence: `3 + 4 * 5 mod 7` is ((3 + 4) mod 7) · 5 mod 7 = 0, not 23 mod 7 = 2.
/// Operands are single digits, the modulus is 2 to 9, and difficulty is the number of operations.
public struct ModularChainTask: ReasoningTask {
    /// The modular chain task.
    public init() {}
    public var name: String { "modchain" }
    public var difficulties: ClosedRange<Int> { 1...8 }

    public func problem(difficulty: Int, using stream: inout RandomStream) -> Problem {
        let modulus = 2 + stream.nextIndex(below: 8)
        let start = stream.nextIndex(below: 10)
        let steps = (0..<difficulty).map { _ in (stream.nextIndex(below: 2) == 0 ? "+" : "*", stream.nextIndex(below: 10)) }
        return make(start: start, steps: steps, modulus: modulus)
    }

    public func problem(parsing text: String) throws(ReasonerError) -> Problem {
        let usage = "cannot read '\(text)' as a modular chain; expected e.g. 3+4*5+2 mod 7 (single digits, 1 to 8 operations, modulus 2-9)"
        let pieces = text.components(separatedBy: "mod")
        guard pieces.count == 2, let modulus = Int(pieces[1].trimmingCharacters(in: .whitespaces)), (2...9).contains(modulus) else {
            throw .badProblem(usage)
        }
        let chain = Array(pieces[0].replacingOccurrences(of: " ", with: ""))
        guard chain.count >= 3, chain.count % 2 == 1, chain.count <= 17,
              stride(from: 0, to: chain.count, by: 2).allSatisfy({ chain[$0].isASCII && chain[$0].isNumber }),
              stride(from: 1, to: chain.count, by: 2).allSatisfy({ chain[$0] == "+" || chain[$0] == "*" }) else {
            throw .badProblem(usage)
        }
        let steps = stride(from: 1, to: chain.count, by: 2).map { (String(chain[$0]), Int(String(chain[$0 + 1]))!) }
        return make(start: Int(String(chain[0]))!, steps: steps, modulus: modulus)
    }

    func make(start: Int, steps: [(String, Int)], modulus: Int) -> Problem {
        var value = start % modulus
        for (op, x) in steps { value = op == "+" ? (value + x) % modulus : (value * x) % modulus }
        let text = "\(start) " + steps.map { "\($0.0) \($0.1)" }.joined(separator: " ") + " mod \(modulus)"
        let key = "\(start)" + steps.map { "\($0.0)\($0.1)" }.joined() + " mod \(modulus)"
        return Problem(text: text, answer: String(value), difficulty: steps.count, key: key)
    }

    public func solve(_ problem: Problem) -> Solution {
        let words = problem.text.split(separator: " ").map(String.init)
        let modulus = Int(words.last!)!
        var value = Int(words[0])! % modulus
        var lines: [String] = []
        var i = 1
        // The first line shows the start as written; later lines start from the reduced value.
        var shown = words[0]
        while words[i] != "mod" {   // "mod" always precedes the modulus, so the chain ends there
            let op = words[i], x = Int(words[i + 1])!
            value = op == "+" ? (value + x) % modulus : (value * x) % modulus
            lines.append("\(shown) \(op) \(x) = \(value)")
            shown = String(value)
            i += 2
        }
        return Solution(rationale: lines, answer: String(value))
    }

    /// 8 moduli × 10 starts × (2 operators × 10 operands) per step.
    public func problemCount(difficulty d: Int) -> Double { 80 * pow(20, Double(d)) }

}

import Foundation
