/// What a seeded random stream is drawn for: the stream number under a run's seed.
///
/// Every purpose SafetyKit draws for is declared here, once, and listed in `registered`; a test
/// checks that no two share a number, so that two purposes never read the same random numbers
/// (the held-out problems and the held-out samples once did). A purpose that needs several
/// independent streams (one per iteration, step or temperature) takes substreams of its stream,
/// never neighbouring numbers, which would run into the next purpose.
///
/// A method written outside SafetyKit makes its own with `StreamPurpose(rawValue:)`, choosing a
/// number that `registered` does not hold.
public struct StreamPurpose: RawRepresentable, Hashable, Sendable {
    /// The stream number.
    public let rawValue: UInt64

    /// A purpose with stream number `rawValue`.
    public init(rawValue: UInt64) { self.rawValue = rawValue }

    // MARK: The reasoner's model and data

    /// A new model's initial weights.
    public static let modelInitialization = StreamPurpose(rawValue: 0x1A17)
    /// The rows added when a model's vocabulary is extended (a judge's verdict tokens).
    public static let vocabularyExtension = StreamPurpose(rawValue: 0xE7E4)
    /// The fixed labelled seed set of a run (`--seed-set`).
    public static let seedSet = StreamPurpose(rawValue: 0x5EED)
    /// Fresh training problems, one substream per step.
    public static let trainingProblems = StreamPurpose(rawValue: 0x7EA1)
    /// The held-out problems, one substream per difficulty. Checkpoints record these problems'
    /// keys, so this number never changes.
    public static let heldOutProblems = StreamPurpose(rawValue: 0xE7A1)
    /// The held-out samples of an iteration's measurement (one substream per iteration).
    public static let heldOutSamples = StreamPurpose(rawValue: 0xE7A5)
    /// The validation problems.
    public static let validationProblems = StreamPurpose(rawValue: 0x7A11)
    /// The unlabelled pool a self-improvement run samples from.
    public static let poolProblems = StreamPurpose(rawValue: 0x9001)
    /// The annotated problems of a meta-skill stage (SELF), disjoint from every other set.
    public static let annotatedProblems = StreamPurpose(rawValue: 0x9A11)
    /// Which examples make up each supervised step (per iteration, then per step).
    public static let supervisedBatches = StreamPurpose(rawValue: 0x7B47)
    /// Which pairs make up each preference step (per iteration, then per step).
    public static let preferenceBatches = StreamPurpose(rawValue: 0x7B48)
    /// Dropout masks while training.
    public static let dropoutMasks = StreamPurpose(rawValue: 0xD509)

    // MARK: Self-improvement methods (per iteration)

