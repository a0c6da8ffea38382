/// Everything a self-improvement run fixes before its first iteration: the task and its
/// difficulties, the sizes of its problem sets, the base model's gold seed set, and the
/// training and evaluation settings. Every default is the documented default run.
public struct SelfImprovementSetup: Sendable {
    public var task: any ReasoningTask
    public var difficulties: [Int]
    public var iterations: Int
    public var seed: UInt64
    /// Problems per difficulty in the pool the loop improves on (answers only, no rationales).
    public var poolPerDifficulty = 500
    /// Held-out test problems per difficulty (capped at a fifth of a small difficulty's problems).
    public var heldOutPerDifficulty = 100
    /// Validation problems per difficulty, for early stopping; disjoint from the test set.
    public var validationPerDifficulty = 50
    /// Gold rationales per difficulty for the base model (the seed set).
    public var seedSet: [Int]
    public var baseSteps = 2000
    /// Share of base examples whose prompt carries the answer as a hint, so the base can rationalize.
    public var baseHintShare = 0.2
    public var learningRate: Float = 1e-3
    /// Peak learning rate of preference training (a tenth of SFT's: DPO's updates are sharper).
    public var preferenceLearningRate: Float = 1e-4
    public var baseWarmupSteps = 100
    public var warmupSteps = 30
    public var batchSize = 32
    /// Sequences per sampling batch.
    public var samplingBatch = 128
    public var evaluation = HeldOutEvaluation()

    public init(task: any ReasoningTask, difficulties: [Int], iterations: Int, seed: UInt64, seedSet: [Int]) {
        self.task = task
        self.difficulties = difficulties
        self.iterations = iterations
        self.seed = seed
        self.seedSet = seedSet
    }
}
