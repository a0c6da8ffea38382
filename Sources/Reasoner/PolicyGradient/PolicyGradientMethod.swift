import SafetyKitNumerics

/// What a policy-gradient method rewards a response for.
public enum PolicyReward: String, CaseIterable, Sendable, Codable {
    /// 1 for the right answer, 0 otherwise (the default).
    case binary
    /// B-STaR's step-checked score: the answer's correctness plus 2·[every step right] − 1, in [−1, 2].
    case step
    /// RLCR (Damani et al. 2025): correctness plus the Brier score of the stated confidence q,
    /// 1[right] − (q − 1[right])², in [−1, 1]; a missing or malformed `Confidence:` line scores
    /// the worst Brier term, 1, so a right answer without one earns 0.
    case rlcr
    /// The off-switch game's utility of the model's decision line (study.md, the learned game):
    /// acting earns U (+1 right, −wrongCost wrong), waiting π(U)·U in expectation over the
    /// environment's human, switching off 0. No decision is an act.
    case game
    /// Task success only (the learned off-switch incentive): 1 for a right answer that goes
    /// through (acting; waiting, with the human's probability π(+1)), minus `waitCost` for
    /// waiting; switching off earns 0. No decision is an act.
    case success

    /// The reward of `attempt` at `problem`; `environment` is the human of `game` and `success`.
    public func value(_ attempt: Attempt, problem: Problem, task: any ReasoningTask, environment: DecisionEnvironment? = nil) -> Double {
        let right = attempt.isCorrect(problem.answer)
        switch self {
        case .binary:
            return right ? 1 : 0
        case .step:
            return ProcessReward.reward(attempt, problem: problem, task: task)
        case .rlcr:
            let outcome = right ? 1.0 : 0.0
            let brier = attempt.statement.probability.map { ($0 - outcome) * ($0 - outcome) } ?? 1
            return outcome - brier
        case .game:
            guard let environment else { preconditionFailure("the game reward needs its environment") }
            let u = right ? 1 : -environment.wrongCost
            switch attempt.decision.action ?? .act {
            case .act: return u
            case .wait: return environment.allowProbability(u) * u
            case .off: return 0
            }
        case .success:
            guard let environment else { preconditionFailure("the success reward needs its environment") }
            switch attempt.decision.action ?? .act {
            case .act: return right ? 1 : 0
            case .wait: return (right ? environment.allowProbability(1) : 0) - environment.waitCost
            case .off: return 0
            }
        }
    }

    /// Whether the reward reads a verbalized confidence (so the model must be able to state one).
    public var needsVerbalizedConfidence: Bool {
        switch self {
        case .binary, .step, .game, .success: false
        case .rlcr: true
        }
    }

    /// Whether the reward reads the decision line and needs the environment's human.
    public var needsDecision: Bool {
        switch self {
        case .binary, .step, .rlcr: false
        case .game, .success: true
        }
    }
}

/// The environment of behavioural deference: the human who sees whether an answer is right and
/// lets a waited answer through with probability π(U), and what waiting and wrong answers cost.
public struct DecisionEnvironment: Sendable {
    /// The utility lost when a wrong answer goes through (a right one earns +1).
    public var wrongCost: Double
    /// What waiting costs in the success reward (the delay of asking).
    public var waitCost: Double
    /// π(U): the probability that the human lets an answer of utility U through.
    public var allowProbability: @Sendable (Double) -> Double

    /// An environment.
    public init(wrongCost: Double, waitCost: Double, allowProbability: @escaping @Sendable (Double) -> Double) {
        self.wrongCost = wrongCost
        self.waitCost = waitCost
        self.allowProbability = allowProbability
    }
}

/// A response group of one prompt, as a method collects it: the problem and each sampled
/// completion with the number of tokens the sampler drew for it and its reward.
public struct RolloutGroup: Sendable, Equatable {
    /// The prompt's problem.
    public var problem: Problem
    /// The sampled completions (text without <eos>), the tokens drawn for each (<eos> included
    /// when it finished, so one more than the text's tokens), and their rewards.
    public var responses: [(completion: String, sampledTokens: Int, reward: Double)]

    public static func == (a: RolloutGroup, b: RolloutGroup) -> Bool {
        a.problem == b.problem && a.responses.elementsEqual(b.responses) {
            $0.completion == $1.completion && $0.sampledTokens == $1.sampledTokens && $0.reward == $1.reward
        }
    }
}

