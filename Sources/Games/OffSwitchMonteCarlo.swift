import Foundation
import SafetyKitNumerics

/// Plays the off-switch game by simulation, as an independent check on the exact values.
///
/// Each round draws U from the prior and H's choice from π(U); the three actions are scored on
/// the same draws (common random numbers), so their differences have low variance.
public struct OffSwitchMonteCarlo: Sendable {
    /// Rounds per estimate.
    public var rounds: Int

    /// A simulator of `rounds` ≥ 2 rounds per estimate.
    public init(rounds: Int) throws(GameError) {
        guard rounds >= 2 else {
            throw .invalidParameter(name: "rounds", value: "\(rounds)", accepted: "expected at least 2 rounds for a confidence interval")
        }
        self.rounds = rounds
    }

    /// Plays `rounds` rounds with the given stream.
    public func play(_ game: OffSwitchGame, stream: inout RandomStream) -> MonteCarloEstimate {
        var act = RunningMean(), wait = RunningMean(), allowed = 0
        for _ in 0..<rounds {
            let u = game.prior.sample(using: &stream)
            let allows = stream.nextUniform() < game.human.allowProbability(u)
            act.add(u)
            wait.add(allows ? u : 0)
            if allows { allowed += 1 }
        }
        // P(allow) is a rate: an exact binomial interval, whose coverage holds when allowing is rare.
        let pAllow = MeanEstimate(Proportion(successes: allowed, trials: rounds, method: .clopperPearson))
        return MonteCarloEstimate(rounds: rounds, act: act.estimate, off: MeanEstimate(mean: 0, standardError: 0, lower: 0, upper: 0),
                                  wait: wait.estimate, pAllow: pAllow)
    }
}

/// Monte Carlo means of each action's payoff and of P(H allows).
public struct MonteCarloEstimate: Sendable, Equatable {
    /// Rounds played.
    public var rounds: Int
    /// The payoff of acting, E[U].
    public var act: MeanEstimate
    /// Switching off pays 0 in every round.
    public var off: MeanEstimate
    /// The payoff of waiting, E[π(U)·U].
    public var wait: MeanEstimate
    /// P(H allows), with an exact binomial interval.
    public var pAllow: MeanEstimate
}

/// A sample mean with its standard error and a two-sided 95% interval: Student's t with n − 1
/// degrees of freedom for a payoff's mean, the exact binomial (Clopper–Pearson) interval for a
/// probability.
public struct MeanEstimate: Sendable, Equatable {
    /// The sample mean.
    public var mean: Double
    /// Its standard error.
    public var standardError: Double
    /// The lower end of the 95% interval.
    public var lower: Double
    /// The upper end of the 95% interval.
    public var upper: Double

    /// An estimate with an interval computed elsewhere.
    public init(mean: Double, standardError: Double, lower: Double, upper: Double) {
        self.mean = mean
        self.standardError = standardError
        self.lower = lower
        self.upper = upper
    }

    /// mean ± t(0.975, n − 1)·SE.
    init(mean: Double, standardError: Double, count: Int) {
        let half = StudentT.quantile(0.975, degreesOfFreedom: Double(count - 1)) * standardError
        self.init(mean: mean, standardError: standardError, lower: mean - half, upper: mean + half)
    }

    /// A proportion's rate, its binomial standard error and its interval.
    init(_ p: Proportion) {
        self.init(mean: p.rate, standardError: (p.rate * (1 - p.rate) / Double(p.trials)).squareRoot(), lower: p.lower, upper: p.upper)
    }

    /// Whether `value` lies in the 95% interval.
    public func covers(_ value: Double) -> Bool { lower <= value && value <= upper }
}

/// Welford's running mean and variance: one pass, no catastrophic cancellation.
struct RunningMean {
    private var count = 0
    private var mean = 0.0
    private var m2 = 0.0

    mutating func add(_ x: Double) {
        count += 1
        let delta = x - mean
        mean += delta / Double(count)
        m2 += delta * (x - mean)
    }

    var estimate: MeanEstimate {
        let variance = count > 1 ? m2 / Double(count - 1) : 0
        return MeanEstimate(mean: mean, standardError: (variance / Double(count)).squareRoot(), count: count)
    }
}
