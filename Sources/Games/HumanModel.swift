/// The human's policy in the off-switch game: π(u), the probability that H lets R's proposed
/// action proceed when its utility is u. This is one of SafetyKit's two real seams (the other
/// is `Prior`): conform to it to study a new kind of human.
public protocol HumanModel: Sendable {
    /// The short name used on the command line and in tables (e.g. "boltzmann").
    var kind: String { get }
    /// Numeric parameters in table order (e.g. beta).
    var parameters: [GameParameter] { get }
    /// The shape of π, which lets priors pick exact or specialised expectations.
    var form: HumanForm { get }
    /// π(u) in [0, 1].
    func allowProbability(_ u: Double) -> Double
    /// 1 − π(u), computed without cancellation (it matters where π(u) is close to 1).
    func overrideProbability(_ u: Double) -> Double
    /// π′(u), or nil where π is not differentiable.
    func slope(_ u: Double) -> Double?
    /// The width (in units of U) of π's transition around u = 0, if it has a narrow one; numerical
    /// integration breaks its range at multiples of it, or it may miss the transition entirely.
    var transitionWidth: Double? { get }
}

/// The shape of a human's policy, as far as the solvers need to know it.
public enum HumanForm: Sendable, Equatable {
    /// π(u) = `nonNegative` for u ≥ 0 and `negative` for u < 0. Rational, p-rational and
    /// constant humans have this form; every expectation then follows from the prior's
    /// partial moments, exactly.
    case step(nonNegative: Double, negative: Double)
    /// π(u) = 1 / (1 + exp(−u/β)) with β > 0.
    case logistic(temperature: Double)
    /// Any other policy: expectations are integrated numerically, split at u = 0.
    case general
}

extension HumanModel {
    /// No derivative, unless the human defines one.
    public func slope(_ u: Double) -> Double? { nil }
    /// No smooth transition, unless the human defines one.
    public var transitionWidth: Double? { nil }
}