/// GRPO, Dr. GRPO and RLOO as self-improvement methods (confidence-and-rl.md): each iteration
/// draws `promptsPerIteration` problems from the pool, samples a group of `groupSize` responses
/// to each with the current model, rewards them, and trains the policy on the groups
/// (`PolicyGradientTrainer`), `groupsPerStep` groups per batch and `updatesPerBatch` steps on
/// each, continuing from the previous iteration's model and optimizer. The KL reference is the
/// base model.
public struct PolicyGradientMethod: SelfImprovementMethod {
    /// The trainer's estimator and constants.
    public var training = PolicyGradientTrainer.Settings()
    /// The reward.
    public var reward = PolicyReward.binary
    /// The human and costs of the `game` and `success` rewards.
    public var environment: DecisionEnvironment?
    /// G, responses per prompt (DeepSeekMath: 64; TRL's default: 8).
    public var groupSize = 8
    /// The sampling temperature (1: the policy's own distribution).
    public var temperature: Float = 1
    /// Prompts sampled per iteration, a fresh draw from the pool each time.
    public var promptsPerIteration = 128
    /// Groups per optimisation batch (8 groups of 8: 64 sequences).
    public var groupsPerStep = 8
    /// The policy's learning rate (constant).
    public var learningRate: Float = 1e-4

    /// A method with `estimator`'s advantages.
    public init(estimator: AdvantageEstimator) { training.estimator = estimator }

    /// The estimator's name, with the reward's after a dash unless it is the binary default
    /// ("rloo", "rloo-game"), so that arms of one estimator with different rewards differ.
    public var name: String {
        switch reward {
        case .binary: training.estimator.rawValue
        case .step, .rlcr, .game, .success: training.estimator.rawValue + "-" + reward.rawValue
        }
    }
    public var reference: String {
        switch training.estimator {
        case .grpo: "Shao et al. 2024, DeepSeekMath (GRPO)"
        case .drGRPO: "Liu et al. 2025, Understanding R1-Zero-like Training (Dr. GRPO)"
        case .rloo: "Ahmadian et al. 2024, Back to Basics: Revisiting REINFORCE Style Optimization (RLOO)"
        }
    }
    public func goldLabels(iteration n: Int) -> GoldLabels { .pool }
    public var continuesFromPreviousModel: Bool { true }
    public func trainingSteps(iteration n: Int) -> Int {
        (promptsPerIteration + groupsPerStep - 1) / groupsPerStep * training.updatesPerBatch
    }
    /// The method itself: the loop trains it by policy gradient.
    public var policyGradient: PolicyGradientMethod? { self }
    public var settings: [(String, String)] {
        [("estimator", training.estimator.rawValue), ("reward", reward.rawValue), ("group_size", String(groupSize)),
         ("temperature", "\(temperature)"), ("prompts_per_iteration", String(promptsPerIteration)), ("groups_per_step", String(groupsPerStep)),
         ("updates_per_batch", String(training.updatesPerBatch)), ("clip_range", "\(training.clipRange)"),
         ("kl_coefficient", "\(training.klCoefficient)"), ("learning_rate", "\(learningRate)")]
            + (reward.needsDecision ? [("wrong_cost", "\(environment?.wrongCost ?? 1)"), ("wait_cost", "\(environment?.waitCost ?? 0)")] : [])
    }

    public func collect(_ context: IterationContext) throws(ReasonerError) -> CollectedData {
        // This iteration's prompts: a seeded draw without replacement from the pool, in pool order.
        var stream = RandomStream(seed: context.seed(for: .policyPrompts))
        var indices = Array(context.pool.indices)
        stream.shuffle(&indices)
        let prompts = indices.prefix(min(promptsPerIteration, indices.count)).sorted().map { context.pool[$0] }
        let attempts = try context.sample(prompts, k: groupSize, sampler: Sampler(temperature: temperature), purpose: .policySamples)
        var data = CollectedData()
        for (problem, tries) in zip(prompts, attempts) {
            var group = RolloutGroup(problem: problem, responses: [])
            for a in tries {
                data.tokensSampled += a.logProbabilities.count
                group.responses.append((a.completion, a.logProbabilities.count, reward.value(a, problem: problem, task: context.task, environment: environment)))
            }
            data.rollouts.append(group)
        }
        return data
    }
}
