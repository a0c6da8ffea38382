/// What one iteration (or, as iteration 0, the base model) measured: plain values for the
/// Analysis module's recorders to write and draw.
public struct IterationReport: Sendable {
    /// The iteration (0 is the base model).
    public var iteration: Int
    /// The held-out test set, one record per problem.
    public var records: [HeldOutRecord]
    /// Greedy accuracy on the validation split.
    public var validationAccuracy: Double
    /// The selected training data, summarised per difficulty (empty for iteration 0).
    public var trainingData: [Int: TrainingDataSummary]
    /// Tokens generated while collecting (prompts excluded).
    public var tokensSampled: Int
    /// Completion tokens trained on.
    public var tokensTrained: Int
    /// Optimisation steps taken.
    public var trainingSteps: Int
    /// Method-specific choices (B-STaR's temperature, threshold and balance score).
    public var notes: [(String, String)]
    /// True if this iteration did not improve validation accuracy and the method stops early.
    public var stoppedEarly: Bool
    /// Wall time of the iteration's phases, in seconds (not reproducible; kept out of metrics.csv).
    public var seconds: (collect: Double, train: Double, evaluate: Double)
    /// Per training step, the preference trainer's log (preference methods only).
    public var preferenceLog: [PreferenceTrainer.StepLog] = []
    /// Per training step, the policy-gradient trainer's log (policy-gradient methods only).
    public var policyLog: [PolicyGradientTrainer.StepLog] = []

    /// An iteration's report.
    public init(iteration: Int, records: [HeldOutRecord], validationAccuracy: Double, trainingData: [Int: TrainingDataSummary],
                tokensSampled: Int, tokensTrained: Int, trainingSteps: Int, notes: [(String, String)], stoppedEarly: Bool,
                seconds: (collect: Double, train: Double, evaluate: Double), preferenceLog: [PreferenceTrainer.StepLog] = [],
                policyLog: [PolicyGradientTrainer.StepLog] = []) {
        self.iteration = iteration
        self.records = records
        self.validationAccuracy = validationAccuracy
        self.trainingData = trainingData
        self.tokensSampled = tokensSampled
        self.tokensTrained = tokensTrained
        self.trainingSteps = trainingSteps
        self.notes = notes
        self.stoppedEarly = stoppedEarly
        self.seconds = seconds
        self.preferenceLog = preferenceLog
        self.policyLog = policyLog
    }
}

/// The selected training data of one difficulty, checked against the gold answers (by the loop,
/// after selection: a label-free method never sees them).
public struct TrainingDataSummary: Sendable, Equatable {
    /// Pool problems at this difficulty.
    public var poolProblems = 0
    /// Selected examples, and how many have the right answer and every step right.
    public var selected = 0
    /// (see `selected`)
    public var selectedCorrect = 0
    /// (see `selected`)
    public var selectedStepsCorrect = 0
    /// Pool problems with a right selected example from generation, and with one only from rationalization.
    public var coveredByGeneration = 0
    /// (see `coveredByGeneration`)
    public var coveredByRationalization = 0

    /// An empty summary.
    public init() {}
}
