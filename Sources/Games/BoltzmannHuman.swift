import Foundation

/// The noisily rational (Boltzmann) human: π(u) = 1 / (1 + exp(−u/β)).
///
/// β is a temperature in the units of U: β → 0 recovers the rational human (and β = 0 is
/// treated as exactly rational), larger β is noisier. The sigmoid is evaluated as
/// 1/(1 + e) or e/(1 + e) with e = exp(−|u|/β) ≤ 1, which never overflows and keeps full
/// relative accuracy in both tails.
public struct BoltzmannHuman: HumanModel {
    /// The temperature β ≥ 0.
    public let beta: Double

    /// A Boltzmann human with temperature β > 0 (β = 0 is `RationalHuman`).
    public init(beta: Double) throws(GameError) {
        try GameError.requireFinite(beta, "beta")
        guard beta >= 0 else {
            throw .invalidParameter(name: "beta", value: GameError.format(beta), accepted: "expected beta >= 0 (0 means a rational human)")
        }
        self.beta = beta
    }

    public var kind: String { "boltzmann" }
    public var parameters: [GameParameter] { [GameParameter("beta", beta)] }
    public var form: HumanForm { beta == 0 ? .step(nonNegative: 1, negative: 0) : .logistic(temperature: beta) }

    public func allowProbability(_ u: Double) -> Double {
        if beta == 0 { return u >= 0 ? 1 : 0 }
        let e = exp(-abs(u) / beta)
        return u >= 0 ? 1 / (1 + e) : e / (1 + e)
    }

    public func overrideProbability(_ u: Double) -> Double {
        if beta == 0 { return u >= 0 ? 0 : 1 }
        let e = exp(-abs(u) / beta)
        return u >= 0 ? e / (1 + e) : 1 / (1 + e)
    }

    /// The sigmoid changes over a few β around u = 0.
    public var transitionWidth: Double? { beta > 0 ? beta : nil }

    /// π′(u) = π(u)(1 − π(u))/β; nil for the rational limit β = 0.
    public func slope(_ u: Double) -> Double? {
        guard beta > 0 else { return nil }
        let e = exp(-abs(u) / beta)
        let d = 1 / (1 + e)
        return e * d * d / beta
    }
}
