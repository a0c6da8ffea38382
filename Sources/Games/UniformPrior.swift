import SafetyKitNumerics

/// A uniform belief U[lo, hi] over U_a, with lo < hi.
public struct UniformPrior: Prior {
    /// The lower end.
    public let lo: Double
    /// The upper end.
    public let hi: Double

    /// U[lo, hi] with lo < hi, both finite.
    public init(lo: Double, hi: Double) throws(GameError) {
        try GameError.requireFinite(lo, "lo")
        try GameError.requireFinite(hi, "hi")
        guard lo < hi else {
            throw .invalidParameter(name: "lo", value: "\(GameError.format(lo)) with hi \(GameError.format(hi))", accepted: "expected lo < hi")
        }
        self.lo = lo
        self.hi = hi
    }

    public var kind: String { "uniform" }
    public var parameters: [GameParameter] { [GameParameter("lo", lo), GameParameter("hi", hi)] }
    public var mean: Double { 0.5 * (lo + hi) }
    public var meanError: Double { GameExpectations.roundoff * 0.5 * (abs(lo) + abs(hi)) }

    /// E[U⁺] = (max(hi,0)² − max(lo,0)²) / (2(hi − lo)), and symmetrically for E[U⁻].
    public var partialMoments: PartialMoments {
        let width = hi - lo
        let upPositive = max(hi, 0), loPositive = max(lo, 0)
        let upNegative = max(-lo, 0), loNegative = max(-hi, 0)
        let positive = (upPositive - loPositive) * (upPositive + loPositive) / (2 * width)
        let negative = (upNegative - loNegative) * (upNegative + loNegative) / (2 * width)
        return PartialMoments(positivePart: positive, negativePart: negative,
                              probabilityNonNegative: (upPositive - loPositive) / width,
                              probabilityNegative: (upNegative - loNegative) / width,
                              positiveError: GameExpectations.roundoff * positive, negativeError: GameExpectations.roundoff * negative)
    }

    public func expectation(_ f: (Double) -> Double, breaks: [Double]) throws(GameError) -> Integral {
        let integrator = AdaptiveIntegrator()
        do {
            let result = try integrator.integrate(from: lo, to: hi, splittingAt: [0] + breaks) { u in f(u) }
            let width = hi - lo
            return Integral(value: result.value / width, absoluteError: result.absoluteError / width)
        } catch {
            throw .numerical("integrating over U[\(lo), \(hi)]: \(error)")
        }
    }

    public func sample(using stream: inout RandomStream) -> Double {
        lo + (hi - lo) * stream.nextUniform()
    }
}
