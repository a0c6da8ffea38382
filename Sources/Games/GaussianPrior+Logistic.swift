import Foundation
import SafetyKitNumerics

// Expectations of the off-switch game for a Gaussian belief N(μ, σ²) and a Boltzmann human
// π(u) = s(u/β), s the logistic sigmoid. No closed form exists; this is the hot path of a sweep.
//
// Accuracy. The sigmoid has poles at u = ±iπβ(2k+1), so Gauss–Hermite in z = (u − μ)/σ
// converges geometrically at a rate set by r = β/σ: 6–8 nodes reach the round-off floor at
// r ≥ 8, 24–32 at r ≈ 1, but as r → 0 the sigmoid becomes a step and no fixed Hermite order
// suffices. The orders per range of r below keep the higher order's error under 1e-3 of the
// target and the lower order's under 1e-2 (measured against mpmath over μ in [−5, 5],
// σ in [0.01, 10]), so the comparison of the two rarely forces the fallback.
// For small r we split π into the rational step plus a correction that lives on the scale β:
//
//     π(u) − 1[u ≥ 0] = −sign(u)·s(−|u|/β),
//
// so E[πU] = E[U⁺] − C₁ with C₁ = E[|U| s(−|U|/β)] = β² ∫₀^∞ t s(−t) [f(βt) + f(−βt)] dt,
// where f is the N(μ, σ²) density. The step part is the closed form; the correction has the
// weight e^(−t) built in (s(−t) = e^(−t)/(1 + e^(−t))), so Gauss–Laguerre integrates it with
// the factor 1/(1 + e^(−t)) tabulated once. Measured against 30-digit mpmath values, the two
// schemes cover every r with a margin of 10³ below the 1e-9 + 1e-7·|v| target.
//
// Error control. Each scheme runs at two orders; the higher one is reported and their gap is
// the error estimate. If the gap exceeds 1e-10 + 1e-8·|v| (never seen over the tested domain),
// we fall back to adaptive GSL integration split at u = 0. The gap cannot see round-off that
// both orders share: where Δ is an exact tie (σ² = 2|μ|β) its value is the rounding left after
// terms of opposite sign cancel (a Hermite sum over both signs of u, or C₁ − E[U⁻]), so each
// estimate also carries a cancellation bound, (order + 8)·ε times the sum of its terms' magnitudes.

/// Rules for the Gaussian × logistic expectations, built once per process.
enum LogisticGaussianRules {
    static let hermite6 = QuadratureRule.standardNormal(order: 6)
    static let hermite8 = QuadratureRule.standardNormal(order: 8)
    static let hermite10 = QuadratureRule.standardNormal(order: 10)
    static let hermite12 = QuadratureRule.standardNormal(order: 12)
    static let hermite16 = QuadratureRule.standardNormal(order: 16)
    static let hermite20 = QuadratureRule.standardNormal(order: 20)
    static let hermite24 = QuadratureRule.standardNormal(order: 24)
    static let hermite32 = QuadratureRule.standardNormal(order: 32)
    static let hermite48 = QuadratureRule.standardNormal(order: 48)
    static let hermite64 = QuadratureRule.standardNormal(order: 64)
    static let laguerre24 = LaguerreTable(order: 24)
    static let laguerre32 = LaguerreTable(order: 32)
    static let laguerre48 = LaguerreTable(order: 48)
    static let laguerre64 = LaguerreTable(order: 64)
}

/// A Gauss–Laguerre rule with the sigmoid factors of the correction integrals tabulated:
/// g₁(t) = 1/(1 + e^(−t)) and g₂(t) = 1/(1 + e^(−t))², so s(−t) = e^(−t)·g₁ and s(t)s(−t) = e^(−t)·g₂.
struct LaguerreTable: Sendable {
    let nodes: [Double]
    let weights: [Double]
    let g1: [Double]
    let g2: [Double]

    init(order: Int) {
        let rule = QuadratureRule.laguerre(order: order)
        nodes = rule.nodes
        weights = rule.weights
        g1 = rule.nodes.map { 1 / (1 + exp(-$0)) }
        g2 = g1.map { $0 * $0 }
    }
}

extension GaussianPrior {
    /// Relative and absolute gap allowed between the two orders before falling back.
    static let orderAgreementRelative = 1e-8
    static let orderAgreementAbsolute = 1e-10

    /// The game's expectations for a Boltzmann human with temperature β > 0.
    func logisticExpectations(beta: Double) throws(GameError) -> GameExpectations {
        let ratio = beta / sigma
        let low: GameExpectations, high: GameExpectations
        typealias R = LogisticGaussianRules
        if ratio >= 0.6 {
            let (a, b) = ratio >= 8 ? (R.hermite6, R.hermite8)
                : ratio >= 4 ? (R.hermite8, R.hermite10)
                : ratio >= 2.5 ? (R.hermite10, R.hermite12)
                : ratio >= 1.5 ? (R.hermite16, R.hermite20)
                : ratio >= 1 ? (R.hermite24, R.hermite32)
                : (R.hermite48, R.hermite64)
            low = hermite(beta: beta, rule: a)
            high = hermite(beta: beta, rule: b)
        } else {
            let (a, b) = ratio < 0.15 ? (R.laguerre24, R.laguerre32) : ratio < 0.35 ? (R.laguerre32, R.laguerre48) : (R.laguerre48, R.laguerre64)
            low = laguerre(beta: beta, table: a)
            high = laguerre(beta: beta, table: b)
        }
        if let errors = Self.agreement(low, high) {
            var result = high
            result.errors = errors
            result.evaluations = low.evaluations + high.evaluations
            return result
        }
        var fallback = try numericalExpectations(under: BoltzmannHuman(uncheckedBeta: beta))
        fallback.evaluations += low.evaluations + high.evaluations
        return fallback
    }

