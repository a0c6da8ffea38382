/// The p-rational human of Wängberg et al. (2017): with probability p H does what a rational
/// human would, otherwise the opposite. π(u) = p for u ≥ 0 and 1 − p for u < 0.
/// p = 1 is rational; p = 1/2 is a coin flip.
public struct PRationalHuman: HumanModel {
    /// The probability p in [0, 1] that H acts rationally.
    public let p: Double

    /// A human who is rational with probability `p` in [0, 1] and contrary otherwise.
    public init(p: Double) throws(GameError) {
        try GameError.requireProbability(p, "p")
        self.p = p
    }

    public var kind: String { "p-rational" }
    public var parameters: [GameParameter] { [GameParameter("p", p)] }
    public var form: HumanForm { .step(nonNegative: p, negative: 1 - p) }
    public func allowProbability(_ u: Double) -> Double { u >= 0 ? p : 1 - p }
    public func overrideProbability(_ u: Double) -> Double { u >= 0 ? 1 - p : p }
}
