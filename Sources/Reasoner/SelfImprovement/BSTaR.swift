import Foundation
import SafetyKitNumerics



/// B-STaR (Zeng et al. 2024, "B-STaR: Monitoring and Balancing Exploration and Exploitation in
/// Self-Taught Reasoners"): each iteration first picks the sampling temperature and the reward
/// threshold that maximise the balance score on a small query subset, then samples k per pool
/// problem at that temperature, keeps the distinct responses whose reward exceeds the threshold,
/// and continues training the previous model (online, with its optimizer).
public struct BSTaR: SelfImprovementMethod {
    /// Samples per pool problem.
    public var samplesPerProblem = 8
    /// Problems in the query subset used for the grid search.
    public var querySubset = 64
    /// Paper grids: temperature and threshold in steps of 0.1. The spec's finer grid (0.05, 0.01)
    /// is available through these arrays; rewards here take only the values −1, 0, 1 and 2, so a
    /// finer threshold grid cannot select differently.
    public var temperatures: [Float] = stride(from: 0.5, through: 1.2001, by: 0.1).map { Float($0) }
    /// (see `temperatures`)
    public var thresholds: [Double] = stride(from: -1.0, through: 1.0001, by: 0.1).map { ($0 * 10).rounded() / 10 }
    /// Training steps per iteration.
    public var steps = 300

    /// B-STaR with the paper's grids.
    public init() {}

    public var name: String { "bstar" }
    public var reference: String { "Zeng et al. 2024, B-STaR: Monitoring and Balancing Exploration and Exploitation in Self-Taught Reasoners" }
    public func goldLabels(iteration n: Int) -> GoldLabels { .pool }
    public var continuesFromPreviousModel: Bool { true }
    public func trainingSteps(iteration n: Int) -> Int { steps }
    public var settings: [(String, String)] {
        [("samples_per_problem", String(samplesPerProblem)), ("query_subset", String(querySubset)),
         ("temperatures", temperatures.map { String(format: "%.2f", $0) }.joined(separator: " ")),
         ("thresholds", "\(thresholds.first ?? 0)...\(thresholds.last ?? 0) (\(thresholds.count))"), ("steps", String(steps))]
    }

    /// The configuration the grid search chose, and its balance score.
    public struct Choice: Sendable, Equatable {
        /// The chosen sampling temperature.
        public var temperature: Float
        /// The chosen reward threshold.
        public var threshold: Double
        /// The balance score at that choice.
        public var balanceScore: Double
    }

    /// Grid search over (temperature, threshold) on `queries`: the first maximum in grid order
    /// (lowest temperature, then lowest threshold) wins ties.
    public func choose(_ context: IterationContext, queries: [Problem]) throws(ReasonerError) -> (Choice, tokens: Int) {
        var best = Choice(temperature: temperatures.first ?? 1, threshold: thresholds.first ?? 0, balanceScore: -1)
        var tokens = 0
        for (ti, t) in temperatures.enumerated() {
            let attempts = try context.sample(queries, k: samplesPerProblem, sampler: Sampler(temperature: t), purpose: .bstarSearch, part: ti)
            let scored = zip(queries, attempts).map { problem, tries in
                tries.map { a in (completion: a.completion, correct: a.isCorrect(problem.answer),
                                  reward: ProcessReward.reward(a, problem: problem, task: context.task)) }
            }
            tokens += attempts.joined().reduce(0) { $0 + $1.logProbabilities.count }
            for tau in thresholds {
                let selected = scored.map { $0.filter { $0.reward > tau }.map { (completion: $0.completion, correct: $0.correct) } }
                let bs = BalanceScore.score(selected)
                if bs > best.balanceScore { best = Choice(temperature: t, threshold: tau, balanceScore: bs) }
            }
        }
        return (best, tokens)
    }

    public func collect(_ context: IterationContext) throws(ReasonerError) -> CollectedData {
        var data = CollectedData()
        // The query subset: a fresh draw from the pool each iteration.
        var stream = RandomStream(seed: context.seed(for: .bstarQueries))
        var indices = Array(context.pool.indices)
        stream.shuffle(&indices)
        let queries = indices.prefix(min(querySubset, indices.count)).sorted().map { context.pool[$0] }
        let (choice, searchTokens) = try choose(context, queries: queries)
        data.tokensSampled += searchTokens
        data.notes = [("temperature", String(format: "%.2f", choice.temperature)), ("threshold", String(format: "%.2f", choice.threshold)),
                      ("balance_score", String(format: "%.4f", choice.balanceScore))]
        let attempts = try context.sample(context.pool, k: samplesPerProblem, sampler: Sampler(temperature: choice.temperature), purpose: .bstarSamples)
        for (problem, tries) in zip(context.pool, attempts) {
            var kept = Set<String>()
            for a in tries {
                data.tokensSampled += a.logProbabilities.count
                guard ProcessReward.reward(a, problem: problem, task: context.task) > choice.threshold, kept.insert(a.completion).inserted else { continue }
                data.examples.append(SelectedExample(problem: problem, completion: a.completion, source: .generation))
            }
        }
        return data
    }
}
