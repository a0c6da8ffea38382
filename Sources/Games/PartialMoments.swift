/// The pieces of a belief that every step-shaped human needs, all exact:
/// E[U⁺] = E[max(U, 0)], E[U⁻] = E[max(−U, 0)], P(U ≥ 0) and P(U < 0).
/// The two probabilities are kept separately so that neither is computed as 1 minus the other.
public struct PartialMoments: Sendable, Equatable {
    /// E[max(U, 0)] ≥ 0.
    public var positivePart: Double
    /// E[max(−U, 0)] ≥ 0.
    public var negativePart: Double
    /// P(U ≥ 0).
    public var probabilityNonNegative: Double
    /// P(U < 0).
    public var probabilityNegative: Double
    /// Absolute error bound of `positivePart` (rounding in its formula or sum).
    public var positiveError: Double
    /// Absolute error bound of `negativePart`.
    public var negativeError: Double

    /// Partial moments with their error bounds (0 for exact values).
    public init(positivePart: Double, negativePart: Double, probabilityNonNegative: Double, probabilityNegative: Double,
                positiveError: Double = 0, negativeError: Double = 0) {
        self.positivePart = positivePart
        self.negativePart = negativePart
        self.probabilityNonNegative = probabilityNonNegative
        self.probabilityNegative = probabilityNegative
        self.positiveError = positiveError
        self.negativeError = negativeError
    }

    /// All zero, for accumulating.
    static let zero = PartialMoments(positivePart: 0, negativePart: 0, probabilityNonNegative: 0, probabilityNegative: 0)

    /// The expectations for a human with π = a on u ≥ 0 and π = b on u < 0:
    /// E[πU] = a·E[U⁺] − b·E[U⁻] and E[(1−π)U] = (1−a)·E[U⁺] − (1−b)·E[U⁻], exactly.
    public func stepExpectations(nonNegative a: Double, negative b: Double) -> GameExpectations {
        let eps = GameExpectations.roundoff
        let errors = ErrorBounds(
            allowedPayoff: eps * (a * positivePart + b * negativePart) + a * positiveError + b * negativeError,
            overriddenPayoff: eps * ((1 - a) * positivePart + (1 - b) * negativePart) + (1 - a) * positiveError + (1 - b) * negativeError,
            probability: eps)
        return GameExpectations(
            allowedPayoff: a * positivePart - b * negativePart,
            overriddenPayoff: (1 - a) * positivePart - (1 - b) * negativePart,
            allowProbability: a * probabilityNonNegative + b * probabilityNegative,
            overrideProbability: (1 - a) * probabilityNonNegative + (1 - b) * probabilityNegative,
            meanSlope: nil, errors: errors, evaluations: 0, method: .closedForm)
    }
}
