import Foundation
import Testing
@testable import SafetyKitNumerics
@testable import SafetyKitReasoner

@Suite("Policy gradients: GRPO, Dr. GRPO, RLOO")
struct PolicyGradientTests {
    @Test func advantagesMatchHandComputations() {
        let rewards = [1.0, 0, 0, 1, 1]      // mean 0.6; sample std √(1.2/4) = 0.5477
        let s = (1.2 / 4).squareRoot()
        let grpo = AdvantageEstimator.grpo.advantages(rewards)
        #expect(zip(grpo, rewards).allSatisfy { abs($0 - ($1 - 0.6) / (s + 1e-4)) < 1e-15 })
        #expect(AdvantageEstimator.drGRPO.advantages(rewards).enumerated().allSatisfy { abs($1 - (rewards[$0] - 0.6)) < 1e-15 })
        // RLOO: reward minus the mean of the other four; for a right answer 1 − 2/4, for a wrong one 0 − 3/4.
        let rloo = AdvantageEstimator.rloo.advantages(rewards)
        #expect(zip(rloo, [0.5, -0.75, -0.75, 0.5, 0.5]).allSatisfy { abs($0 - $1) < 1e-15 })
        // Equal rewards (and a group of one) carry no signal: zero, never NaN.
        for estimator in AdvantageEstimator.allCases {
            #expect(estimator.advantages([1, 1, 1, 1]) == [0, 0, 0, 0])
            #expect(estimator.advantages([0.3]) == [0])
        }
        #expect(AdvantageEstimator.grpo.tokenFactor(length: 4, maxLength: 10) == 0.25)
        #expect(AdvantageEstimator.drGRPO.tokenFactor(length: 4, maxLength: 10) == 0.1)
        #expect(AdvantageEstimator.rloo.tokenFactor(length: 4, maxLength: 10) == 1)
    }

    /// A two-action policy π(1) = σ(θ) with rewards r(1) = 1, r(0) = 0.3: the exact expectation
    /// of each estimator's update (1/G) Σ Aᵢ ∂log π(aᵢ)/∂θ, over all 2^G outcomes of a group.
    /// RLOO's equals the true gradient ∂E[r]/∂θ = σ'(θ)·0.7; Dr. GRPO's is (G − 1)/G of it; GRPO's
    /// is neither (its division by the group's std rescales groups unevenly).
    @Test func rlooIsUnbiasedOnATwoActionPolicy() {
        let theta = 0.4, p = 1 / (1 + exp(-theta)), G = 4
        let truth = p * (1 - p) * (1 - 0.3)
        func expectedUpdate(_ estimator: AdvantageEstimator) -> Double {
            var total = 0.0
            for outcome in 0..<(1 << G) {
                let actions = (0..<G).map { (outcome >> $0) & 1 }
                let probability = actions.reduce(1.0) { $0 * ($1 == 1 ? p : 1 - p) }
                let advantages = estimator.advantages(actions.map { $0 == 1 ? 1 : 0.3 })
                // ∂log π(1)/∂θ = 1 − p, ∂log π(0)/∂θ = −p.
                let update = zip(actions, advantages).reduce(0.0) { $0 + $1.1 * ($1.0 == 1 ? 1 - p : -p) } / Double(G)
                total += probability * update
            }
            return total
        }
        #expect(abs(expectedUpdate(.rloo) - truth) < 1e-14)
        #expect(abs(expectedUpdate(.drGRPO) - Double(G - 1) / Double(G) * truth) < 1e-14)
        #expect(abs(expectedUpdate(.grpo) - truth) > 1e-3 * truth)
    }

    static let tiny = ModelConfiguration(vocabularySize: 7, contextLength: 8, width: 8, depth: 2, heads: 2, mlpRatio: 2)

    static let groups: [[Rollout]] = [
        [Rollout(prompt: [3, 4], completion: [5, 2, 1], reward: 1), Rollout(prompt: [3, 4], completion: [6, 1], reward: 0),
         Rollout(prompt: [3, 4], completion: [5, 5, 6, 1], reward: 1)],
        [Rollout(prompt: [2], completion: [4, 4, 1], reward: 0), Rollout(prompt: [2], completion: [3, 1], reward: 1),
         Rollout(prompt: [2], completion: [6, 6, 1], reward: 0)],
    ]

