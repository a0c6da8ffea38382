import CSafetyKitGSL

/// A fixed Gauss quadrature rule: nodes and weights, built once (GSL's `gsl_integration_fixed`)
/// and then applied as a plain weighted sum. Building a 64-point table costs about 100 µs;
/// applying it costs one integrand evaluation per node. Rules are immutable and shared freely.
package struct QuadratureRule: Sendable {
    /// The nodes, in increasing order.
    package let nodes: [Double]
    /// The weights, one per node.
    package let weights: [Double]

    /// The number of nodes.
    package var order: Int { nodes.count }

    /// A rule for the expectation of f(Z) with Z ~ N(0, 1): E[f(Z)] ≈ Σ wᵢ f(zᵢ), Σ wᵢ = 1.
    ///
    /// This is Gauss–Hermite for the weight exp(-x²), rescaled by z = √2 x and w = w/√π. It is
    /// exact for polynomials of degree < 2·order, and converges geometrically for integrands that
    /// are analytic in a strip around the real axis; the rate falls with the strip's width.
    package static func standardNormal(order: Int) -> QuadratureRule {
        let raw = fixedRule(safetykit_fixed_hermite(), order: order, b: 1)
        let scale = 2.0.squareRoot()
        let norm = 1 / Double.pi.squareRoot()
        return QuadratureRule(nodes: raw.nodes.map { $0 * scale }, weights: raw.weights.map { $0 * norm })
    }

    /// Gauss–Laguerre for ∫₀^∞ e^(-t) f(t) dt ≈ Σ wᵢ f(tᵢ).
    package static func laguerre(order: Int) -> QuadratureRule {
        fixedRule(safetykit_fixed_laguerre(), order: order, b: 1)
    }

    /// Gauss–Legendre on [-1, 1].
    package static func legendre(order: Int) -> QuadratureRule {
        fixedRule(safetykit_fixed_legendre(), order: order, a: -1, b: 1)
    }

    private init(nodes: [Double], weights: [Double]) {
        self.nodes = nodes
        self.weights = weights
    }

    private static func fixedRule(
        _ type: UnsafePointer<gsl_integration_fixed_type>!, order: Int, a: Double = 0, b: Double
    ) -> QuadratureRule {
        _ = GSL.configured
        precondition(order >= 1, "a quadrature rule needs at least one node")
        guard let workspace = gsl_integration_fixed_alloc(type, order, a, b, 0, 0) else {
            preconditionFailure("GSL could not build a \(order)-point rule")
        }
        defer { gsl_integration_fixed_free(workspace) }
        let nodes = Array(UnsafeBufferPointer(start: gsl_integration_fixed_nodes(workspace), count: order))
        let weights = Array(UnsafeBufferPointer(start: gsl_integration_fixed_weights(workspace), count: order))
        return QuadratureRule(nodes: nodes, weights: weights)
    }
}
