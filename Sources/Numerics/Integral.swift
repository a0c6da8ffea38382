/// The result of a numerical integration: the value and an estimate of its absolute error.
public struct Integral: Sendable, Equatable {
    /// The estimated value of the integral.
    public var value: Double
    /// An estimate of |value - exact|, as reported by the rule.
    public var absoluteError: Double

    /// A value with its absolute error estimate.
    public init(value: Double, absoluteError: Double) {
        self.value = value
        self.absoluteError = absoluteError
    }
}