    /// STaR's rationales.
    public static let starRationales = StreamPurpose(rawValue: 0x57A1)
    /// STaR's rationalizations (the hinted second attempts).
    public static let starRationalizations = StreamPurpose(rawValue: 0x57A2)
    /// Rejection sampling's samples.
    public static let rejectionSamples = StreamPurpose(rawValue: 0x4F7)
    /// B-STaR's search over temperatures (one substream per temperature).
    public static let bstarSearch = StreamPurpose(rawValue: 0xB5A0)
    /// B-STaR's query subset for the search.
    public static let bstarQueries = StreamPurpose(rawValue: 0xB5B0)
    /// B-STaR's samples at the chosen temperature.
    public static let bstarSamples = StreamPurpose(rawValue: 0xB5C0)
    /// S^3c-Math's whole solutions, whose right ones are the corrections' prefixes.
    public static let correctionSolutions = StreamPurpose(rawValue: 0x53C1)
    /// S^3c-Math's choice of the steps at which alternatives are sampled.
    public static let correctionPositions = StreamPurpose(rawValue: 0x53C2)
    /// S^3c-Math's alternative steps.
    public static let correctionSteps = StreamPurpose(rawValue: 0x53C3)
    /// SELF's responses, in the meta-skill stage and in self-evolution.
    public static let feedbackResponses = StreamPurpose(rawValue: 0x5E1F)
    /// The seed-set problems ReGenesis shows under each guideline (one substream per guideline).
    public static let guidelineDemonstrations = StreamPurpose(rawValue: 0x6E01)
    /// ReGenesis's paths under each guideline (one substream per iteration, then per guideline).
    public static let guidelinePaths = StreamPurpose(rawValue: 0x6E02)
    /// ReGenesis's hinted retries of problems no path solved.
    public static let guidelineHints = StreamPurpose(rawValue: 0x6E03)
    /// PINTO's perturbed rationales (one substream per training step; the last for evaluation).
    public static let rationalePerturbations = StreamPurpose(rawValue: 0x9170)
    /// PINTO's training problems, disjoint from its held-out sets.
    public static let rationaleProblems = StreamPurpose(rawValue: 0x9171)
    /// The rationales `selfimprove --method pinto` writes (greedy; the stream is for form's sake).
    public static let rationaleWriting = StreamPurpose(rawValue: 0x9172)
    /// Iterative RPO's samples.
    public static let preferenceSamples = StreamPurpose(rawValue: 0x4B0)
    /// Label-free self-consistency's samples.
    public static let selfConsistencySamples = StreamPurpose(rawValue: 0x135)
    /// A policy-gradient iteration's prompts.
    public static let policyPrompts = StreamPurpose(rawValue: 0x9A01)
    /// A policy-gradient iteration's response groups.
    public static let policySamples = StreamPurpose(rawValue: 0x9A02)
    /// The order in which a policy-gradient iteration's groups are batched.
    public static let policyBatches = StreamPurpose(rawValue: 0x9A03)
    /// The stochastic-outcome experiment's base targets (uniform deciles), one substream per step.
    public static let outcomeBaseTargets = StreamPurpose(rawValue: 0x9B01)
    /// The stochastic-outcome experiment's prompts, one substream per step.
    public static let outcomePrompts = StreamPurpose(rawValue: 0x9B02)
    /// The stochastic-outcome experiment's response groups, one substream per step.
    public static let outcomeSamples = StreamPurpose(rawValue: 0x9B03)
    /// The environment's outcome draws o ~ Bernoulli(p), one substream per step.
    public static let outcomeDraws = StreamPurpose(rawValue: 0x9B04)

    // MARK: Stated confidence

    /// The problems whose answers label P(True)'s training.
    public static let pTrueProblems = StreamPurpose(rawValue: 0x7E57)
    /// Which labelled answers make up each P(True) training step.
    public static let pTrueBatches = StreamPurpose(rawValue: 0x7E58)

    // MARK: The judge loop

    /// The judge's labelled seed problems.
    public static let judgeSeedProblems = StreamPurpose(rawValue: 0x1D5E)
    /// The judge's pool problems.
    public static let judgePoolProblems = StreamPurpose(rawValue: 0x1D90)
    /// The policy's answers to the seed problems.
    public static let judgeSeedAnswers = StreamPurpose(rawValue: 0xCA4D)
    /// The policy's answers to the pool problems.
    public static let judgePoolAnswers = StreamPurpose(rawValue: 0xCA4E)
    /// The policy's answers to the held-out problems.
    public static let judgeHeldOutAnswers = StreamPurpose(rawValue: 0xCA4F)
    /// A judge's initial weights.
    public static let judgeInitialization = StreamPurpose(rawValue: 0x1E17)
    /// The judge's supervised steps.
    public static let judgeSupervisedBatches = StreamPurpose(rawValue: 0x5F70)
    /// The judge's verdicts on the held-out answers.
    public static let judgeHeldOutVerdicts = StreamPurpose(rawValue: 0x1DE7)
    /// The judge's sampled verdicts on the pool.
    public static let judgePoolVerdicts = StreamPurpose(rawValue: 0x5A3E)
    /// The judge's preference steps.
    public static let judgePreferenceBatches = StreamPurpose(rawValue: 0x5F71)

    // MARK: The game's relatives (per run)

