import Foundation
import SafetyKitNumerics

/// One sampled response to a prompt and its reward.
public struct Rollout: Sendable, Equatable {
    /// The prompt's tokens.
    public var prompt: [Int]
    /// The completion's tokens (ending in <eos> when it finished).
    public var completion: [Int]
    /// Its reward.
    public var reward: Double

    /// A rollout.
    public init(prompt: [Int], completion: [Int], reward: Double) {
        self.prompt = prompt
        self.completion = completion
        self.reward = reward
    }
}

/// Policy-gradient training on groups of rollouts (GRPO, Dr. GRPO, RLOO; confidence-and-rl.md).
///
/// A step takes groups of responses to the same prompts, turns each group's rewards into
/// advantages (`AdvantageEstimator`), and maximises PPO's clipped surrogate
///
///     J = (1/B) Σᵢ Σ_t fᵢ · [min(ρ_t Aᵢ, clip(ρ_t, 1 − ε, 1 + ε) Aᵢ) − β·k3_t]
///
/// over the B responses of the batch, where ρ_t = π(y_t)/π_old(y_t) against the model that
/// sampled them, fᵢ the estimator's token factor (1/|oᵢ| for GRPO, 1/L_max for Dr. GRPO, 1 for
/// RLOO), and k3_t = π_ref/π − log(π_ref/π) − 1 the KL estimator against the reference (the base),
/// skipped when β = 0. Since ∂ρ/∂θ = ρ ∂log π/∂θ and ∂k3/∂θ = (1 − π_ref/π) ∂log π/∂θ, the gradient
/// of −J is the cross-entropy backward with the weight fᵢ·(ρ_t Aᵢ·[unclipped] − β(1 − π_ref/π))/B
/// on token t: one forward and backward pass, plus a forward of the sampling model (skipped while
/// the policy still is that model, where ρ = 1 exactly) and one of the reference when β > 0.
public final class PolicyGradientTrainer {
    /// The estimator and PPO's constants.
    public struct Settings: Sendable, Equatable, Codable {
        /// How rewards become advantages and how token terms are averaged.
        public var estimator: AdvantageEstimator = .grpo
        /// β, the weight of the KL penalty to the reference (DeepSeekMath: 0.04; 0 skips it).
        public var klCoefficient = 0.0
        /// ε of PPO's clip.
        public var clipRange = 0.2
        /// μ, optimisation steps on each batch of groups (1: the ratio stays 1 and the surrogate is REINFORCE).
        public var updatesPerBatch = 1
        /// The longest completion allowed, Dr. GRPO's constant denominator.
        public var maxCompletionTokens = 256

        /// Settings.
        public init(estimator: AdvantageEstimator = .grpo, klCoefficient: Double = 0, clipRange: Double = 0.2, updatesPerBatch: Int = 1,
                    maxCompletionTokens: Int = 256) {
            self.estimator = estimator
            self.klCoefficient = klCoefficient
            self.clipRange = clipRange
            self.updatesPerBatch = updatesPerBatch
            self.maxCompletionTokens = maxCompletionTokens
        }
    }

    /// What one step measured, with TRL's `GRPOTrainer` names in comments.
    public struct StepLog: Sendable, Equatable, Codable {
        /// loss: −J.
        public var loss = 0.0
        /// reward: the batch's mean reward.
        public var rewardMean = 0.0
        /// reward_std: the mean over groups of the group's sample standard deviation.
        public var rewardStd = 0.0
        /// frac_reward_zero_std: the share of groups whose rewards are all equal (no signal).
        public var zeroStdShare = 0.0
        /// kl: the mean k3 estimate per completion token against the reference (0 without one).
        public var kl = 0.0
        /// clip_ratio: the share of completion tokens whose term was clipped.
        public var clipRatio = 0.0
        /// entropy: the policy's mean entropy per completion token, in nats.
        public var entropy = 0.0
        /// completions/mean_length: completion tokens per response.
        public var completionLength = 0.0
        /// The gradient norm before clipping.
        public var gradientNorm: Float = 0
        /// The step's learning rate.
        public var learningRate: Float = 0
    }

    /// The policy being trained.
    public private(set) var model: TransformerModel
    /// The KL penalty's reference (used when β > 0).
    public let reference: TransformerModel
    /// The estimator and constants.
    public let settings: Settings
    /// The policy's optimizer.
    public var optimizer: AdamW
    /// The learning-rate schedule.
    public var schedule: LearningRateSchedule
    private var workspace: TransformerWorkspace?

    /// A trainer starting from `model`; `reference` is frozen.
    public init(model: TransformerModel, reference: TransformerModel, settings: Settings, schedule: LearningRateSchedule,
                optimizer: AdamW? = nil) throws(ReasonerError) {
        guard reference.configuration == model.configuration else {
            throw .badConfiguration("the reference model has another configuration than the policy (\(reference.configuration) vs \(model.configuration))")
        }
        guard settings.updatesPerBatch >= 1, settings.clipRange > 0, settings.klCoefficient >= 0, settings.maxCompletionTokens >= 1 else {
            throw .badConfiguration("policy-gradient settings need updates per batch >= 1, clip range > 0, KL coefficient >= 0")
        }
        self.model = model
        self.reference = reference
        self.settings = settings
        self.schedule = schedule
        self.optimizer = optimizer ?? AdamW(parameterCount: model.parameterCount)
    }

