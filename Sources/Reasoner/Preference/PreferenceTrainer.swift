import Foundation
import SafetyKitNumerics

/// A preference pair: a prompt and two completions (each ending in <eos>), the chosen one
/// preferred to the rejected one.
public struct PreferenceExample: Sendable, Equatable {
    /// The prompt's tokens.
    public var prompt: [Int]
    /// The preferred completion's tokens.
    public var chosen: [Int]
    /// The other completion's tokens.
    public var rejected: [Int]

    /// A preference pair.
    public init(prompt: [Int], chosen: [Int], rejected: [Int]) {
        self.prompt = prompt
        self.chosen = chosen
        self.rejected = rejected
    }
}

/// Preference training (DPO, IPO, RPO) of a policy against a frozen reference model. Each step
/// scores the chosen and rejected completions under both models, evaluates the loss per pair,
/// and backpropagates through the existing backward pass: the gradient of a summed
/// log-probability Σ_t log softmax(z_t)[y_t] with respect to z_t is onehot(y_t) − softmax(z_t),
/// which is the cross-entropy backward with the weight −∂L/∂π on each completion token.
public final class PreferenceTrainer {
    /// The policy being trained.
    public private(set) var model: TransformerModel
    /// The frozen reference model.
    public let reference: TransformerModel
    /// The preference loss.
    public let loss: PreferenceLoss
    /// The policy's optimizer.
    public var optimizer: AdamW
    /// The learning-rate schedule.
    public var schedule: LearningRateSchedule
    private var workspace: TransformerWorkspace?

    /// A trainer starting from `model`, with `reference` frozen.
    public init(model: TransformerModel, reference: TransformerModel, loss: PreferenceLoss, schedule: LearningRateSchedule,
                optimizer: AdamW? = nil) throws(ReasonerError) {
        guard loss.beta > 0, loss.beta.isFinite else {
            throw .badConfiguration("the preference loss needs beta > 0, got \(loss.beta)")
        }
        guard reference.configuration == model.configuration else {
            throw .badConfiguration("the reference model has another configuration than the policy (\(reference.configuration) vs \(model.configuration))")
        }
        self.model = model
        self.reference = reference
        self.loss = loss
        self.schedule = schedule
        self.optimizer = optimizer ?? AdamW(parameterCount: model.parameterCount)
    }

    /// What a step measured, averaged over its pairs (TRL's names in comments).
    public struct StepLog: Sendable, Equatable, Codable {
        /// The step's mean loss over its pairs.
        public var loss = 0.0
        /// rewards/chosen and rewards/rejected: β·(log π − log ref).
        public var rewardsChosen = 0.0, rewardsRejected = 0.0
        /// rewards/margins and rewards/accuracies.
        public var margin: Double { rewardsChosen - rewardsRejected }
        /// The share of pairs whose implicit reward ranks the chosen completion first.
        public var accuracy = 0.0
        /// logps/chosen and logps/rejected under the policy (summed over tokens).
        public var logpChosen = 0.0, logpRejected = 0.0
        /// The gradient norm before clipping.
        public var gradientNorm: Float = 0
        /// The step's learning rate.
        public var learningRate: Float = 0
    }

    /// Summed completion log-probabilities of each example under `model`, leaving the
    /// workspace holding that forward pass.
    private func scores(_ model: TransformerModel, _ examples: [TrainingExample], workspace ws: TransformerWorkspace,
                        tokens: [Int32], targets: [Int32]) -> [Double] {
        var none: RandomStream? = nil
        ws.forward(model, tokens: tokens, targets: targets, dropout: &none)
        let losses = ws.positionLosses()
        return examples.indices.map { b in
            var sum = 0.0
            for t in 0..<ws.T where targets[b * ws.T + t] >= 0 { sum -= Double(losses[b * ws.T + t]) }
            return sum
        }
    }

