import Foundation
import SafetyKitNumerics

/// Templated two-step word problems: a story about someone's things, read into two equations,
/// each a checkable step.
///
///     Input:
///     Ann has 3 4 apples , finds 2 5 , then loses 1 2 . how many ?
///     Target:
///     <scratch>
///     3 4 + 2 5 = 5 9
///     5 9 - 1 2 = 4 7
///     </scratch>
///     4 7
///
/// or, with bags (the first step a multiplication by the one-digit bag count):
///
///     Bob has 3 bags of 1 2 pens , then gives 5 . how many ?
///     1 2 * 3 = 3 6
///     3 6 - 5 = 3 1
///
/// A verb of `gains` adds and one of `losses` subtracts. Difficulty is the digit count d of every
/// amount but the bag count (1–9). A generated loss never exceeds what is held: such a draw
/// takes the gain verb at the same place instead, so every intermediate is a natural number.
///
/// The key spells the story's choices, colon-separated: "Ann:apples:34:finds:25:loses:12", or
/// "Bob:pens:3:bags:12:gives:5".
public struct WordProblemTask: ReasoningTask {
    /// Two-step word problems.
    public init() {}

    /// Who the story is about.
    public static let names = ["Ann", "Bob", "Eve", "Sam"]
    /// What they hold.
    public static let items = ["apples", "pens", "coins", "cards"]
    /// Verbs that add the amount after them.
    public static let gains = ["finds", "gets", "buys"]
    /// Verbs that take the amount after them away.
    public static let losses = ["loses", "gives", "sells"]

    public var name: String { "wordproblem" }
    public var difficulties: ClosedRange<Int> { 1...3 }
    public var extraTokens: [String] {
        ["-"] + Self.names + Self.items + Self.gains + Self.losses + ["has", "bags", "of", "then", ".", "how", "many", "?"]
    }

    /// A story's choices: who, what, the start (or the bag count and each bag's content), and two changes.
    struct Story: Equatable {
        var name: String
        var item: String
        /// The bag count when the story starts with bags; nil for a plain amount.
        var bags: Int?
        var start: Int
        var changes: [(verb: String, amount: Int)]

        static func == (a: Story, b: Story) -> Bool {
            a.name == b.name && a.item == b.item && a.bags == b.bags && a.start == b.start
                && a.changes.map(\.verb) == b.changes.map(\.verb) && a.changes.map(\.amount) == b.changes.map(\.amount)
        }
    }

    public func problem(difficulty d: Int, using stream: inout RandomStream) -> Problem {
        func amount() -> Int {
            let low = d == 1 ? 0 : Int(pow(10, Double(d - 1)))
            return low + stream.nextIndex(below: Int(pow(10, Double(d))) - low)
        }
        let name = Self.names[stream.nextIndex(below: Self.names.count)], item = Self.items[stream.nextIndex(below: Self.items.count)]
        let withBags = stream.nextIndex(below: 3) == 0
        let bags = withBags ? 1 + stream.nextIndex(below: 9) : nil
        let start = amount()
        var held = start * (bags ?? 1)
        var changes: [(verb: String, amount: Int)] = []
        for _ in 0..<(withBags ? 1 : 2) {
            let loss = stream.nextIndex(below: 2) == 0
            let verbIndex = stream.nextIndex(below: 3), value = amount()
            let verb = loss && value <= held ? Self.losses[verbIndex] : Self.gains[verbIndex]
            held += Self.losses.contains(verb) ? -value : value
            changes.append((verb, value))
        }
        var problem = make(Story(name: name, item: item, bags: bags, start: start, changes: changes))
        problem.difficulty = d
        return problem
    }

