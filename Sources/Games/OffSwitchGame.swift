/// The off-switch game of Hadfield-Menell, Dragan, Abbeel and Russell (IJCAI 2017).
///
/// R holds a belief over the utility U of its action and may act (payoff U), switch itself off
/// (payoff 0), or wait: H, who knows U, then lets the action through with probability π(U).
/// Payoffs are in the units of U; the game is one-shot with a common payoff.
public struct OffSwitchGame: Sendable {
    /// R's belief over U.
    public var prior: any Prior
    /// H's policy.
    public var human: any HumanModel

    /// The game for a belief and a human.
    public init(prior: any Prior, human: any HumanModel) {
        self.prior = prior
        self.human = human
    }

    /// Solves the game: the three actions' values, the incentive to defer, and the best action.
    public func solve() throws(GameError) -> OffSwitchSolution {
        let expectations = try prior.expectations(under: human)
        let mean = prior.mean
        // Δ = E[πU] − max(E[U], 0), integrated without cancellation (docs/offswitch.md §1).
        let delta = mean >= 0 ? -expectations.overriddenPayoff : expectations.allowedPayoff
        // Two actions tie when their values differ by no more than the error bound of the quantity
        // that separates them: E[U] for act against off, and Δ's own integrand for wait. Closed
        // forms bound their round-off, so an exactly computed Δ of 1e-92 still counts as positive;
        // quadrature bounds its gap between orders, so a Δ within that gap is reported as a tie.
        let meanTolerance = 2 * prior.meanError
        let deltaTolerance = 2 * (mean >= 0 ? expectations.errors.overriddenPayoff : expectations.errors.allowedPayoff)

        var best: RobotActions
        if mean > meanTolerance { best = .act } else if mean < -meanTolerance { best = .off } else { best = [.act, .off] }
        if delta > deltaTolerance { best = .wait } else if delta >= -deltaTolerance { best.insert(.wait) }

        return OffSwitchSolution(euAct: mean, euWait: expectations.allowedPayoff, delta: delta,
                                 pAllow: expectations.allowProbability, best: best, theorem2: prior.theorem2(expectations),
                                 absoluteError: expectations.absoluteError, evaluations: expectations.evaluations,
                                 method: expectations.method)
    }
}

/// Theorem 2's decomposition for a Gaussian belief and a differentiable π:
/// Δ = σ²·E[π′(U)] − |μ|·Pr(C), where C is the event that H overrides R's default action.
public struct Theorem2Terms: Sendable, Equatable {
    /// σ²·E[π′(U)] ≥ 0: the value of the information H's choice carries.
    public var spread: Double
    /// |μ|·Pr(C) ≥ 0: the expected cost of H overriding a default that was right on average.
    public var override: Double
    /// spread − override, which equals Δ (Stein's lemma).
    public var delta: Double { spread - override }
}

/// The solved game. Values are in the units of U.
public struct OffSwitchSolution: Sendable, Equatable {
    /// V(a) = E[U].
    public var euAct: Double
    /// V(s) = 0.
    public var euOff: Double { 0 }
    /// V(w(a)) = E[π(U)·U].
    public var euWait: Double
    /// Δ = V(w(a)) − max(V(a), V(s)): the incentive to defer to the human.
    public var delta: Double
    /// P(H allows) = E[π(U)].
    public var pAllow: Double
    /// The best action(s); several when they tie.
    public var best: RobotActions
    /// Theorem 2's terms, for a Gaussian belief and a differentiable human.
    public var theorem2: Theorem2Terms?
    /// The estimated absolute error of the reported values (0 when exact).
    public var absoluteError: Double
    /// Integrand evaluations spent (0 for closed forms).
    public var evaluations: Int
    /// How the expectations were computed.
    public var method: GameExpectations.Method
}
