/// The expectations of the off-switch game under a belief and a human model. Everything the
/// game reports is built from these; each is computed directly, never as a difference of two
/// nearly equal numbers.
public struct GameExpectations: Sendable, Equatable {
    /// E[π(U)·U]: the payoff of waiting (H lets the action through with probability π).
    public var allowedPayoff: Double
    /// E[(1 − π(U))·U]: what H's vetoes remove, E[U] − E[πU] computed without cancellation.
    public var overriddenPayoff: Double
    /// E[π(U)]: the probability that H allows the action.
    public var allowProbability: Double
    /// E[1 − π(U)]: the probability that H switches R off after it waits.
    public var overrideProbability: Double
    /// E[π′(U)] where π is differentiable (Theorem 2's first term is σ² times this).
    public var meanSlope: Double?
    /// Bounds (closed forms, sums) or estimates (quadrature) of the absolute errors.
    public var errors: ErrorBounds
    /// The largest of `errors`, as reported beside the values.
    public var absoluteError: Double { errors.largest }
    /// How many integrand evaluations produced these numbers (0 for closed forms).
    public var evaluations: Int
    /// Which method produced them.
    public var method: Method

    /// How a set of expectations was computed.
    public enum Method: String, Sendable, Equatable, CaseIterable {
        case closedForm = "closed-form"
        case exactSum = "exact-sum"
        case gaussHermite = "gauss-hermite"
        case stepPlusLaguerre = "step+gauss-laguerre"
        case adaptive = "adaptive"
        case mixed = "mixture"
    }

    /// Expectations with their error bounds, as computed by one method.
    public init(allowedPayoff: Double, overriddenPayoff: Double, allowProbability: Double, overrideProbability: Double,
                meanSlope: Double?, errors: ErrorBounds, evaluations: Int, method: Method) {
        self.allowedPayoff = allowedPayoff
        self.overriddenPayoff = overriddenPayoff
        self.allowProbability = allowProbability
        self.overrideProbability = overrideProbability
        self.meanSlope = meanSlope
        self.errors = errors
        self.evaluations = evaluations
        self.method = method
    }

    /// A generous multiple of the unit round-off, for error bounds of a few floating-point operations.
    public static let roundoff = 8 * Double.ulpOfOne

    /// The zero element, for accumulating mixtures.
    static let zero = GameExpectations(allowedPayoff: 0, overriddenPayoff: 0, allowProbability: 0, overrideProbability: 0,
                                       meanSlope: 0, errors: .zero, evaluations: 0, method: .mixed)

    /// self + weight × other: expectations are linear in the belief.
    func adding(_ other: GameExpectations, weight: Double) -> GameExpectations {
        var sum = self
        sum.allowedPayoff += weight * other.allowedPayoff
        sum.overriddenPayoff += weight * other.overriddenPayoff
        sum.allowProbability += weight * other.allowProbability
        sum.overrideProbability += weight * other.overrideProbability
        if let a = meanSlope, let b = other.meanSlope { sum.meanSlope = a + weight * b } else { sum.meanSlope = nil }
        sum.errors.allowedPayoff += weight * other.errors.allowedPayoff + GameExpectations.roundoff * abs(weight * other.allowedPayoff)
        sum.errors.overriddenPayoff += weight * other.errors.overriddenPayoff + GameExpectations.roundoff * abs(weight * other.overriddenPayoff)
        sum.errors.probability += weight * other.errors.probability + GameExpectations.roundoff
        sum.evaluations += other.evaluations
        return sum
    }
}

/// Absolute error bounds (or estimates) of a set of expectations. Ties between actions are
/// judged against these, so that a tiny but exactly computed Δ (say 1e-92) is not mistaken for 0.
public struct ErrorBounds: Sendable, Equatable {
    /// Error of E[πU].
    public var allowedPayoff: Double
    /// Error of E[(1 − π)U].
    public var overriddenPayoff: Double
    /// Error of the probabilities E[π], E[1 − π] and of E[π′].
    public var probability: Double

    /// Error bounds of the two payoffs and of the probabilities.
    public init(allowedPayoff: Double, overriddenPayoff: Double, probability: Double) {
        self.allowedPayoff = allowedPayoff
        self.overriddenPayoff = overriddenPayoff
        self.probability = probability
    }

    /// No error (exact values).
    public static let zero = ErrorBounds(allowedPayoff: 0, overriddenPayoff: 0, probability: 0)

    /// The largest of the three.
    public var largest: Double { max(allowedPayoff, overriddenPayoff, probability) }
}
