/// The uninformative human (a chance node): allows with the same probability c whatever u is.
/// Deferring to it can never help: Δ = c·E[U] − max(E[U], 0) ≤ 0.
public struct ConstantHuman: HumanModel {
    /// The constant probability c in [0, 1] of allowing.
    public let c: Double

    /// A human who allows with probability `c` in [0, 1] whatever U is.
    public init(c: Double) throws(GameError) {
        try GameError.requireProbability(c, "c")
        self.c = c
    }

    public var kind: String { "constant" }
    public var parameters: [GameParameter] { [GameParameter("c", c)] }
    public var form: HumanForm { .step(nonNegative: c, negative: c) }
    public func allowProbability(_ u: Double) -> Double { c }
    public func overrideProbability(_ u: Double) -> Double { 1 - c }
    public func slope(_ u: Double) -> Double? { 0 }
}