    public func problem(parsing text: String) throws(ReasonerError) -> Problem {
        let usage = "cannot read '\(text)' as a word problem; expected NAME:ITEM:N:VERB:N:VERB:N or NAME:ITEM:BAGS:bags:N:VERB:N "
            + "with a name of \(Self.names.joined(separator: "/")), an item of \(Self.items.joined(separator: "/")), "
            + "verbs of \((Self.gains + Self.losses).joined(separator: "/")), amounts of 1 to 3 digits, bags 1-9, and no loss above what is held"
        let parts = text.split(separator: ":", omittingEmptySubsequences: false).map(String.init)
        func number(_ s: String) -> Int? { (1...3).contains(s.count) && s.allSatisfy({ $0.isASCII && $0.isNumber }) ? Int(s) : nil }
        guard parts.count == 7, Self.names.contains(parts[0]), Self.items.contains(parts[1]) else { throw .badProblem(usage) }
        let story: Story
        if parts[3] == "bags" {
            guard let bags = number(parts[2]), (1...9).contains(bags), parts[2].count == 1, let start = number(parts[4]),
                  Self.gains.contains(parts[5]) || Self.losses.contains(parts[5]), let change = number(parts[6]) else { throw .badProblem(usage) }
            story = Story(name: parts[0], item: parts[1], bags: bags, start: start, changes: [(parts[5], change)])
        } else {
            let verbs = [parts[3], parts[5]]
            guard let start = number(parts[2]), verbs.allSatisfy({ Self.gains.contains($0) || Self.losses.contains($0) }),
                  let first = number(parts[4]), let second = number(parts[6]) else { throw .badProblem(usage) }
            story = Story(name: parts[0], item: parts[1], bags: nil, start: start, changes: [(verbs[0], first), (verbs[1], second)])
        }
        guard Self.values(of: story).allSatisfy({ $0 >= 0 }) else { throw .badProblem(usage) }
        return make(story)
    }

    /// What is held after each step: the start (times the bags), then after each change.
    static func values(of story: Story) -> [Int] {
        var held = story.start * (story.bags ?? 1), values = [held]
        for change in story.changes {
            held += losses.contains(change.verb) ? -change.amount : change.amount
            values.append(held)
        }
        return values
    }

    /// A number as digit tokens, "3 4".
    static func spelled(_ n: Int) -> String { String(n).map(String.init).joined(separator: " ") }

    func make(_ story: Story) -> Problem {
        let s = Self.spelled
        let opening = story.bags.map { "\(story.name) has \($0) bags of \(s(story.start)) \(story.item)" }
            ?? "\(story.name) has \(s(story.start)) \(story.item)"
        let changes = story.changes.enumerated().map { i, c in (i == story.changes.count - 1 ? "then " : "") + "\(c.verb) \(s(c.amount))" }
        let text = ([opening] + changes).joined(separator: " , ") + " . how many ?"
        let key = ([story.name, story.item] + (story.bags.map { ["\($0)", "bags"] } ?? [])
                   + ["\(story.start)"] + story.changes.flatMap { [$0.verb, "\($0.amount)"] }).joined(separator: ":")
        let digits = ([story.start] + story.changes.map(\.amount)).map { String($0).count }.max()!
        return Problem(text: text, answer: s(Self.values(of: story).last!), difficulty: digits, key: key)
    }

    /// The story a key spells (keys are made by `make`, so they read back).
    func story(of problem: Problem) -> Story {
        let p = problem.key.split(separator: ":").map(String.init)
        if p[3] == "bags" { return Story(name: p[0], item: p[1], bags: Int(p[2])!, start: Int(p[4])!, changes: [(p[5], Int(p[6])!)]) }
        return Story(name: p[0], item: p[1], bags: nil, start: Int(p[2])!, changes: [(p[3], Int(p[4])!), (p[5], Int(p[6])!)])
    }

    public func solve(_ problem: Problem) -> Solution {
        let story = story(of: problem), values = Self.values(of: story), s = Self.spelled
        var lines: [String] = []
        if let bags = story.bags { lines.append("\(s(story.start)) * \(bags) = \(s(values[0]))") }
        for (i, change) in story.changes.enumerated() {
            lines.append("\(s(values[i])) \(Self.losses.contains(change.verb) ? "-" : "+") \(s(change.amount)) = \(s(values[i + 1]))")
        }
        return Solution(rationale: lines, answer: problem.answer)
    }

    /// Plain or with bags: "d2 bags" and "d2", as the first step's operation differs.
    public func confidenceClass(of problem: Problem) -> String {
        "d\(problem.difficulty)" + (story(of: problem).bags != nil ? " bags" : "")
    }

    /// The fillings of both templates at d digits: 16 (name, item) pairs times n³·36 plain stories
    /// and 9·n²·6 with bags, for the n amounts of d digits; an upper bound, since a loss above what
    /// is held is read as a gain.
    public func problemCount(difficulty d: Int) -> Double {
        let n = Problem.numbers(ofDigits: d)
        return 16 * (n * n * n * 36 + 9 * n * n * 6)
    }
}