    /// Gauss–Hermite in z = (u − μ)/σ; one exp per node serves every expectation.
    func hermite(beta: Double, rule: QuadratureRule) -> GameExpectations {
        var allowed = 0.0, overridden = 0.0, allow = 0.0, override = 0.0, slope = 0.0
        var allowedMagnitude = 0.0, overriddenMagnitude = 0.0
        let inverseBeta = 1 / beta
        rule.nodes.withUnsafeBufferPointer { z in
            rule.weights.withUnsafeBufferPointer { w in
                for i in 0..<z.count {
                    let u = mu + sigma * z[i]
                    let e = exp(-abs(u) * inverseBeta)
                    let d = 1 / (1 + e)
                    // π = d and 1 − π = e·d for u ≥ 0; the other way round for u < 0.
                    let (p, q) = u >= 0 ? (d, e * d) : (e * d, d)
                    allowed += w[i] * p * u
                    overridden += w[i] * q * u
                    allowedMagnitude += w[i] * p * abs(u)
                    overriddenMagnitude += w[i] * q * abs(u)
                    allow += w[i] * p
                    override += w[i] * q
                    slope += w[i] * (e * d * d)
                }
            }
        }
        let eps = Self.cancellationFactor(order: rule.order)
        return GameExpectations(allowedPayoff: allowed, overriddenPayoff: overridden, allowProbability: allow,
                                overrideProbability: override, meanSlope: slope * inverseBeta,
                                errors: ErrorBounds(allowedPayoff: eps * allowedMagnitude, overriddenPayoff: eps * overriddenMagnitude,
                                                    probability: eps),
                                evaluations: rule.order, method: .gaussHermite)
    }

    /// Step closed form plus Gauss–Laguerre corrections on the scale β (see the file comment).
    func laguerre(beta: Double, table: LaguerreTable) -> GameExpectations {
        var c1 = 0.0, c0 = 0.0, slope = 0.0
        let inverseSigma = 1 / sigma
        let densityScale = Normal.inverseSqrtTwoPi * inverseSigma
        table.nodes.withUnsafeBufferPointer { t in
            table.weights.withUnsafeBufferPointer { w in
                table.g1.withUnsafeBufferPointer { g1 in
                    table.g2.withUnsafeBufferPointer { g2 in
                        for i in 0..<t.count {
                            let v = beta * t[i]
                            let zPlus = (v - mu) * inverseSigma
                            let zMinus = (v + mu) * inverseSigma
                            let fPlus = exp(-0.5 * zPlus * zPlus)
                            let fMinus = exp(-0.5 * zMinus * zMinus)
                            let sum = fPlus + fMinus
                            c1 += w[i] * t[i] * g1[i] * sum
                            c0 += w[i] * g1[i] * (fPlus - fMinus)
                            slope += w[i] * g2[i] * sum
                        }
                    }
                }
            }
        }
        c1 *= beta * beta * densityScale
        c0 *= beta * densityScale
        slope *= densityScale
        let m = partialMoments
        // E[πU] = E[U⁺] − C₁ and E[(1 − π)U] = C₁ − E[U⁻]: both differences cancel at a tie.
        let eps = Self.cancellationFactor(order: table.nodes.count)
        let errors = ErrorBounds(allowedPayoff: eps * (m.positivePart + c1) + m.positiveError,
                                 overriddenPayoff: eps * (c1 + m.negativePart) + m.negativeError,
                                 probability: eps)
        return GameExpectations(allowedPayoff: m.positivePart - c1, overriddenPayoff: c1 - m.negativePart,
                                allowProbability: m.probabilityNonNegative - c0, overrideProbability: m.probabilityNegative + c0,
                                meanSlope: slope, errors: errors, evaluations: 2 * table.nodes.count,
                                method: .stepPlusLaguerre)
    }

    /// The relative round-off bound of a quadrature sum of `order` terms: recursive summation's
    /// (n − 1)·ε, plus a few ε for each term's own exp, divide and products.
    static func cancellationFactor(order: Int) -> Double { Double(order + 8) * Double.ulpOfOne }

    /// The gaps between two orders as error estimates of the lower one (so conservative for the
    /// higher), plus the higher order's round-off bound; nil if any gap is too large to trust either.
    private static func agreement(_ a: GameExpectations, _ b: GameExpectations) -> ErrorBounds? {
        var within = true
        func gap(_ x: Double, _ y: Double, roundoff: Double) -> Double {
            let gap = abs(x - y)
            if !(gap <= orderAgreementAbsolute + orderAgreementRelative * abs(y) + roundoff) { within = false }
            return gap + 64 * Double.ulpOfOne * abs(y) + roundoff
        }
        let p = b.errors.probability
        let errors = ErrorBounds(
            allowedPayoff: gap(a.allowedPayoff, b.allowedPayoff, roundoff: b.errors.allowedPayoff),
            overriddenPayoff: gap(a.overriddenPayoff, b.overriddenPayoff, roundoff: b.errors.overriddenPayoff),
            probability: max(gap(a.allowProbability, b.allowProbability, roundoff: p),
                             gap(a.overrideProbability, b.overrideProbability, roundoff: p),
                             gap(a.meanSlope ?? 0, b.meanSlope ?? 0, roundoff: p)))
        return within ? errors : nil
    }
}

extension BoltzmannHuman {
    /// For internal callers that have already validated β > 0.
    init(uncheckedBeta beta: Double) {
        self = try! BoltzmannHuman(beta: beta)
    }
}
