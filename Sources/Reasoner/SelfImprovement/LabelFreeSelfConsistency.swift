import SafetyKitNumerics

/// Label-free self-training, LMSI (Huang et al. 2022, "Large Language Models Can Self-Improve"),
/// with self-consistency's majority vote (Wang et al. 2023): sample k rationales per problem,
/// take the majority answer, and when its vote share reaches a threshold keep the samples that
/// agree with it (distinct completions, at most c per problem). Gold answers are never read:
/// the loop hands this method an `UnlabeledTask` and a pool with blank answers.
public struct LabelFreeSelfConsistency: SelfImprovementMethod {
    /// Samples per unlabeled problem.
    public var samplesPerProblem = 8
    /// Keep a problem only when at least this share of its k samples agree (LMSI's filter:
    /// keeping labels where at least 4 of 5 agree raised label accuracy from 31% to 93%).
    public var agreement = 0.75
    /// Completions with the majority answer kept per problem.
    public var keepPerProblem = 4
    /// The sampling temperature.
    public var temperature: Float = 0.7
    /// Training steps per iteration.
    public var steps = 300

    /// LMSI with its defaults.
    public init() {}

    public var name: String { "lmsi" }
    public var reference: String { "Huang et al. 2022, Large Language Models Can Self-Improve (LMSI); Wang et al. 2023, self-consistency" }
    public func goldLabels(iteration n: Int) -> GoldLabels { .none }
    public var continuesFromPreviousModel: Bool { false }
    public func trainingSteps(iteration n: Int) -> Int { steps }
    public var settings: [(String, String)] {
        [("samples_per_problem", String(samplesPerProblem)), ("agreement", "\(agreement)"), ("keep_per_problem", String(keepPerProblem)),
         ("temperature", "\(temperature)"), ("steps", String(steps))]
    }

    public func collect(_ context: IterationContext) throws(ReasonerError) -> CollectedData {
        var data = CollectedData()
        let attempts = try context.sample(context.pool, k: samplesPerProblem, sampler: Sampler(temperature: temperature), purpose: .selfConsistencySamples)
        for (problem, tries) in zip(context.pool, attempts) {
            data.tokensSampled += tries.reduce(0) { $0 + $1.logProbabilities.count }
            guard let vote = MajorityVote(tries.map(\.answer)), vote.share >= agreement else { continue }
            var kept = Set<String>()
            for a in tries where a.answer == vote.answer && kept.count < keepPerProblem && kept.insert(a.completion).inserted {
                data.examples.append(SelectedExample(problem: problem, completion: a.completion, source: .generation))
            }
        }
        return data
    }
}

/// The most frequent answer among k samples (malformed ones, nil, vote for nothing) and its
/// share of all k. Ties go to the answer that appeared first.
public struct MajorityVote: Sendable, Equatable {
    /// The majority answer.
    public var answer: String
    /// Its votes.
    public var votes: Int
    /// Its votes over all k samples, malformed ones included.
    public var share: Double

    /// The vote of `answers` (nil entries are malformed); nil if none parsed.
    public init?(_ answers: [String?]) {
        var counts: [String: Int] = [:], order: [String] = []
        for case let a? in answers {
            if counts[a] == nil { order.append(a) }
            counts[a, default: 0] += 1
        }
        guard let top = counts.values.max() else { return nil }
        answer = order.first { counts[$0]! == top }!
        votes = top
        share = Double(top) / Double(answers.count)
    }
}

/// A task with its gold answers removed: prompts and parsing work, but `solve` knows nothing
/// and every problem it makes has a blank answer. Label-free methods see only this.
public struct UnlabeledTask: ReasoningTask {
    /// The task whose answers are removed.
    public let base: any ReasoningTask
    /// `base` without its gold answers.
    public init(_ base: any ReasoningTask) { self.base = base }

    public var name: String { base.name }
    public var difficulties: ClosedRange<Int> { base.difficulties }
    public func problem(difficulty: Int, using stream: inout RandomStream) -> Problem {
        Self.strip(base.problem(difficulty: difficulty, using: &stream))
    }
    public func problem(parsing text: String) throws(ReasonerError) -> Problem { Self.strip(try base.problem(parsing: text)) }
    public func solve(_ problem: Problem) -> Solution { Solution(rationale: [], answer: "") }
    public func checkSteps(_ lines: [String], of problem: Problem) -> [Bool] { lines.map { _ in false } }
    public func problemCount(difficulty: Int) -> Double { base.problemCount(difficulty: difficulty) }

    /// The problem without its answer.
    public static func strip(_ problem: Problem) -> Problem {
        Problem(text: problem.text, answer: "", difficulty: problem.difficulty, key: problem.key)
    }
}
