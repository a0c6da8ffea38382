import SafetyKitNumerics

/// A self-improvement method: how one iteration turns the current model into training data, and
/// how the loop trains on it. This is a real seam: a new method is one new type.
public protocol SelfImprovementMethod: Sendable {
    /// The name on the command line, e.g. "star".
    var name: String { get }
    /// The paper behind the method, for --help and config.json.
    var reference: String { get }
    /// Whether the method may read gold answers. A method that may not (label-free training)
    /// is handed a pool whose answers are blank and a task that cannot check answers.
    var usesGoldLabels: Bool { get }
    /// True: each iteration continues from the previous model and its optimizer (online).
    /// False: each iteration trains the base model afresh on the new data.
    var continuesFromPreviousModel: Bool { get }
    /// True: stop when greedy accuracy on the validation split stops improving (ReST-EM).
    var stopsEarly: Bool { get }
    /// Optimisation steps in iteration n (1-based).
    func trainingSteps(iteration n: Int) -> Int
    /// Samples from the current model and selects the iteration's training data.
    func collect(_ context: IterationContext) throws(ReasonerError) -> CollectedData
    /// The method's hyperparameters, for config.json and the run's summary.
    var settings: [(String, String)] { get }
    /// Set for methods that train by voting over dropout passes (MC-CoT); nil is plain SFT.
    var voting: VotingSettings? { get }
    /// Set for methods that train on preference pairs against the previous iteration's model.
    var preference: PreferenceLoss? { get }
    /// Set for methods that train by policy gradient on groups of rewarded responses.
    var policyGradient: PolicyGradientMethod? { get }
    /// Tokens the method writes that the base's vocabulary may lack (S^3c-Math's reflection
    /// marker); the loop appends the missing ones and extends the base model to them.
    var addedTokens: [String] { get }
}

/// MC-CoT's training-time voting: how many dropout passes, at which rate, fused with which α.
public struct VotingSettings: Sendable, Equatable {
    /// Dropout passes per training example.
    public var passes = 3
    /// Dropout in those passes.
    public var dropout: Float = 0.1
    /// The weight of the fused logits against the plain ones.
    public var alpha: Float = 0.5
    /// Voting settings.
    public init(passes: Int = 3, dropout: Float = 0.1, alpha: Float = 0.5) {
        self.passes = passes
        self.dropout = dropout
        self.alpha = alpha
    }
}

extension SelfImprovementMethod {
    /// Methods run every iteration unless they say otherwise.
    public var stopsEarly: Bool { false }
    /// No training-time voting unless the method uses it.
    public var voting: VotingSettings? { nil }
    /// No preference loss unless the method trains on pairs.
    public var preference: PreferenceLoss? { nil }
    /// No policy gradient unless the method is one.
    public var policyGradient: PolicyGradientMethod? { nil }
    /// No tokens beyond the base's.
    public var addedTokens: [String] { [] }
}

/// Where an example came from.
public enum ExampleSource: String, Sendable {
    /// The model's own sample from the plain prompt.
    case generation
    /// A sample from the prompt with the gold answer as a hint (STaR); saved without the hint.
    case rationalization
}

/// A selected training example: a problem and a completion the model wrote for it.
public struct SelectedExample: Sendable, Equatable {
    /// The problem.
    public var problem: Problem
    /// The completion to train on.
    public var completion: String
    /// Whether it came from generation or rationalization.
    public var source: ExampleSource
    /// A line of the completion (0-based) that is read but not trained on: S^3c-Math's wrong step.
    public var unscoredLine: Int? = nil

    /// A selected example.
    public init(problem: Problem, completion: String, source: ExampleSource, unscoredLine: Int? = nil) {
        self.problem = problem
        self.completion = completion
        self.source = source
        self.unscoredLine = unscoredLine
    }
}

/// What an iteration's collection produced.
public struct CollectedData: Sendable {
    /// Examples to fine-tune on.
    public var examples: [SelectedExample] = []
    /// Preference pairs (problem, chosen completion, rejected completion), for preference methods.
    public var pairs: [(problem: Problem, chosen: String, rejected: String)] = []
    /// Rewarded response groups, for policy-gradient methods.
    public var rollouts: [RolloutGroup] = []
    /// Tokens generated (prompts excluded).
    public var tokensSampled = 0
    /// Method-specific choices worth logging (B-STaR's temperature and threshold, ...).
    public var notes: [(String, String)] = []

    /// Nothing collected yet.
    public init() {}
}
