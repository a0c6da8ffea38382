import Foundation
import SafetyKitNumerics

/// Addition with STaR's scratchpad (docs/reasoner.md): each line takes the next digit pair from the
/// right, writes the partial result so far and the carry; the last scratch line is the result.
///
///     Input:
///     9 6 4 + 4 9 4
///     Target:
///     <scratch>
///     9 6 4 + 4 9 4 , C: 0
///     6 + 9 , 8 C: 0
///     9 + 4 , 5 8 C: 1
///     , 4 5 8 C: 1
///     1 4 5 8
///     </scratch>
///     1 4 5 8
///
/// Difficulty is the digit count d: both operands have exactly d digits. An operand shorter than
/// the other (possible in parsed problems) contributes 0 digits on the left.
///
/// With `width` set ("addition-padded", width 6), operands are written zero-padded to that width
/// and the scratchpad always takes `width` steps, with the answer written on width + 1 digits:
/// every problem then has the same layout, so a longer problem puts no token at a position the
/// model has not trained on (issue 4's test of whether padding opens unseen lengths).
///
/// With `shifted` as well ("addition-shifted"), a generated operand of d digits is multiplied by
/// 10^k, k drawn uniformly from 0...width − d for each operand: 1234 may appear as 0 1 2 3 4 0 or
/// 1 2 3 4 0 0. Every place of the field then carries non-zero digits in training, while no
/// operand has more than d significant digits, so a model trained on d ≤ 4 can be tested on
/// operands of 5 and 6 significant digits (`eval --task addition-padded`). Difficulty stays d.
public struct AdditionTask: ReasoningTask {
    /// Zero-pad operands to this many digits (nil: as they are).
    public let width: Int?
    /// Shift generated operands by random powers of ten within the padded field.
    public let shifted: Bool

    /// Plain addition, or with `width` the zero-padded field of that many digits (`shifted`: operands shifted by random powers of ten).
    public init(width: Int? = nil, shifted: Bool = false) {
        self.width = width
        self.shifted = shifted && width != nil
    }
    /// "addition", or "addition-padded" / "addition-shifted" with a suffix "-W" unless W is 6.
    public var name: String {
        guard let width else { return "addition" }
        return width == 6 ? layoutName : layoutName + "-\(width)"
    }

    /// The padded layouts' name with the width always spelled out ("addition-padded-6" too).
    public var widthSpelledName: String? { width.map { layoutName + "-\($0)" } }

    private var layoutName: String { shifted ? "addition-shifted" : "addition-padded" }
    public var difficulties: ClosedRange<Int> { 1...(width ?? 8) }

    public func problem(difficulty: Int, using stream: inout RandomStream) -> Problem {
        func operand() -> [Int] {
            let digits = (0..<difficulty).map { i in i == 0 && difficulty > 1 ? 1 + stream.nextIndex(below: 9) : stream.nextIndex(below: 10) }
            guard shifted, let width else { return digits }
            return digits + Array(repeating: 0, count: stream.nextIndex(below: width - difficulty + 1))
        }
        let (a, b) = (operand(), operand())
        var problem = make(a, b)
        problem.difficulty = difficulty
        return problem
    }

    public func problem(parsing text: String) throws(ReasonerError) -> Problem {
        let parts = text.replacingOccurrences(of: " ", with: "").split(separator: "+", omittingEmptySubsequences: false)
        let most = width ?? 8
        guard parts.count == 2, parts.allSatisfy({ !$0.isEmpty && $0.count <= most && $0.allSatisfy(\.isASCII) && $0.allSatisfy(\.isNumber) }) else {
            throw .badProblem("cannot read '\(text)' as an addition problem; expected A+B with 1 to \(most) digits each, e.g. 12+34")
        }
        return make(parts[0].map { Int(String($0))! }, parts[1].map { Int(String($0))! })
    }

    func make(_ a: [Int], _ b: [Int]) -> Problem {
        let (pa, pb) = (padded(a), padded(b))
        let text = pa.map(String.init).joined(separator: " ") + " + " + pb.map(String.init).joined(separator: " ")
        let key = a.map(String.init).joined() + "+" + b.map(String.init).joined()
        var sum = digits(of: pa, plus: pb)
        if let width { while sum.count < width + 1 { sum.insert(0, at: 0) } }
        let answer = sum.map(String.init).joined(separator: " ")
        return Problem(text: text, answer: answer, difficulty: max(a.count, b.count), key: key)
    }

    /// An operand's digits, zero-padded on the left to `width` when the task pads.
    func padded(_ x: [Int]) -> [Int] {
        guard let width, x.count < width else { return x }
        return Array(repeating: 0, count: width - x.count) + x
    }

    func digits(of a: [Int], plus b: [Int]) -> [Int] {
        var result: [Int] = [], carry = 0
        for k in 0..<max(a.count, b.count) {
            let x = k < a.count ? a[a.count - 1 - k] : 0, y = k < b.count ? b[b.count - 1 - k] : 0
            result.insert((x + y + carry) % 10, at: 0)
            carry = (x + y + carry) / 10
        }
        if carry > 0 { result.insert(carry, at: 0) }
        return result
    }

    public func solve(_ problem: Problem) -> Solution {
        let sides = problem.key.split(separator: "+")
        let a = padded(sides[0].map { Int(String($0))! }), b = padded(sides[1].map { Int(String($0))! })
        let length = max(a.count, b.count)
        func digit(_ x: [Int], _ k: Int) -> Int { k < x.count ? x[x.count - 1 - k] : 0 }
        var lines = ["\(problem.text) , C: 0"]
        var partial: [Int] = [], carry = 0
        for k in 0..<length {
            let sum = digit(a, k) + digit(b, k) + carry
            partial.insert(sum % 10, at: 0)
            carry = sum / 10
            let next = k + 1 < length ? "\(digit(a, k + 1)) + \(digit(b, k + 1)) " : ""
            lines.append(next + ", " + partial.map(String.init).joined(separator: " ") + " C: \(carry)")
        }
        if carry > 0 || width != nil { partial.insert(carry, at: 0) }
        lines.append(partial.map(String.init).joined(separator: " "))
        return Solution(rationale: lines, answer: problem.answer)
    }

    /// The digit count and the number of carries, "d3 c2": how hard a sum is to this model
    /// depends on both.
    public func confidenceClass(of problem: Problem) -> String {
        let carries = solve(problem).rationale.dropFirst().filter { $0.hasSuffix("C: 1") }.count
        return "d\(problem.difficulty) c\(carries)"
    }

    /// Operands of exactly d digits: 10 choices each at d = 1, else 9·10^(d−1) (times the
    /// width − d + 1 shifts when shifted).
    public func problemCount(difficulty d: Int) -> Double {
        // Padding changes the layout, not the problems.
        var operands = Problem.numbers(ofDigits: d)
        if shifted, let width { operands *= Double(max(1, width - d + 1)) }
        return operands * operands
    }
}