    /// Q-learning's exploration and the environment while it learns.
    public static let qLearning = StreamPurpose(rawValue: 0x0A1)
    /// SARSA's exploration and the environment while it learns.
    public static let sarsa = StreamPurpose(rawValue: 0x5A25A)
    /// The episodes that evaluate a learned policy for interruptibility.
    public static let interruptibilityEvaluation = StreamPurpose(rawValue: 0x1E7A)
    /// The obedience game's draws.
    public static let obedience = StreamPurpose(rawValue: 0x0BED)

    // MARK: Run records

    /// The bootstrap of a run's calibration tables (per iteration, then per confidence source).
    public static let runBootstrap = StreamPurpose(rawValue: 0xB007)
    /// Random sign assignments of a permutation test too large to enumerate.
    public static let permutationTests = StreamPurpose(rawValue: 0xB008)

    /// Every purpose above, with its name.
    public static let registered: [(name: String, purpose: StreamPurpose)] = [
        ("modelInitialization", .modelInitialization), ("vocabularyExtension", .vocabularyExtension), ("seedSet", .seedSet),
        ("trainingProblems", .trainingProblems), ("heldOutProblems", .heldOutProblems), ("heldOutSamples", .heldOutSamples),
        ("validationProblems", .validationProblems), ("poolProblems", .poolProblems), ("annotatedProblems", .annotatedProblems), ("supervisedBatches", .supervisedBatches),
        ("preferenceBatches", .preferenceBatches), ("dropoutMasks", .dropoutMasks),
        ("starRationales", .starRationales), ("starRationalizations", .starRationalizations), ("rejectionSamples", .rejectionSamples),
        ("bstarSearch", .bstarSearch), ("bstarQueries", .bstarQueries), ("bstarSamples", .bstarSamples),
        ("preferenceSamples", .preferenceSamples), ("selfConsistencySamples", .selfConsistencySamples),
        ("correctionSolutions", .correctionSolutions), ("correctionPositions", .correctionPositions), ("correctionSteps", .correctionSteps),
        ("feedbackResponses", .feedbackResponses),
        ("guidelineDemonstrations", .guidelineDemonstrations), ("guidelinePaths", .guidelinePaths), ("guidelineHints", .guidelineHints),
        ("rationalePerturbations", .rationalePerturbations), ("rationaleProblems", .rationaleProblems), ("rationaleWriting", .rationaleWriting),
        ("pTrueProblems", .pTrueProblems), ("pTrueBatches", .pTrueBatches),
        ("policyPrompts", .policyPrompts), ("policySamples", .policySamples), ("policyBatches", .policyBatches),
        ("outcomeBaseTargets", .outcomeBaseTargets), ("outcomePrompts", .outcomePrompts), ("outcomeSamples", .outcomeSamples),
        ("outcomeDraws", .outcomeDraws),
        ("judgeSeedProblems", .judgeSeedProblems), ("judgePoolProblems", .judgePoolProblems), ("judgeSeedAnswers", .judgeSeedAnswers),
        ("judgePoolAnswers", .judgePoolAnswers), ("judgeHeldOutAnswers", .judgeHeldOutAnswers),
        ("judgeInitialization", .judgeInitialization), ("judgeSupervisedBatches", .judgeSupervisedBatches),
        ("judgeHeldOutVerdicts", .judgeHeldOutVerdicts), ("judgePoolVerdicts", .judgePoolVerdicts),
        ("judgePreferenceBatches", .judgePreferenceBatches),
        ("qLearning", .qLearning), ("sarsa", .sarsa), ("interruptibilityEvaluation", .interruptibilityEvaluation), ("obedience", .obedience),
        ("runBootstrap", .runBootstrap), ("permutationTests", .permutationTests),
    ]
}

extension RandomStream {
    /// The stream for `purpose` under `seed`.
    public init(seed: UInt64, purpose: StreamPurpose) {
        self.init(seed: seed, stream: purpose.rawValue)
    }
}
