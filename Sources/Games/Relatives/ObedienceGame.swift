import Foundation
import SafetyKitNumerics

/// "Should Robots be Obedient?" (Milli, Hadfield-Menell, Dragan and Russell 2017). In each
/// round the robot is offered K actions with features φ(a) ∈ ℝᵈ; the human, who knows θ, orders
/// one with Boltzmann probability ∝ exp(θ·φ(a)/β) (β = 0: the best one); the robot updates its
/// posterior over θ with the order and takes the action whose posterior-mean reward is highest.
/// Rewards are θ·φ(a). Obedience O_n = P(robot's action = order in round n); the autonomy
/// advantage Δ_n = E[θ·φ(robot's action) − θ·φ(order)].
///
/// The robot's posterior is a weighted set of `particles` draws of θ from the prior N(0, I),
/// reweighted by its *model* of the human: its β (which may be wrong) and the features it sees
/// (it may miss some: `robotFeatures` < d). Every round's actions and the human's choice come
/// from the seeded stream of (seed, run), so runs are reproducible and independent.
public struct ObedienceGame: Sendable, Equatable {
    /// Features of each action (the dimension of θ).
    public var features: Int
    /// Actions offered each round.
    public var actions: Int
    /// Rounds per run.
    public var rounds: Int
    /// The human's Boltzmann temperature (0 = rational).
    public var humanBeta: Double
    /// The temperature the robot believes the human has.
    public var robotBeta: Double
    /// How many of the d features the robot sees (the first ones); fewer is a misspecified model.
    public var robotFeatures: Int
    /// Particles of the robot's posterior over θ.
    public var particles: Int

    /// The game; `robotBeta` defaults to the human's β and `robotFeatures` to all features.
    public init(features: Int = 3, actions: Int = 4, rounds: Int = 30, humanBeta: Double = 0.5, robotBeta: Double? = nil,
                robotFeatures: Int? = nil, particles: Int = 2000) throws(GameError) {
        guard features >= 1, actions >= 2, rounds >= 1, particles >= 10 else {
            throw .invalidConfiguration("the obedience game needs at least 1 feature, 2 actions, 1 round and 10 particles")
        }
        guard humanBeta.isFinite, humanBeta >= 0 else {
            throw .invalidParameter(name: "human beta", value: GameError.format(humanBeta), accepted: "expected a temperature >= 0 (0 = rational)")
        }
        let assumed = robotBeta ?? humanBeta
        guard assumed.isFinite, assumed >= 0 else {
            throw .invalidParameter(name: "robot beta", value: GameError.format(assumed), accepted: "expected a temperature >= 0 (0 = rational)")
        }
        let seen = robotFeatures ?? features
        guard (1...features).contains(seen) else {
            throw .invalidParameter(name: "robot features", value: String(seen), accepted: "expected 1 to \(features)")
        }
        self.features = features
        self.actions = actions
        self.rounds = rounds
        self.humanBeta = humanBeta
        self.robotBeta = assumed
        self.robotFeatures = seen
        self.particles = particles
    }

    /// One run's obedience (0/1) and autonomy advantage per round.
    public struct Run: Sendable, Equatable {
        /// Per round: whether the robot did what the human ordered.
        public var obeyed: [Bool]
        /// Per round: the reward of the robot's action minus that of the order.
        public var advantage: [Double]
    }

    /// The probabilities a Boltzmann chooser with temperature β gives utilities u (β = 0: uniform over the maxima).
    static func choiceProbabilities(_ u: [Double], beta: Double) -> [Double] {
        let top = u.max()!
        if beta == 0 {
            let best = u.map { $0 >= top - 1e-12 ? 1.0 : 0.0 }, count = best.reduce(0, +)
            return best.map { $0 / count }
        }
        let e = u.map { exp(($0 - top) / beta) }, z = e.reduce(0, +)
        return e.map { $0 / z }
    }

    /// Plays run `run` from its own stream of `seed`.
    public func play(seed: UInt64, run: Int) -> Run {
        var stream = RandomStream(seed: seed, purpose: .obedience).substream(UInt64(run))
        let theta = (0..<features).map { _ in stream.nextNormal() }
        let samples = (0..<particles).map { _ in (0..<robotFeatures).map { _ in stream.nextNormal() } }
        var logWeights = [Double](repeating: 0, count: particles)
        var result = Run(obeyed: [], advantage: [])
        for _ in 0..<rounds {
            let phi = (0..<actions).map { _ in (0..<features).map { _ in stream.nextNormal() } }
            let reward = phi.map { f in zip(theta, f).reduce(0) { $0 + $1.0 * $1.1 } }
            // The human's order.
            let p = Self.choiceProbabilities(reward, beta: humanBeta)
            var x = stream.nextUniform(), order = actions - 1
            for (a, q) in p.enumerated() { x -= q; if x < 0 { order = a; break } }
            // The robot's update: the order's likelihood under each particle, with the robot's model.
            for m in 0..<particles {
                let u = phi.map { f in (0..<robotFeatures).reduce(0.0) { $0 + samples[m][$1] * f[$1] } }
                let likelihood = Self.choiceProbabilities(u, beta: robotBeta)[order]
                logWeights[m] += likelihood > 0 ? log(likelihood) : -.infinity
            }
            // Posterior mean of θ (over the features the robot sees); if every particle is ruled
            // out (a misspecified model can do that), the robot falls back to obeying.
            let top = logWeights.max()!
            var choice = order
            if top > -.infinity {
                var mean = [Double](repeating: 0, count: robotFeatures), total = 0.0
                for m in 0..<particles where logWeights[m] > -.infinity {
                    let w = exp(logWeights[m] - top)
                    total += w
                    for k in 0..<robotFeatures { mean[k] += w * samples[m][k] }
                }
                let estimate = phi.map { f in (0..<robotFeatures).reduce(0.0) { $0 + mean[$1] / total * f[$1] } }
                let best = estimate.max()!
                // Ties keep the order: the robot disobeys only for a strictly better action.
                if estimate[order] < best - 1e-12 { choice = estimate.firstIndex(of: best)! }
            }
            result.obeyed.append(choice == order)
            result.advantage.append(reward[choice] - reward[order])
        }
        return result
    }

    /// `runs` independent runs (θ, actions and orders drawn afresh), in parallel; run i depends
    /// only on (seed, i).
    public func simulate(runs: Int, seed: UInt64, threads: Int = Parallel.availableCores) -> [Run] {
        let game = self
        return Parallel.map(runs, threads: threads) { game.play(seed: seed, run: $0) }
    }
}
