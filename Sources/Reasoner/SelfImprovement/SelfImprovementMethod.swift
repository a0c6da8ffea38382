import SafetyKitNumerics

/// A self-improvement method: how one iteration turns the current model into training data, and
/// how the loop trains on it. This is a real seam: a new method is one new type.
public protocol SelfImprovementMethod: Sendable {
    /// The name on the command line, e.g. "star".
    var name: String { get }
    /// The paper behind the method, for --help and config.json.
    var reference: String { get }
    /// Which gold answers iteration n (1-based) may read. Without any (label-free training) it
    /// is handed a pool whose answers are blank and a task that cannot check answers.
    func goldLabels(iteration n: Int) -> GoldLabels
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

/// Which gold answers a method's iteration may read, and so which problems it is handed.
public enum GoldLabels: Sendable, Equatable {
    /// The pool with its gold answers (STaR, RFT, B-STaR, ...).
    case pool
    /// A set of annotated problems in place of the pool, disjoint from it and from the held-out
    /// and validation sets (`SelfImprovementLoop.annotated`): SELF's meta-skill stage, kept apart
    /// from the problems it later improves on without labels.
    case annotated
    /// None: the pool with blank answers and a task that cannot check them (LMSI, SELF's
    /// self-evolution).
    case none
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
    /// Text read after the prompt whose tokens are distilled from the model the iteration starts
    /// from rather than trained on (`TrainingExample.distilled`): SELF's response, ahead of the
    /// feedback and refinement it learns to write.
    public var distilledPrefix: String? = nil
    /// Text read after that and before the completion, not trained on: SELF's feedback request.
    public var unscoredPrefix: String? = nil
    /// The guideline the prompt carries (ReGenesis's demonstrations); nil for the plain prompt.
    public var guideline: Guideline? = nil
    /// PINTO's counterfactual example: the completion's last line (the answer) is not trained
    /// but pulled towards the uniform guess over the digits after the rest, a perturbed rationale
    /// (`TrainingExample.uniformGuess`).
    public var counterfactual = false

    /// A selected example.
    public init(problem: Problem, completion: String, source: ExampleSource, unscoredLine: Int? = nil, distilledPrefix: String? = nil,
                unscoredPrefix: String? = nil, guideline: Guideline? = nil, counterfactual: Bool = false) {
        self.problem = problem
        self.guideline = guideline
        self.counterfactual = counterfactual
        self.completion = completion
        self.source = source
        self.unscoredLine = unscoredLine
        self.distilledPrefix = distilledPrefix
        self.unscoredPrefix = unscoredPrefix
    }
}

extension SelectedExample {
    /// The example the loop trains: the prompt (with the guideline) and completion with their
    /// unscored and distilled parts, or for a counterfactual one, everything but the answer
    /// line read and the answer pulled towards the uniform guess.
    public func trainingExample(task: any ReasoningTask, vocabulary: Vocabulary) throws(ReasonerError) -> TrainingExample {
        guard counterfactual else {
            return try TrainingExample(task: task, problem: problem, vocabulary: vocabulary, completion: completion, guideline: guideline,
                                       unscoredLine: unscoredLine, distilledPrefix: distilledPrefix, unscoredPrefix: unscoredPrefix)
        }
        var lines = completion.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        let answer = lines.removeLast()
        let reading = task.prompt(problem) + lines.joined(separator: "\n") + "\n"
        return TrainingExample.uniformGuess(reading: try vocabulary.encode(reading, context: "the counterfactual of \(problem.key)"),
                                            answer: try vocabulary.encode(answer, context: "the answer of \(problem.key)"), vocabulary: vocabulary)
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
    /// The weight of the KL on examples' distilled prefixes, against the cross-entropy's 1.
    public var distillation = 10.0

    /// Nothing collected yet.
    public init() {}
}
