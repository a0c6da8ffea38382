/// STaR (Zelikman et al. 2022, "STaR: Bootstrapping Reasoning With Reasoning"): sample one
/// rationale per problem near-greedily; keep those whose answer is right; for each wrong one,
/// sample again with the gold answer as a hint (rationalization) and keep it, without the hint,
/// if its answer is then right. Every iteration trains the base model afresh, for
/// `startSteps + addSteps·(n − 1)` steps (the paper's arithmetic schedule: 300 + 20 per iteration).
public struct STaR: SelfImprovementMethod {
    /// Rationalization: retry failed problems with the answer as a hint.
    public var rationalization = true
    /// The paper samples at temperature 0.01 with top-p 0.9: near-greedy, so fewer answers are
    /// right for the wrong reasons.
    public var temperature: Float = 0.01
    /// (see `temperature`)
    public var topP: Float = 0.9
    /// Training steps of the first iteration.
    public var startSteps = 300
    /// Steps added at each later iteration.
    public var addSteps = 20

    /// STaR with the paper's settings.
    public init() {}

    public var name: String { "star" }
    public var reference: String { "Zelikman et al. 2022, STaR: Bootstrapping Reasoning With Reasoning" }
    public func goldLabels(iteration n: Int) -> GoldLabels { .pool }
    public var continuesFromPreviousModel: Bool { false }
    public func trainingSteps(iteration n: Int) -> Int { startSteps + addSteps * (n - 1) }
    public var settings: [(String, String)] {
        [("rationalization", String(rationalization)), ("temperature", "\(temperature)"), ("top_p", "\(topP)"),
         ("start_steps", String(startSteps)), ("add_steps", String(addSteps))]
    }

    public func collect(_ context: IterationContext) throws(ReasonerError) -> CollectedData {
        let sampler = Sampler(temperature: temperature, topP: topP)
        var data = CollectedData()
        let attempts = try context.sample(context.pool, k: 1, sampler: sampler, purpose: .starRationales)
        var wrong: [Problem] = []
        for (problem, tries) in zip(context.pool, attempts) {
            let a = tries[0]
            data.tokensSampled += a.logProbabilities.count
            if a.isCorrect(problem.answer) {
                data.examples.append(SelectedExample(problem: problem, completion: a.completion, source: .generation))
            } else {
                wrong.append(problem)
            }
        }
        guard rationalization, !wrong.isEmpty else { return data }
        let hinted = try context.sample(wrong, k: 1, sampler: sampler, hint: true, purpose: .starRationalizations)
        for (problem, tries) in zip(wrong, hinted) {
            let a = tries[0]
            data.tokensSampled += a.logProbabilities.count
            if a.isCorrect(problem.answer) {
                data.examples.append(SelectedExample(problem: problem, completion: a.completion, source: .rationalization))
            }
        }
        return data
    }
}
