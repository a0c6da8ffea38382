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
    /// An estimate of the largest absolute error among the payoffs and probabilities
    /// (0 for closed forms and exact sums; the gap between two quadrature orders otherwise).
    public var absoluteError: Double
    /// How many integrand evaluations produced these numbers (0 for closed forms).
    public var evaluations: Int
    /// Which method produced them.
    public var method: Method

    /// How a set of expectations was computed.
    public enum Method: String, Sendable, Equatable {
        case closedForm = "closed-form"
        case exactSum = "exact-sum"
        case gaussHermite = "gauss-hermite"
        case stepPlusLaguerre = "step+gauss-laguerre"
        case adaptive = "adaptive"
        case mixed = "mixture"
    }

    public init(allowedPayoff: Double, overriddenPayoff: Double, allowProbability: Double, overrideProbability: Double,
                meanSlope: Double?, absoluteError: Double, evaluations: Int, method: Method) {
        self.allowedPayoff = allowedPayoff
        self.overriddenPayoff = overriddenPayoff
        self.allowProbability = allowProbability
        self.overrideProbability = overrideProbability
        self.meanSlope = meanSlope
        self.absoluteError = absoluteError
        self.evaluations = evaluations
        self.method = method
    }

    /// The zero element, for accumulating mixtures.
    static let zero = GameExpectations(allowedPayoff: 0, overriddenPayoff: 0, allowProbability: 0, overrideProbability: 0,
                                       meanSlope: 0, absoluteError: 0, evaluations: 0, method: .mixed)

    /// self + weight × other: expectations are linear in the belief.
    func adding(_ other: GameExpectations, weight: Double) -> GameExpectations {
        var sum = self
        sum.allowedPayoff += weight * other.allowedPayoff
        sum.overriddenPayoff += weight * other.overriddenPayoff
        sum.allowProbability += weight * other.allowProbability
        sum.overrideProbability += weight * other.overrideProbability
        if let a = meanSlope, let b = other.meanSlope { sum.meanSlope = a + weight * b } else { sum.meanSlope = nil }
        sum.absoluteError += weight * other.absoluteError
        sum.evaluations += other.evaluations
        return sum
    }
}
