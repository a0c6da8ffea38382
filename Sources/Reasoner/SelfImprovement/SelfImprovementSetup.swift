/// Everything a self-improvement run fixes before its first iteration: the task and its
/// difficulties, the sizes of its problem sets, the base model's gold seed set, and the
/// training and evaluation settings. Every default is the documented default run.
public struct SelfImprovementSetup: Sendable {
    /// The task.
    public var task: any ReasoningTask
    public var difficulties: [Int]
    /// Iterations after the base model.
    public var iterations: Int
    /// The seed of every stream of the run.
    public var seed: UInt64
    /// Problems per difficulty in the pool the loop improves on (answers only, no rationales).
    public var poolPerDifficulty = 500
    /// Held-out test problems per difficulty (capped at a fifth of a small difficulty's problems).
    public var heldOutPerDifficulty = 100
    /// Validation problems per difficulty, for early stopping; disjoint from the test set.
    public var validationPerDifficulty = 50
    /// Gold rationales per difficulty for the base model (the seed set).
    public var seedSet: [Int]
    /// The base model's SFT steps.
    public var baseSteps = 2000
    /// Share of base examples whose prompt carries the answer as a hint, so the base can rationalize.
    public var baseHintShare = 0.2
    /// Peak learning rate of SFT.
    public var learningRate: Float = 1e-3
    /// Peak learning rate of preference training (a tenth of SFT's: DPO's updates are sharper).
    public var preferenceLearningRate: Float = 1e-4
    /// Warm-up steps of the base model's SFT.
    public var baseWarmupSteps = 100
    /// Warm-up steps of each iteration's training.
    public var warmupSteps = 30
    /// Sequences per training step.
    public var batchSize = 32
    /// Sequences per sampling batch.
    public var samplingBatch = 128
    /// How held-out problems are measured.
    public var evaluation = HeldOutEvaluation()

    /// A setup with the documented defaults.
    public init(task: any ReasoningTask, difficulties: [Int], iterations: Int, seed: UInt64, seedSet: [Int]) {
        self.task = task
        self.difficulties = difficulties
        self.iterations = iterations
        self.seed = seed
        self.seedSet = seedSet
    }
}
