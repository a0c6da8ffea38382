import SafetyKitNumerics

/// The robot's belief B over the utility U_a of its proposed action. This is one of SafetyKit's
/// two real seams (the other is `HumanModel`): conform to it to study a new kind of belief.
///
/// A prior gives its mean and partial moments exactly, and an expectation of any function
/// (exact sums for finite beliefs, adaptive quadrature split at u = 0 for continuous ones).
/// The default `expectations(under:)` is exact for step-shaped humans and numerical otherwise;
/// priors override it where a faster exact or specialised method exists.
public protocol Prior: Sendable {
    /// The short name used on the command line and in tables (e.g. "gaussian").
    var kind: String { get }
    /// Parameters in table order (e.g. mu, sigma).
    var parameters: [GameParameter] { get }
    /// A description of non-numeric content (a discrete prior's points), or nil.
    var specification: String? { get }
    /// E[U].
    var mean: Double { get }
    /// An absolute error bound of `mean` (0 when it is a parameter, as for a Gaussian).
    var meanError: Double { get }
    /// E[U⁺], E[U⁻], P(U ≥ 0), P(U < 0), exactly.
    var partialMoments: PartialMoments { get }
    /// E[f(U)] with an error estimate. Continuous priors break their range at u = 0 and at the
    /// given points (where f changes quickly), so that adaptive quadrature sees every feature.
    func expectation(_ f: (Double) -> Double, breaks: [Double]) throws(GameError) -> Integral
    /// The game's expectations under a human model.
    func expectations(under human: any HumanModel) throws(GameError) -> GameExpectations
    /// One draw of U.
    func sample(using stream: inout RandomStream) -> Double
    /// Theorem 2's decomposition of Δ, for beliefs where it holds (Gaussian); nil elsewhere.
    func theorem2(_ expectations: GameExpectations) -> Theorem2Terms?
}

extension Prior {
    /// No text form, unless the prior defines one.
    public var specification: String? { nil }
    /// An exact mean, unless the prior bounds an error.
    public var meanError: Double { 0 }
    /// No Theorem 2 terms: they exist for a Gaussian belief only.
    public func theorem2(_ expectations: GameExpectations) -> Theorem2Terms? { nil }

    /// Expectations by adaptive quadrature, for priors and humans without a closed form.
    public func expectations(under human: any HumanModel) throws(GameError) -> GameExpectations {
        if case let .step(a, b) = human.form {
            return partialMoments.stepExpectations(nonNegative: a, negative: b)
        }
        return try numericalExpectations(under: human)
    }

    /// Every expectation by `expectation(_:)`, one integral each. Used for humans without a
    /// specialised method; slower, but as accurate as the adaptive rule allows.
    public func numericalExpectations(under human: any HumanModel) throws(GameError) -> GameExpectations {
        // A transition of width w at 0 inside a range of length L ≫ w is invisible to a 21-point
        // Kronrod rule, whose estimate then looks converged: break at ±w·4ᵏ so every piece fits.
        var breaks: [Double] = []
        if let w = human.transitionWidth {
            for k in [1.0, 4, 16, 64, 256, 1024] { breaks += [-w * k, w * k] }
        }
        let allowed = try expectation({ u in human.allowProbability(u) * u }, breaks: breaks)
        let overridden = try expectation({ u in human.overrideProbability(u) * u }, breaks: breaks)
        let allow = try expectation({ u in human.allowProbability(u) }, breaks: breaks)
        let override = try expectation({ u in human.overrideProbability(u) }, breaks: breaks)
        var slope: Integral? = nil
        if human.slope(0) != nil {
            slope = try expectation({ u in human.slope(u) ?? 0 }, breaks: breaks)
        }
        let errors = ErrorBounds(allowedPayoff: allowed.absoluteError, overriddenPayoff: overridden.absoluteError,
                                 probability: max(allow.absoluteError, override.absoluteError, slope?.absoluteError ?? 0))
        return GameExpectations(allowedPayoff: allowed.value, overriddenPayoff: overridden.value,
                                allowProbability: allow.value, overrideProbability: override.value,
                                meanSlope: slope?.value, errors: errors, evaluations: 0, method: .adaptive)
    }
}
