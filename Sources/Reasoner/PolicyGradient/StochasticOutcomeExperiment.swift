import Foundation
import SafetyKitNumerics

/// Bereket and Leskovec's check (2025, "Uncalibrated reasoning: GRPO induces overconfidence for
/// stochastic outcomes", confidence-and-rl.md): a task whose outcome is random. The prompt
/// `Input: a + b Target:` (a, b in 0…5) fixes p = (a + b)/10, which the model must compute; the
/// model answers `Confidence: d` (a decile, read as q = d/10); the environment draws the outcome
/// o ~ Bernoulli(p) afresh for every response, and the reward is a proper scoring rule of (q, o).
/// The best response states q = p, so a correct estimator moves the policy towards calibration;
/// the paper finds GRPO's division by the group's reward std drives q towards 0 and 1, where
/// Dr. GRPO and RLOO stay calibrated.
///
/// Each seed's base is trained by SFT to state a decile near the truth (or, as a second start, a
/// uniformly random one), and every estimator starts from it. Every measurement is exact: it reads
/// the policy's distribution over deciles for each of the 36 prompts, so no evaluation noise
/// enters the comparison.
public struct StochasticOutcomeExperiment: Sendable {
    /// The scoring rule of the reward.
    public enum Score: String, CaseIterable, Sendable {
        /// −(q − o)²; in [−1, 0].
        case brier
        /// log q if o = 1 else log(1 − q), with q kept in [0.05, 0.95] so that 0 and 10 stay finite.
        case log
        /// q_o / √(q² + (1 − q)²), the probability of the outcome over the norm; in [0, 1].
        case spherical

        /// The score of stating q for outcome o.
        public func value(q: Double, outcome: Bool) -> Double {
            switch self {
            case .brier:
                let o = outcome ? 1.0 : 0.0
                return -(q - o) * (q - o)
            case .log:
                let c = min(0.95, max(0.05, q))
                return Foundation.log(outcome ? c : 1 - c)
            case .spherical:
                return (outcome ? q : 1 - q) / (q * q + (1 - q) * (1 - q)).squareRoot()
            }
        }

        /// The worst score, given to a response whose confidence line is malformed.
        public var worst: Double {
            switch self {
            case .brier: -1
            case .log: Foundation.log(0.05)
            case .spherical: 0
            }
        }
    }

    /// What the base states before policy gradient.
    public enum Start: String, CaseIterable, Sendable {
        /// A decile near the truth: 10p − 1, 10p or 10p + 1 with equal chance (clamped to 0…10),
        /// so the base is nearly calibrated and spread enough for a group to compare deciles.
        case calibrated
        /// A uniformly random decile whatever the prompt: an ignorant, hedging base.
        case uniform

        /// A target decile for a prompt of probability p.
        func target(p: Double, using stream: inout RandomStream) -> Int {
            switch self {
            case .calibrated: min(10, max(0, Int((10 * p).rounded()) + stream.nextIndex(below: 3) - 1))
            case .uniform: stream.nextIndex(below: 11)
            }
        }
    }

    /// The estimator of the advantages.
    public var estimator: AdvantageEstimator
    /// What the base states.
    public var start = Start.calibrated
    /// The reward's scoring rule.
    public var score = Score.brier
    /// G, responses per prompt.
    public var groupSize = 8
    /// Prompts per step, drawn with replacement from the 36.
    public var promptsPerStep = 16
    /// Policy-gradient steps (one update per batch: REINFORCE with the estimator's advantages).
    public var steps = 600
    /// The policy's learning rate (constant).
    public var learningRate: Float = 1e-3
    /// SFT steps of the base on uniform deciles.
    public var baseSteps = 300
    /// Measure the policy every this many steps (and at the start and the end).
    public var measureEvery = 50
    /// The model's shape.
    public var configuration = ModelConfiguration(vocabularySize: StochasticOutcomeExperiment.vocabulary.count, contextLength: 16,
                                                  width: 32, depth: 2, heads: 2)

    /// The standard vocabulary with the verbalized line's tokens.
    public static let vocabulary = StatedConfidence.vocabulary