    /// −J recomputed from the formula with the scorer's token log-probabilities, for finite differences.
    static func fullLoss(_ model: TransformerModel, old: TransformerModel, reference: TransformerModel,
                         settings: PolicyGradientTrainer.Settings) throws -> Double {
        let rollouts = groups.flatMap { $0 }
        let examples = rollouts.map { TrainingExample(tokens: $0.prompt + $0.completion, promptLength: $0.prompt.count) }
        let p = try CompletionScorer.tokenLogProbabilities(model, examples), q = try CompletionScorer.tokenLogProbabilities(old, examples)
        let r = try CompletionScorer.tokenLogProbabilities(reference, examples)
        let advantages = groups.flatMap { settings.estimator.advantages($0.map(\.reward)) }
        var j = 0.0
        for i in rollouts.indices {
            let f = settings.estimator.tokenFactor(length: rollouts[i].completion.count, maxLength: settings.maxCompletionTokens)
            for t in p[i].indices {
                let ratio = exp(Double(p[i][t]) - Double(q[i][t])), a = advantages[i], e = settings.clipRange
                let ref = exp(Double(r[i][t]) - Double(p[i][t]))
                j += f * (min(ratio * a, min(max(ratio, 1 - e), 1 + e) * a) - settings.klCoefficient * (ref - log(ref) - 1))
            }
        }
        return -j / Double(rollouts.count)
    }

    /// The surrogate and the KL term by finite differences through the model, for each estimator,
    /// with the sampling model a little away from the policy (so ratios are not 1) and a reference.
    @Test(arguments: AdvantageEstimator.allCases)
    func surrogateAndKLGradientsMatchFiniteDifferences(estimator: AdvantageEstimator) throws {
        var model = try TransformerModel(configuration: Self.tiny, seed: 2, scale: 0.4)
        let reference = try TransformerModel(configuration: Self.tiny, seed: 1, scale: 0.4)
        var old = model
        var noise = RandomStream(seed: 5)
        for i in old.parameters.indices { old.parameters[i] += Float(0.02 * noise.nextNormal()) }
        let settings = PolicyGradientTrainer.Settings(estimator: estimator, klCoefficient: 0.3, clipRange: 0.2, maxCompletionTokens: 6)
        let trainer = try PolicyGradientTrainer(model: model, reference: reference, settings: settings,
                                                schedule: LearningRateSchedule(peak: 1e-3, warmupSteps: 1, totalSteps: 1))
        let (log, analytic) = try trainer.lossAndGradients(Self.groups, old: old)
        #expect(abs(log.loss - (try Self.fullLoss(model, old: old, reference: reference, settings: settings))) < 1e-5)
        #expect(log.kl > 0 && log.entropy > 0 && log.completionLength == 17.0 / 6)
        var stream = RandomStream(seed: 7)
        for _ in 0..<40 {
            let i = stream.nextIndex(below: model.parameterCount)
            let original = model.parameters[i], h: Float = 1e-2
            model.parameters[i] = original + h
            let plus = try Self.fullLoss(model, old: old, reference: reference, settings: settings)
            model.parameters[i] = original - h
            let minus = try Self.fullLoss(model, old: old, reference: reference, settings: settings)
            model.parameters[i] = original
            let numeric = (plus - minus) / (2 * Double(h))
            #expect(abs(numeric - Double(analytic[i])) <= 2e-2 * abs(numeric) + 2e-4, "\(estimator) index \(i): \(analytic[i]) vs \(numeric)")
        }
    }

    /// Clipping: a ratio beyond 1 + ε with a positive advantage (or below 1 − ε with a negative one)
    /// contributes no gradient; with the sampling model equal to the policy nothing is clipped
    /// and the surrogate's gradient is REINFORCE's.
    @Test func clippedTokensCarryNoGradient() throws {
        let model = try TransformerModel(configuration: Self.tiny, seed: 2, scale: 0.4)
        let settings = PolicyGradientTrainer.Settings(estimator: .rloo, clipRange: 0.2)
        let trainer = try PolicyGradientTrainer(model: model, reference: model, settings: settings,
                                                schedule: LearningRateSchedule(peak: 1e-3, warmupSteps: 1, totalSteps: 1))
        let (same, gradients) = try trainer.lossAndGradients(Self.groups, old: nil)
        let (withOld, gradientsWithOld) = try trainer.lossAndGradients(Self.groups, old: model)
        #expect(same.clipRatio == 0 && withOld.clipRatio == 0 && same.loss == withOld.loss && gradients == gradientsWithOld)
        // A far sampling model: some tokens clip, and the loss still matches the formula.
        var far = model
        for i in far.parameters.indices { far.parameters[i] *= 1.8 }
        let (clipped, _) = try trainer.lossAndGradients(Self.groups, old: far)
        #expect(clipped.clipRatio > 0)
        let expected = try Self.fullLoss(model, old: far, reference: model, settings: settings)
        #expect(abs(clipped.loss - expected) < 1e-5 * max(1, abs(expected)), "\(clipped.loss) vs \(expected)")
        #expect(same.zeroStdShare == 0 && abs(same.rewardMean - 0.5) < 1e-15)
    }
}