    /// The batch's mean loss, its log, and the gradient, without updating the policy.
    public func lossAndGradients(_ pairs: [PreferenceExample]) throws(ReasonerError) -> (log: StepLog, gradients: [Float]) {
        guard !pairs.isEmpty else { throw .badProblem("a preference batch needs at least one pair") }
        for (i, p) in pairs.enumerated() where p.chosen.isEmpty || p.rejected.isEmpty {
            throw .badProblem("preference pair \(i + 1) has an empty \(p.chosen.isEmpty ? "chosen" : "rejected") response")
        }
        let examples = pairs.map { TrainingExample(tokens: $0.prompt + $0.chosen, promptLength: $0.prompt.count) }
            + pairs.map { TrainingExample(tokens: $0.prompt + $0.rejected, promptLength: $0.prompt.count) }
        let ws = try TransformerWorkspace.fitting(examples, configuration: model.configuration, reusing: workspace)
        workspace = ws
        let (tokens, targets) = TrainingExample.batch(examples, length: ws.T, pad: 0)
        let referenceScores = scores(reference, examples, workspace: ws, tokens: tokens, targets: targets)
        let policyScores = scores(model, examples, workspace: ws, tokens: tokens, targets: targets)   // last: backward uses it
        let n = pairs.count
        var log = StepLog()
        var rowWeights = [Double](repeating: 0, count: 2 * n)
        for i in 0..<n {
            let pair = PreferenceLoss.Pair(policyChosen: policyScores[i], policyRejected: policyScores[n + i],
                                           referenceChosen: referenceScores[i], referenceRejected: referenceScores[n + i],
                                           chosenLength: pairs[i].chosen.count, rejectedLength: pairs[i].rejected.count)
            let (l, dChosen, dRejected) = loss.evaluate(pair)
            let (rc, rr) = pair.rewards(beta: loss.beta)
            log.loss += l / Double(n)
            log.rewardsChosen += rc / Double(n); log.rewardsRejected += rr / Double(n)
            log.accuracy += (rc > rr ? 1 : 0) / Double(n)
            log.logpChosen += pair.policyChosen / Double(n); log.logpRejected += pair.policyRejected / Double(n)
            rowWeights[i] = -dChosen / Double(n)
            rowWeights[n + i] = -dRejected / Double(n)
        }
        var weights = [Float](repeating: 0, count: 2 * n * ws.T)
        for b in 0..<(2 * n) { for t in 0..<ws.T where targets[b * ws.T + t] >= 0 { weights[b * ws.T + t] = Float(rowWeights[b]) } }
        ws.backward(model, weights: weights)
        return (log, ws.gradients)
    }

    /// One optimisation step on a batch of pairs.
    public func step(_ pairs: [PreferenceExample]) throws(ReasonerError) -> StepLog {
        var (log, gradients) = try lossAndGradients(pairs)
        log.learningRate = schedule.rate(at: optimizer.step)
        log.gradientNorm = optimizer.update(&model, gradients: gradients, learningRate: log.learningRate)
        return log
    }

    /// Trains a copy of `model` against itself as the frozen reference (the previous iteration's
    /// model, as iterative RPO and self-rationalization both use it) for `schedule.totalSteps`
    /// steps. Step k's batch is `pairsPerStep` pairs drawn with replacement from stream (seed,
    /// purpose, iteration, k), so it depends on nothing else. Returns the trained model, the
    /// per-step log and the tokens trained on; `progress` follows every step.
    public static func run(from model: TransformerModel, pairs: [PreferenceExample], loss: PreferenceLoss, schedule: LearningRateSchedule,
                           pairsPerStep: Int, iteration: Int, seed: UInt64, purpose: StreamPurpose,
                           progress: ((Int) -> Void)? = nil) throws(ReasonerError) -> (model: TransformerModel, log: [StepLog], tokens: Int) {
        let trainer = try PreferenceTrainer(model: model, reference: model, loss: loss, schedule: schedule)
        var log: [StepLog] = [], tokens = 0
        for step in 0..<schedule.totalSteps {
            let batch = SelfImprovementLoop.draw(pairsPerStep, from: pairs, iteration: iteration, step: step, seed: seed, purpose: purpose)
            log.append(try trainer.step(batch))
            tokens += batch.reduce(0) { $0 + $1.chosen.count + $1.rejected.count }
            progress?(step + 1)
        }
        return (trainer.model, log, tokens)
    }
}
