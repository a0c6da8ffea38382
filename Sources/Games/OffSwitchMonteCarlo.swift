import Foundation
import Numerics

/// Plays the off-switch game by simulation, as an independent check on the exact values.
///
/// Each round draws U from the prior and H's choice from π(U); the three actions are scored on
/// the same draws (common random numbers), so their differences have low variance.
public struct OffSwitchMonteCarlo: Sendable {
    /// Rounds per estimate.
    public var rounds: Int

    public init(rounds: Int) throws(GameError) {
        guard rounds >= 2 else {
            throw .invalidParameter(name: "rounds", value: "\(rounds)", accepted: "expected at least 2 rounds for a confidence interval")
        }
        self.rounds = rounds
    }

    /// Plays `rounds` rounds with the given stream.
    public func play(_ game: OffSwitchGame, stream: inout RandomStream) -> MonteCarloEstimate {
        var act = RunningMean(), wait = RunningMean(), allow = RunningMean()
        for _ in 0..<rounds {
            let u = game.prior.sample(using: &stream)
            let allowed = stream.nextUniform() < game.human.allowProbability(u)
            act.add(u)
            wait.add(allowed ? u : 0)
            allow.add(allowed ? 1 : 0)
        }
        return MonteCarloEstimate(rounds: rounds, act: act.estimate, off: MeanEstimate(mean: 0, standardError: 0),
                                  wait: wait.estimate, pAllow: allow.estimate)
    }
}

/// Monte Carlo means of each action's payoff and of P(H allows).
public struct MonteCarloEstimate: Sendable, Equatable {
    public var rounds: Int
    public var act: MeanEstimate
    /// Switching off pays 0 in every round.
    public var off: MeanEstimate
    public var wait: MeanEstimate
    public var pAllow: MeanEstimate
}

/// A sample mean with its standard error and a normal-approximation 95% interval.
public struct MeanEstimate: Sendable, Equatable {
    public var mean: Double
    public var standardError: Double
    /// z for a two-sided 95% normal interval.
    public static let z95 = 1.959_963_984_540_054
    public var lower: Double { mean - Self.z95 * standardError }
    public var upper: Double { mean + Self.z95 * standardError }
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
        return MeanEstimate(mean: mean, standardError: (variance / Double(count)).squareRoot())
    }
}
