import SafetyKitNumerics

/// Training problems: fresh from a seeded stream at every step, or drawn from a fixed seed set;
/// either way never one of the held-out problems.
public struct ProblemSource: Sendable {
    /// The task the problems come from.
    public let task: any ReasoningTask
    public let difficulties: [Int]
    /// Keys of problems never to train on (a held-out set).
    public let excluding: Set<String>
    /// The seed of the problem streams.
    public let seed: UInt64
    /// The fixed seed set, if training draws from one.
    public private(set) var fixed: [Problem]?
    /// The share of examples whose prompt carries the answer as a hint, so that a base learns
    /// to use hints before STaR's rationalization asks it to (a model trained from scratch has
    /// no few-shot ability to pick the format up from the prompt).
    public var hintShare: Double = 0

    /// A source of training problems; `fixedPerDifficulty` gives the size of a fixed seed set
    /// for every difficulty (nil: fresh problems at every step).
    public init(task: any ReasoningTask, difficulties: [Int], excluding: Set<String>, seed: UInt64, fixedPerDifficulty: Int?) {
        self.init(task: task, difficulties: difficulties, excluding: excluding, seed: seed,
                  fixedSizes: fixedPerDifficulty.map { n in difficulties.map { _ in n } })
    }

    /// A source with a fixed seed set of `fixedSizes[i]` problems at `difficulties[i]`: the seed
    /// size per length sets how much room a base leaves for self-improvement.
    public init(task: any ReasoningTask, difficulties: [Int], excluding: Set<String>, seed: UInt64, fixedSizes: [Int]?) {
        self.task = task
        self.difficulties = difficulties
        self.excluding = excluding
        self.seed = seed
        if let sizes = fixedSizes {
            var stream = RandomStream(seed: seed, purpose: .seedSet)
            var set: [Problem] = []
            for (d, n) in zip(difficulties, sizes) {
                var seen = Set<String>(), attempts = 0
                while seen.count < n && attempts < 50 * n {
                    attempts += 1
                    let p = task.problem(difficulty: d, using: &stream)
                    if !excluding.contains(p.key) && seen.insert(p.key).inserted { set.append(p) }
                }
            }
            fixed = set
        }
    }

    /// A source that draws from the given problems (a seed set chosen elsewhere).
    public init(task: any ReasoningTask, fixed problems: [Problem], seed: UInt64) {
        self.task = task
        difficulties = Array(Set(problems.map(\.difficulty))).sorted()
        excluding = []
        self.seed = seed
        fixed = problems
    }

    /// The batch for a step: the same step always gives the same batch.
    public func batch(_ size: Int, step: Int, vocabulary: Vocabulary) throws(ReasonerError) -> [TrainingExample] {
        var stream = RandomStream(seed: seed, purpose: .trainingProblems).substream(UInt64(step))
        var examples: [TrainingExample] = []
        while examples.count < size {
            let problem: Problem
            if let fixed { problem = fixed[stream.nextIndex(below: fixed.count)] } else {
                problem = task.problem(difficulty: difficulties[stream.nextIndex(below: difficulties.count)], using: &stream)
                if excluding.contains(problem.key) { continue }
            }
            let hinted = hintShare > 0 && stream.nextUniform() < hintShare
            examples.append(try TrainingExample(task: task, problem: problem, vocabulary: vocabulary, hint: hinted))
        }
        return examples
    }
}
