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

    public init(positivePart: Double, negativePart: Double, probabilityNonNegative: Double, probabilityNegative: Double) {
        self.positivePart = positivePart
        self.negativePart = negativePart
        self.probabilityNonNegative = probabilityNonNegative
        self.probabilityNegative = probabilityNegative
    }

    /// The expectations for a human with π = a on u ≥ 0 and π = b on u < 0:
    /// E[πU] = a·E[U⁺] − b·E[U⁻] and E[(1−π)U] = (1−a)·E[U⁺] − (1−b)·E[U⁻], exactly.
    public func stepExpectations(nonNegative a: Double, negative b: Double) -> GameExpectations {
        GameExpectations(
            allowedPayoff: a * positivePart - b * negativePart,
            overriddenPayoff: (1 - a) * positivePart - (1 - b) * negativePart,
            allowProbability: a * probabilityNonNegative + b * probabilityNegative,
            overrideProbability: (1 - a) * probabilityNonNegative + (1 - b) * probabilityNegative,
            meanSlope: nil, absoluteError: 0, evaluations: 0, method: .closedForm)
    }
}
