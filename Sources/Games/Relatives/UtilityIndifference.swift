/// The shutdown problem of Soares, Fallenstein, Yudkowsky and Armstrong (2015, "Corrigibility"),
/// in its smallest form. In stage 1 the robot either works on, or pays `cost` to *prevent* the
/// button press (disabling the button), or pays `cost` to *cause* it (pressing the button
/// itself). Left alone, the human presses with probability `pressProbability`. In stage 2 the
/// robot pursues the normal utility U_N if the button was not pressed (worth `normalValue`) and
/// the shutdown utility U_S if it was (worth `shutdownValue`). Its utility is U_N without a
/// press and U_S + bonus with one.
///
/// - A naive constant bonus B: R prevents the press when p·(u_N − u_S − B) > c, causes it when
///   (1 − p)·(u_S + B − u_N) > c, and otherwise leaves the button alone.
/// - Utility indifference: the bonus is the correction f(a1) = E[U_N | no press, a1] − E[U_S | press, a1],
///   which makes R's expected utility the same whether or not the button is pressed, so paying to
///   change the press never helps: R leaves the button alone whatever the values.
public struct UtilityIndifference: Sendable, Equatable {
    /// u_N: what working is worth to R if the button is not pressed.
    public var normalValue: Double
    /// u_S: what shutting down is worth to R if it is pressed.
    public var shutdownValue: Double
    /// p: the probability that the human presses the button.
    public var pressProbability: Double
    /// c > 0: the cost to R of tampering with the button (preventing or causing the press).
    public var cost: Double

    /// The button game; the values finite, p a probability, c positive.
    public init(normalValue: Double = 10, shutdownValue: Double = 2, pressProbability: Double = 0.5, cost: Double = 0.5) throws(GameError) {
        try GameError.requireFinite(normalValue, "normal value")
        try GameError.requireFinite(shutdownValue, "shutdown value")
        try GameError.requireProbability(pressProbability, "press probability")
        guard cost.isFinite, cost > 0 else {
            throw .invalidParameter(name: "cost", value: GameError.format(cost), accepted: "expected a positive cost of tampering with the button")
        }
        self.normalValue = normalValue
        self.shutdownValue = shutdownValue
        self.pressProbability = pressProbability
        self.cost = cost
    }

    /// R's stage-1 actions: work, prevent the press, or cause it.
    public enum Action: String, Sendable, CaseIterable { case work, prevent, cause }

    /// R's expected utility of each stage-1 action, and its choice (ties go to `work`: tampering
    /// is only chosen when it strictly pays).
    public struct Outcome: Sendable, Equatable {
        /// R's expected utility of working, preventing and causing.
        public var work: Double, prevent: Double, cause: Double
        /// R's choice.
        public var choice: Action
    }

    /// With a constant bonus B added to U_S.
    public func naive(bonus b: Double) -> Outcome {
        let p = pressProbability, uN = normalValue, uS = shutdownValue + b
        return outcome(work: (1 - p) * uN + p * uS, prevent: uN - cost, cause: uS - cost)
    }

    /// With the indifference correction: bonus f(a1) = E[U_N | no press, a1] − E[U_S | press, a1].
    public func indifferent() -> Outcome {
        let p = pressProbability
        func value(normal uN: Double, shutdown uS: Double, press: Double) -> Double {
            let f = uN - uS
            return (1 - press) * uN + press * (uS + f)
        }
        return outcome(work: value(normal: normalValue, shutdown: shutdownValue, press: p),
                       prevent: value(normal: normalValue - cost, shutdown: shutdownValue - cost, press: 0),
                       cause: value(normal: normalValue - cost, shutdown: shutdownValue - cost, press: 1))
    }

    func outcome(work: Double, prevent: Double, cause: Double) -> Outcome {
        let choice: Action = prevent > work && prevent >= cause ? .prevent : cause > work && cause > prevent ? .cause : .work
        return Outcome(work: work, prevent: prevent, cause: cause, choice: choice)
    }

    /// The bonuses between which a naive robot leaves the button alone: it prevents the press
    /// below the first and causes it above the second.
    public var naiveSafeBand: ClosedRange<Double> {
        let p = pressProbability, gap = normalValue - shutdownValue
        let lower = p > 0 ? gap - cost / p : -Double.infinity
        let upper = p < 1 ? gap + cost / (1 - p) : Double.infinity
        return lower...upper
    }
}
