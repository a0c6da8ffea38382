/// The rational human: allows exactly when the action is not harmful, π(u) = 1[u ≥ 0].
/// Ties go to allowing (u = 0 is allowed), as in docs/offswitch.md §2.
public struct RationalHuman: HumanModel {
    /// The rational human.
    public init() {}
    public var kind: String { "rational" }
    public var parameters: [GameParameter] { [] }
    public var form: HumanForm { .step(nonNegative: 1, negative: 0) }
    public func allowProbability(_ u: Double) -> Double { u >= 0 ? 1 : 0 }
    public func overrideProbability(_ u: Double) -> Double { u >= 0 ? 0 : 1 }
}
