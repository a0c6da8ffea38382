/// Iterative reasoning preference optimisation (Pang et al. 2024, "Iterative Reasoning Preference
/// Optimization"): sample k rationales per problem, pair distinct right ones (chosen) with
/// distinct wrong ones (rejected), at most m pairs per problem, and train with DPO plus the
/// chosen response's length-normalised NLL (α = 1, β = 0.1), starting from and referenced to
/// the previous iteration's model.
public struct IterativeRPO: SelfImprovementMethod {
    /// Samples per pool problem.
    public var samplesPerProblem = 8
    /// Preference pairs kept per problem (a right completion against a wrong one).
    public var pairsPerProblem = 2
    /// The sampling temperature.
    public var temperature: Float = 0.7
    /// Training steps per iteration.
    public var steps = 300
    /// DPO's β.
    public var beta = 0.1
    /// The weight α of the NLL term on the chosen completion (0 is plain DPO).
    public var alpha = 1.0
    /// The loss: iterative RPO's DPO + NLL (the default), plain DPO (α = 0) or IPO.
    public var useIPO = false

    /// Iterative RPO with the paper's defaults scaled to this model.
    public init() {}

    public var name: String { "rpo" }
    public var reference: String { "Pang et al. 2024, Iterative Reasoning Preference Optimization" }
    public func goldLabels(iteration n: Int) -> GoldLabels { .pool }
    /// Each iteration starts from the previous model (the reference), with a fresh optimizer.
    public var continuesFromPreviousModel: Bool { true }
    public var preference: PreferenceLoss? { useIPO ? .ipo(beta: beta) : alpha > 0 ? .rpo(beta: beta, alpha: alpha) : .dpo(beta: beta) }
    public func trainingSteps(iteration n: Int) -> Int { steps }
    public var settings: [(String, String)] {
        [("samples_per_problem", String(samplesPerProblem)), ("pairs_per_problem", String(pairsPerProblem)), ("temperature", "\(temperature)"),
         ("steps", String(steps)), ("loss", preference!.name), ("beta", "\(beta)"), ("alpha", "\(alpha)")]
    }

    public func collect(_ context: IterationContext) throws(ReasonerError) -> CollectedData {
        var data = CollectedData()
        let attempts = try context.sample(context.pool, k: samplesPerProblem, sampler: Sampler(temperature: temperature), purpose: .preferenceSamples)
        for (problem, tries) in zip(context.pool, attempts) {
            var right: [String] = [], wrong: [String] = []
            for a in tries {
                data.tokensSampled += a.logProbabilities.count
                if a.isCorrect(problem.answer) { if !right.contains(a.completion) { right.append(a.completion) } }
                else if !a.completion.isEmpty, !wrong.contains(a.completion) { wrong.append(a.completion) }
            }
            guard !right.isEmpty, !wrong.isEmpty else { continue }
            for j in 0..<min(pairsPerProblem, max(right.count, wrong.count)) {
                let chosen = right[j % right.count], rejected = wrong[j % wrong.count]
                data.pairs.append((problem, chosen, rejected))
                if j < right.count { data.examples.append(SelectedExample(problem: problem, completion: chosen, source: .generation)) }
            }
        }
        return data
    }
}
