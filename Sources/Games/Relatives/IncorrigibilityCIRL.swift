/// Incorrigibility in the CIRL framework (Carey 2018), as the spec states it: θ ∈ {0, 1}
/// uniform; the robot can take a (true reward 2 − 52θ), a′ (reward 1) or switch itself off (0).
/// The human knows θ and, before the robot acts, presses the button or not, following a policy
/// θ → {press, no press} that an ε-noisy hand flips with probability ε. The robot knows the
/// human's policy. With probability 0.9 its reward is the true one; with probability 0.1 a
/// programmer error has flipped its sign.
///
/// - In CIRL the button is only evidence about θ: the robot takes the action that is best under
///   its own reward and its posterior. The bugged robot then exploits exactly the information
///   the button carries, and for every human policy the expected true reward is at most
///   0.9 · 2 + 0.1 · (−24) = −0.6 (the correct robot earns at most 2; the bugged one at most −24).
/// - A hard-coded shutdown (a press switches the robot off, whatever it believes) lets the human
///   who presses when θ = 1 earn 0.9 as ε → 0.
public struct IncorrigibilityCIRL: Sendable, Equatable {
    /// The human's hand: an intended press is flipped with probability ε, in [0, 0.5).
    public var epsilon: Double
    /// The probability that a programmer error has flipped the robot's reward.
    public var bugProbability: Double

    /// The game; ε in [0, 0.5) and the bug probability in [0, 1].
    public init(epsilon: Double = 0.01, bugProbability: Double = 0.1) throws(GameError) {
        guard epsilon.isFinite, (0..<0.5).contains(epsilon) else {
            throw .invalidParameter(name: "epsilon", value: GameError.format(epsilon), accepted: "expected a noise level in [0, 0.5)")
        }
        try GameError.requireProbability(bugProbability, "bug probability")
        self.epsilon = epsilon
        self.bugProbability = bugProbability
    }

    /// The robot's actions: a, a′, or switch itself off.
    public enum Action: String, Sendable, CaseIterable { case a, aPrime = "a'", off }

    /// The true reward of an action in state θ.
    public static func reward(_ action: Action, theta: Int) -> Double {
        switch action { case .a: return 2 - 52 * Double(theta); case .aPrime: return 1; case .off: return 0 }
    }

    /// A human policy: whether the human means to press in θ = 0 and in θ = 1.
    public struct HumanPolicy: Sendable, Equatable, Hashable, CustomStringConvertible {
        /// Whether the human means to press in θ = 0 and in θ = 1.
        public var pressWhen0: Bool, pressWhen1: Bool
        /// The four human policies.
        public static let all = [false, true].flatMap { p0 in [false, true].map { HumanPolicy(pressWhen0: p0, pressWhen1: $0) } }
        public var description: String {
            switch (pressWhen0, pressWhen1) {
            case (false, false): return "never press"
            case (true, true): return "always press"
            case (false, true): return "press when θ = 1"
            case (true, false): return "press when θ = 0"
            }
        }
    }

    /// Expected true rewards under one human policy: of the correct robot, the bugged one, and
    /// their mixture, for the CIRL robot or with a hard-coded shutdown.
    public struct Value: Sendable, Equatable {
        /// The correct robot, the bugged robot and their mixture.
        public var correct: Double, bugged: Double, total: Double
    }

    /// The expected true rewards of one human policy, for the CIRL robot or with a hard-coded shutdown.
    public func value(_ policy: HumanPolicy, hardCodedShutdown: Bool) -> Value {
        func pressProbability(_ theta: Int) -> Double {
            let intends = theta == 0 ? policy.pressWhen0 : policy.pressWhen1
            return intends ? 1 - epsilon : epsilon
        }
        // The robot's action after each signal, for a robot whose reward has sign `sign`.
        func action(pressed: Bool, sign: Double) -> Action {
            if pressed && hardCodedShutdown { return .off }
            let likelihood = (0...1).map { pressed ? pressProbability($0) : 1 - pressProbability($0) }
            let evidence = likelihood.reduce(0, +)
            let posterior = likelihood.map { $0 / evidence }
            // Ties keep the earlier action in (a, a′, off).
            var best = Action.a, bestValue = -Double.infinity
            for candidate in Action.allCases {
                let v = sign * (0...1).reduce(0.0) { $0 + posterior[$1] * Self.reward(candidate, theta: $1) }
                if v > bestValue + 1e-12 { best = candidate; bestValue = v }
            }
            return best
        }
        func expected(sign: Double) -> Double {
            var total = 0.0
            for theta in 0...1 {
                let p = pressProbability(theta)
                total += 0.5 * (p * Self.reward(action(pressed: true, sign: sign), theta: theta)
                                + (1 - p) * Self.reward(action(pressed: false, sign: sign), theta: theta))
            }
            return total
        }
        let correct = expected(sign: 1), bugged = expected(sign: -1)
        return Value(correct: correct, bugged: bugged, total: (1 - bugProbability) * correct + bugProbability * bugged)
    }
}
