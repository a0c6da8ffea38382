import SafetyKitNumerics

/// A finite belief: values uᵢ with probabilities wᵢ (normalised from the given weights).
/// An empirical prior (a set of samples, e.g. a model's confidences turned into utilities) is
/// the same thing with equal weights. Every expectation is an exact finite sum.
public struct DiscretePrior: Prior {
    /// The support points.
    public let values: [Double]
    /// The probabilities, summing to 1.
    public let probabilities: [Double]
    /// "discrete" for explicit points, "samples" for an empirical prior.
    public let kind: String
    /// Cumulative probabilities for sampling by binary search.
    private let cumulative: [Double]

    /// Points with non-negative weights that sum to a positive, finite number.
    public init(points: [(value: Double, weight: Double)]) throws(GameError) {
        guard !points.isEmpty else {
            throw .invalidConfiguration("a discrete prior needs at least one value:weight point")
        }
        var total = 0.0
        for (index, point) in points.enumerated() {
            try GameError.requireFinite(point.value, "point \(index + 1) value")
            try GameError.requireFinite(point.weight, "point \(index + 1) weight")
            guard point.weight >= 0 else {
                throw .invalidParameter(name: "point \(index + 1) weight", value: GameError.format(point.weight),
                                        accepted: "expected a non-negative weight")
            }
            total += point.weight
        }
        guard total > 0, total.isFinite else {
            throw .invalidParameter(name: "weights", value: "summing to \(GameError.format(total))",
                                    accepted: "expected weights that sum to a positive, finite number")
        }
        self.init(values: points.map(\.value), probabilities: points.map { $0.weight / total }, kind: "discrete")
    }

    /// An empirical prior: each sample carries weight 1/n.
    public init(samples: [Double]) throws(GameError) {
        guard !samples.isEmpty else { throw .invalidConfiguration("an empirical prior needs at least one sample") }
        for (index, value) in samples.enumerated() { try GameError.requireFinite(value, "sample \(index + 1)") }
        self.init(values: samples, probabilities: Array(repeating: 1 / Double(samples.count), count: samples.count),
                  kind: "samples")
    }

    private init(values: [Double], probabilities: [Double], kind: String) {
        self.values = values
        self.probabilities = probabilities
        self.kind = kind
        var running = 0.0
        self.cumulative = probabilities.map { running += $0; return running }
    }

    public var parameters: [GameParameter] { [] }

    /// "v1:w1;v2:w2;…" for explicit points; nil for samples (there may be millions).
    public var specification: String? {
        guard kind == "discrete" else { return nil }
        return zip(values, probabilities).map { "\(DecimalText.shortest($0.0)):\(DecimalText.shortest($0.1))" }.joined(separator: ";")
    }

    public var mean: Double { zip(values, probabilities).reduce(0) { $0 + $1.0 * $1.1 } }

    /// A sum of n terms is off by at most about n·ε times the sum of their magnitudes.
    public var meanError: Double {
        sumError * zip(values, probabilities).reduce(0) { $0 + abs($1.0) * $1.1 }
    }

    private var sumError: Double { Double(values.count + 2) * GameExpectations.roundoff }

    public var partialMoments: PartialMoments {
        var moments = PartialMoments.zero
        for (u, w) in zip(values, probabilities) {
            if u >= 0 {
                moments.positivePart += w * u
                moments.probabilityNonNegative += w
            } else {
                moments.negativePart -= w * u
                moments.probabilityNegative += w
            }
        }
        moments.positiveError = sumError * moments.positivePart
        moments.negativeError = sumError * moments.negativePart
        return moments
    }

    public func expectation(_ f: (Double) -> Double, breaks: [Double]) throws(GameError) -> Integral {
        Integral(value: zip(values, probabilities).reduce(0) { $0 + $1.1 * f($1.0) }, absoluteError: 0)
    }

    /// Exact sums for any human: each term evaluates π and 1 − π directly.
    public func expectations(under human: any HumanModel) throws(GameError) -> GameExpectations {
        var result = GameExpectations(allowedPayoff: 0, overriddenPayoff: 0, allowProbability: 0, overrideProbability: 0,
                                      meanSlope: human.slope(0) == nil ? nil : 0, errors: .zero,
                                      evaluations: values.count, method: .exactSum)
        var allowedMagnitude = 0.0, overriddenMagnitude = 0.0
        for (u, w) in zip(values, probabilities) {
            let allow = human.allowProbability(u)
            let override = human.overrideProbability(u)
            result.allowedPayoff += w * allow * u
            result.overriddenPayoff += w * override * u
            allowedMagnitude += w * allow * abs(u)
            overriddenMagnitude += w * override * abs(u)
            result.allowProbability += w * allow
            result.overrideProbability += w * override
            if let slope = result.meanSlope { result.meanSlope = slope + w * (human.slope(u) ?? 0) }
        }
        result.errors = ErrorBounds(allowedPayoff: sumError * allowedMagnitude, overriddenPayoff: sumError * overriddenMagnitude,
                                    probability: sumError)
        return result
    }

    public func sample(using stream: inout RandomStream) -> Double {
        let x = stream.nextUniform()
        var low = 0, high = cumulative.count - 1
        while low < high {
            let mid = (low + high) / 2
            if cumulative[mid] > x { high = mid } else { low = mid + 1 }
        }
        return values[low]
    }
}
