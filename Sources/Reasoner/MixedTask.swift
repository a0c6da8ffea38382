import SafetyKitNumerics

/// Several tasks as one: each generated problem comes from a member drawn uniformly, written in
/// that member's layout. A model trained on the mixture is a small generalist, the starting point
/// for issue 21's out-of-domain question: self-train it on one member, then measure every member
/// (`eval --task subtraction` accepts a model of this task; `TaskRegistry.isCompatible`).
///
/// A problem keeps its member's key ("52-17", "47*3"), so a held-out set of the mixture excludes
/// exactly those problems from a member's training, and the member is read back from the key:
/// members' key forms must not overlap (each member refuses the others' keys). Difficulty runs
/// over the range every member supports.
public struct MixedTask: ReasoningTask {
    /// The members, in the order keys are tried.
    public let members: [any ReasoningTask]

    /// The five built-in tasks with checkable steps: addition, subtraction, multiplication by one
    /// digit, the modular chain and two-step word problems.
    public init() {
        self.members = [AdditionTask(), SubtractionTask(), MultiplicationTask(), ModularChainTask(), WordProblemTask()]
    }

    public var name: String { "mixed" }

    public var difficulties: ClosedRange<Int> {
        members.map(\.difficulties.lowerBound).max()!...members.map(\.difficulties.upperBound).min()!
    }

    public var extraTokens: [String] { members.flatMap(\.extraTokens) }

    public func problem(difficulty: Int, using stream: inout RandomStream) -> Problem {
        members[stream.nextIndex(below: members.count)].problem(difficulty: difficulty, using: &stream)
    }

    public func problem(parsing text: String) throws(ReasonerError) -> Problem {
        guard let problem = members.lazy.compactMap({ try? $0.problem(parsing: text) }).first else {
            throw .badProblem("cannot read '\(text)' as a problem of any of \(members.map(\.name).joined(separator: ", ")); "
                              + "expected e.g. 12+34, 52-17, 47*3, 3+4*5 mod 7 or Ann:apples:34:finds:25:loses:12")
        }
        return problem
    }

    /// The member a problem belongs to, read from its key; the first member when none reads it.
    public func member(of problem: Problem) -> any ReasoningTask {
        members.first { (try? $0.problem(parsing: problem.key)) != nil } ?? members[0]
    }

    public func solve(_ problem: Problem) -> Solution { member(of: problem).solve(problem) }

    public func checkSteps(_ lines: [String], of problem: Problem) -> [Bool] { member(of: problem).checkSteps(lines, of: problem) }

    /// The member's name and its class, "subtraction d2 b1".
    public func confidenceClass(of problem: Problem) -> String {
        let member = member(of: problem)
        return member.name + " " + member.confidenceClass(of: problem)
    }

    /// The members' counts summed: their problems do not overlap.
    public func problemCount(difficulty: Int) -> Double {
        members.map { $0.problemCount(difficulty: difficulty) }.reduce(0, +)
    }
}