    /// −log π of every position of the batch under `model` (the workspace then holds that pass).
    private func negativeLogProbabilities(_ model: TransformerModel, _ ws: TransformerWorkspace, tokens: [Int32], targets: [Int32]) -> [Float] {
        var none: RandomStream? = nil
        ws.forward(model, tokens: tokens, targets: targets, dropout: &none)
        return ws.positionLosses()
    }

    /// The loss −J of a batch of groups, its log and its gradient, without updating the policy.
    /// `old` is the model that sampled the rollouts; nil means the policy itself (ρ = 1).
    public func lossAndGradients(_ groups: [[Rollout]], old: TransformerModel?) throws(ReasonerError) -> (log: StepLog, gradients: [Float]) {
        let rollouts = groups.flatMap { $0 }
        guard !rollouts.isEmpty else { throw .badProblem("a policy-gradient batch needs at least one rollout") }
        if let i = rollouts.firstIndex(where: { $0.completion.isEmpty }) { throw .badProblem("rollout \(i + 1) has an empty completion") }
        var advantages: [Double] = [], log = StepLog()
        for group in groups {
            let rewards = group.map(\.reward)
            advantages += settings.estimator.advantages(rewards)
            guard !rewards.isEmpty else { continue }
            let std = AdvantageEstimator.statistics(rewards).std
            log.rewardStd += std / Double(groups.count)
            if std == 0 { log.zeroStdShare += 1 / Double(groups.count) }
        }
        log.rewardMean = rollouts.reduce(0) { $0 + $1.reward } / Double(rollouts.count)
        let examples = rollouts.map { TrainingExample(tokens: $0.prompt + $0.completion, promptLength: $0.prompt.count) }
        let ws = try TransformerWorkspace.fitting(examples, configuration: model.configuration, reusing: workspace)
        workspace = ws
        let (tokens, targets) = TrainingExample.batch(examples, length: ws.T, pad: 0)
        let beta = settings.klCoefficient, epsilon = settings.clipRange, B = Double(rollouts.count)
        let referenceLoss = beta > 0 ? negativeLogProbabilities(reference, ws, tokens: tokens, targets: targets) : nil
        let oldLoss = old.map { negativeLogProbabilities($0, ws, tokens: tokens, targets: targets) }
        let policyLoss = negativeLogProbabilities(model, ws, tokens: tokens, targets: targets)   // last: backward uses it
        var weights = [Float](repeating: 0, count: rollouts.count * ws.T)
        var scored = 0, clipped = 0
        for b in rollouts.indices {
            let length = rollouts[b].completion.count
            let factor = settings.estimator.tokenFactor(length: length, maxLength: settings.maxCompletionTokens)
            let a = advantages[b]
            for t in 0..<ws.T where targets[b * ws.T + t] >= 0 {
                let k = b * ws.T + t
                let logP = -Double(policyLoss[k])
                let ratio = oldLoss.map { exp(logP + Double($0[k])) } ?? 1
                let bounded = min(max(ratio, 1 - epsilon), 1 + epsilon)
                let unclipped = ratio * a <= bounded * a
                var term = min(ratio * a, bounded * a), weight = unclipped ? ratio * a : 0
                if !unclipped { clipped += 1 }
                if let referenceLoss {
                    let r = exp(-Double(referenceLoss[k]) - logP)        // π_ref/π
                    let k3 = r - Foundation.log(r) - 1
                    term -= beta * k3
                    weight -= beta * (1 - r)
                    log.kl += k3
                }
                log.loss -= factor * term / B
                weights[k] = Float(factor * weight / B)
                let p = ws.probabilities(b: b, t: t)
                log.entropy -= p.reduce(0.0) { $1 > 0 ? $0 + Double($1) * Foundation.log(Double($1)) : $0 }
                scored += 1
            }
        }
        log.kl /= Double(max(1, scored))
        log.entropy /= Double(max(1, scored))
        log.clipRatio = Double(clipped) / Double(max(1, scored))
        log.completionLength = Double(scored) / B
        ws.backward(model, weights: weights)
        return (log, ws.gradients)
    }

    /// One optimisation step on a batch of groups sampled by `old` (nil: by the policy itself).
    public func step(_ groups: [[Rollout]], old: TransformerModel?) throws(ReasonerError) -> StepLog {
        var (log, gradients) = try lossAndGradients(groups, old: old)
        log.learningRate = schedule.rate(at: optimizer.step)
        log.gradientNorm = optimizer.update(&model, gradients: gradients, learningRate: log.learningRate)
        return log
    }
}
