import Foundation
import SafetyKitNumerics

/// A Gaussian belief N(μ, σ²) over U_a, with σ > 0.
public struct GaussianPrior: Prior {
    /// The mean μ.
    public let mu: Double
    /// The standard deviation σ > 0.
    public let sigma: Double

    /// N(μ, σ²) with σ > 0 and both finite.
    public init(mu: Double, sigma: Double) throws(GameError) {
        try GameError.requireFinite(mu, "mu")
        try GameError.requireFinite(sigma, "sigma")
        guard sigma > 0 else {
            throw .invalidParameter(name: "sigma", value: GameError.format(sigma), accepted: "expected sigma > 0 (use a discrete prior for a point mass)")
        }
        self.mu = mu
        self.sigma = sigma
    }

    public var kind: String { "gaussian" }
    public var parameters: [GameParameter] { [GameParameter("mu", mu), GameParameter("sigma", sigma)] }
    public var mean: Double { mu }

    /// With x = μ/σ: E[U⁺] = μΦ(x) + σφ(x), E[U⁻] = σφ(x) − μ(1 − Φ(x)), P(U ≥ 0) = Φ(x).
    /// Tails use GSL's upper-tail function directly; the difference in E[U⁻] for large x loses
    /// relative digits but its absolute error stays below 1e-16·σ.
    public var partialMoments: PartialMoments {
        let x = mu / sigma
        let density = Normal.pdf(x)
        let upper = Normal.cdf(x)
        let lower = Normal.survival(x)
        let eps = 2 * GameExpectations.roundoff   // Φ and φ carry a few ulps of their own
        return PartialMoments(positivePart: max(0, mu * upper + sigma * density),
                              negativePart: max(0, sigma * density - mu * lower),
                              probabilityNonNegative: upper, probabilityNegative: lower,
                              positiveError: eps * (abs(mu) * upper + sigma * density),
                              negativeError: eps * (sigma * density + abs(mu) * lower))
    }

    public func expectation(_ f: (Double) -> Double, breaks: [Double]) throws(GameError) -> Integral {
        // Beyond 40σ the density is below 1e-340 of its peak: nothing representable is lost.
        // Breaks at μ ± σ, 4σ, 16σ keep the density's own scale visible in long ranges.
        let integrator = AdaptiveIntegrator()
        var own: [Double] = [0, mu]
        for k in [1.0, 4, 16] { own += [mu - sigma * k, mu + sigma * k] }
        do {
            let scale = 1 / sigma
            return try integrator.integrate(from: mu - 40 * sigma, to: mu + 40 * sigma, splittingAt: own + breaks) { u in
                f(u) * Normal.pdf((u - mu) * scale) * scale
            }
        } catch {
            throw .numerical("integrating over N(\(mu), \(sigma)²): \(error)")
        }
    }

    public func expectations(under human: any HumanModel) throws(GameError) -> GameExpectations {
        switch human.form {
        case let .step(a, b):
            return partialMoments.stepExpectations(nonNegative: a, negative: b)
        case let .logistic(beta):
            return try logisticExpectations(beta: beta)
        case .general:
            return try numericalExpectations(under: human)
        }
    }

    public func sample(using stream: inout RandomStream) -> Double {
        mu + sigma * stream.nextNormal()
    }

    /// Δ = σ²·E[π′(U)] − |μ|·Pr(C), where C is H overriding R's default (act if μ ≥ 0, else off).
    public func theorem2(_ expectations: GameExpectations) -> Theorem2Terms? {
        guard let slope = expectations.meanSlope else { return nil }
        let overrideChance = mu >= 0 ? expectations.overrideProbability : expectations.allowProbability
        return Theorem2Terms(spread: sigma * sigma * slope, override: abs(mu) * overrideChance)
    }
}