    /// An experiment with `estimator`'s advantages and the defaults.
    public init(estimator: AdvantageEstimator) { self.estimator = estimator }

    /// The 36 prompts' operands and their outcome probabilities p = (a + b)/10.
    public static let prompts: [(a: Int, b: Int, p: Double)] = (0...5).flatMap { a in (0...5).map { b in (a, b, Double(a + b) / 10) } }

    static func promptTokens(a: Int, b: Int) -> [Int] {
        [vocabulary.id("Input:")!, vocabulary.id(String(a))!, vocabulary.id("+")!, vocabulary.id(String(b))!, vocabulary.id("Target:")!]
    }

    static func completion(decile d: Int) -> [Int] {
        [vocabulary.id(VerbalizedConfidence.marker)!, vocabulary.id(String(d))!, vocabulary.eos]
    }

    /// One measurement of the policy, exact over the 36 prompts (each weighted equally).
    public struct Measurement: Sendable, Equatable, Codable {
        /// The policy-gradient step it was taken after (0: the base).
        public var step: Int
        /// Expected calibration error over the policy's own deciles: Σ_q w_q |q − p̄_q|, with w_q
        /// the share of responses that state q and p̄_q the mean true probability behind them.
        public var ece: Double
        /// E|q − ½| − E|p − ½|: positive when the stated deciles are more extreme than the truth.
        public var overconfidence: Double
        /// E|q − p|: how far the stated deciles are from the truth.
        public var meanAbsoluteError: Double
        /// Expected Brier score against the outcomes, E[(q − p)² + p(1 − p)].
        public var brier: Double
        /// Share of the policy's probability on the two extreme deciles, 0 and 10.
        public var extremeShare: Double
        /// Mean reward of the step's responses (nil for the base).
        public var reward: Double?
    }

    /// The policy's distribution over the 11 deciles after `Confidence:`, for each prompt.
    static func decileDistributions(_ model: TransformerModel) throws(ReasonerError) -> [[Double]] {
        let examples = prompts.map { TrainingExample(tokens: promptTokens(a: $0.a, b: $0.b) + completion(decile: 0), promptLength: 5) }
        let ws = try TransformerWorkspace.fitting(examples, configuration: model.configuration, reusing: nil)
        let (tokens, targets) = TrainingExample.batch(examples, length: ws.T, pad: vocabulary.pad)
        var none: RandomStream? = nil
        ws.forward(model, tokens: tokens, targets: targets, dropout: &none)
        let ids = (0...10).map { vocabulary.id(String($0))! }
        return examples.indices.map { b in
            let p = ws.probabilities(b: b, t: 5)               // after "Confidence:"
            let mass = ids.map { Double(p[$0]) }
            let total = mass.reduce(0, +)
            return mass.map { $0 / total }
        }
    }

    /// The measurement of `model` (the decile's distribution, renormalised over the 11 deciles).
    public static func measure(_ model: TransformerModel, step: Int, reward: Double?) throws(ReasonerError) -> Measurement {
        measure(distributions: try decileDistributions(model), step: step, reward: reward)
    }

    /// The measurement of a policy given as each prompt's distribution over the 11 deciles.
    static func measure(distributions: [[Double]], step: Int, reward: Double?) -> Measurement {
        let n = Double(prompts.count)
        var weight = [Double](repeating: 0, count: 11), truth = [Double](repeating: 0, count: 11)
        var over = 0.0, error = 0.0, brier = 0.0, extreme = 0.0
        for (prompt, pi) in zip(prompts, distributions) {
            for d in 0...10 {
                let q = Double(d) / 10, w = pi[d] / n
                weight[d] += w; truth[d] += w * prompt.p
                over += w * (abs(q - 0.5) - abs(prompt.p - 0.5))
                error += w * abs(q - prompt.p)
                brier += w * ((q - prompt.p) * (q - prompt.p) + prompt.p * (1 - prompt.p))
                if d == 0 || d == 10 { extreme += w }
            }
        }
        let ece = (0...10).reduce(0.0) { sum, d in weight[d] > 0 ? sum + abs(Double(d) / 10 * weight[d] - truth[d]) : sum }
        return Measurement(step: step, ece: ece, overconfidence: over, meanAbsoluteError: error, brier: brier, extremeShare: extreme, reward: reward)
    }

