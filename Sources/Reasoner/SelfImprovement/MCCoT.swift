/// Voting during training, MC-CoT (Tan et al. 2023, "Boosting the Power of Small Multimodal
/// Reasoning Models to Match Larger Models with Self-Consistency Training"): the data are
/// selected as in rejection sampling (k samples per problem, at most c right ones kept), and
/// every training step fuses the logits of several dropout passes (`VotingTrainer`) before the
/// cross-entropy. Each iteration trains the base model afresh.
public struct MCCoT: SelfImprovementMethod {
    /// How the training data are collected (rejection sampling's defaults).
    public var sampling = RejectionSampling()
    /// How the dropout passes are fused in training.
    public var votingSettings = VotingSettings()

    /// MC-CoT with its defaults.
    public init() {}

    public var name: String { "mccot" }
    public var reference: String { "Tan et al. 2023, Boosting the Power of Small Multimodal Reasoning Models to Match Larger Models with Self-Consistency Training (MC-CoT)" }
    public func goldLabels(iteration n: Int) -> GoldLabels { .pool }
    public var continuesFromPreviousModel: Bool { false }
    public var voting: VotingSettings? { votingSettings }
    public func trainingSteps(iteration n: Int) -> Int { sampling.steps }
    public var settings: [(String, String)] {
        sampling.settings + [("passes", String(votingSettings.passes)), ("dropout", "\(votingSettings.dropout)"),
                             ("alpha", "\(votingSettings.alpha)")]
    }

    public func collect(_ context: IterationContext) throws(ReasonerError) -> CollectedData {
        try sampling.collect(context)
    }
}
