/// Rejection-sampling fine-tuning, ReST-EM (Singh et al. 2023, "Beyond Human Data: Scaling
/// Self-Training for Problem-Solving with Language Models"): sample k per problem, keep at most
/// c correct per problem (distinct completions), fine-tune the base model on them, and stop when
/// validation accuracy stops improving. The online variant (as in B-STaR) instead continues from
/// the previous model with its optimizer state and one learning-rate schedule across iterations.
public struct RejectionSampling: SelfImprovementMethod {
    /// Online RFT: continue from the previous model and its optimizer, rather than train the base afresh.
    public var online = false
    /// Paper: 32 samples at temperature 0.7, top-k 40, up to 10 kept per problem; scaled to the
    /// small model: 8 samples, up to 4 kept.
    public var samplesPerProblem = 8
    /// (see `samplesPerProblem`)
    public var keepPerProblem = 4
    /// The sampling temperature.
    public var temperature: Float = 0.7
    /// Keep only the k most likely tokens when sampling.
    public var topK = 40
    /// Training steps per iteration.
    public var steps = 300

    /// RFT (`online` false) or online RFT.
    public init(online: Bool = false) { self.online = online }

    public var name: String { online ? "online-rft" : "rft" }
    public var reference: String {
        online ? "online rejection-sampling fine-tuning, as in Zeng et al. 2024 (B-STaR)"
               : "Singh et al. 2023, Beyond Human Data: Scaling Self-Training for Problem-Solving with Language Models (ReST-EM)"
    }
    public func goldLabels(iteration n: Int) -> GoldLabels { .pool }
    public var continuesFromPreviousModel: Bool { online }
    public var stopsEarly: Bool { !online }
    public func trainingSteps(iteration n: Int) -> Int { steps }
    public var settings: [(String, String)] {
        [("samples_per_problem", String(samplesPerProblem)), ("keep_per_problem", String(keepPerProblem)),
         ("temperature", "\(temperature)"), ("top_k", String(topK)), ("steps", String(steps))]
    }

    public func collect(_ context: IterationContext) throws(ReasonerError) -> CollectedData {
        let sampler = Sampler(temperature: temperature, topK: topK)
        var data = CollectedData()
        let attempts = try context.sample(context.pool, k: samplesPerProblem, sampler: sampler, purpose: .rejectionSamples)
        for (problem, tries) in zip(context.pool, attempts) {
            var kept = Set<String>()
            for a in tries {
                data.tokensSampled += a.logProbabilities.count
                guard a.isCorrect(problem.answer) else { continue }
                if kept.count < keepPerProblem, kept.insert(a.completion).inserted {
                    data.examples.append(SelectedExample(problem: problem, completion: a.completion, source: .generation))
                }
            }
        }
        return data
    }
}