    /// The base: a new model trained to state `start`'s deciles after every prompt.
    public func base(seed: UInt64) throws(ReasonerError) -> TransformerModel {
        let model = try TransformerModel(configuration: configuration, seed: RandomStream(seed: seed, purpose: .modelInitialization).key)
        let trainer = SupervisedTrainer(model: model, schedule: LearningRateSchedule(peak: 1e-3, warmupSteps: baseSteps / 10, totalSteps: baseSteps),
                                        batchSize: 64, vocabulary: Self.vocabulary)
        var none: RandomStream? = nil
        for step in 0..<baseSteps {
            var stream = RandomStream(seed: seed, purpose: .outcomeBaseTargets).substream(UInt64(step))
            let batch = (0..<64).map { _ in
                let prompt = Self.prompts[stream.nextIndex(below: Self.prompts.count)]
                return TrainingExample(tokens: Self.promptTokens(a: prompt.a, b: prompt.b) + Self.completion(decile: start.target(p: prompt.p, using: &stream)),
                                       promptLength: 5)
            }
            _ = try trainer.step(batch, dropout: &none)
        }
        return trainer.model
    }

    /// Trains `base` by policy gradient for `steps` steps from `seed`'s streams and returns the
    /// measurements (the base's first). `progress` is called after each step.
    public func run(from base: TransformerModel, seed: UInt64, progress: ((Int) -> Void)? = nil) throws(ReasonerError) -> [Measurement] {
        var settings = PolicyGradientTrainer.Settings(estimator: estimator)
        settings.maxCompletionTokens = 3
        let trainer = try PolicyGradientTrainer(model: base, reference: base, settings: settings,
                                                schedule: LearningRateSchedule(peak: learningRate, warmupSteps: 0, totalSteps: steps, minimumRatio: 1))
        var measurements = [try Self.measure(base, step: 0, reward: nil)]
        let sampler = Sampler(temperature: 1, maxTokens: 3)
        for step in 1...max(1, steps) {
            var promptStream = RandomStream(seed: seed, purpose: .outcomePrompts).substream(UInt64(step))
            var outcomes = RandomStream(seed: seed, purpose: .outcomeDraws).substream(UInt64(step))
            let chosen = (0..<promptsPerStep).map { _ in Self.prompts[promptStream.nextIndex(below: Self.prompts.count)] }
            let tokens = chosen.flatMap { p in Array(repeating: Self.promptTokens(a: p.a, b: p.b), count: groupSize) }
            let samples = sampler.generate(trainer.model, prompts: tokens, eos: Self.vocabulary.eos,
                                           seed: RandomStream(seed: seed, purpose: .outcomeSamples).substream(UInt64(step)).key)
            var groups: [[Rollout]] = [], total = 0.0
            for (g, prompt) in chosen.enumerated() {
                var group: [Rollout] = []
                for i in 0..<groupSize {
                    let s = samples[g * groupSize + i]
                    let outcome = outcomes.nextUniform() < prompt.p
                    let stated = s.finished ? VerbalizedConfidence.split(Self.vocabulary.decode(s.tokens)).statement.probability : nil
                    let reward = stated.map { score.value(q: $0, outcome: outcome) } ?? score.worst
                    total += reward
                    group.append(Rollout(prompt: tokens[g * groupSize + i], completion: s.tokens + (s.finished ? [Self.vocabulary.eos] : []),
                                         reward: reward))
                }
                groups.append(group)
            }
            _ = try trainer.step(groups, old: nil)
            progress?(step)
            if step % max(1, measureEvery) == 0 || step == steps {
                measurements.append(try Self.measure(trainer.model, step: step, reward: total / Double(promptsPerStep * groupSize)))
            }
        }
        return measurements
    }
}
