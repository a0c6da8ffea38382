import CSafetyKitGSL

/// Globally adaptive quadrature (GSL's QAGS and QAGI families) with a workspace allocated once.
///
/// An integrator owns a GSL workspace and is not thread-safe: give each thread its own.
/// Integrands are Swift closures; they are passed to GSL through a context pointer and a
/// non-capturing `@convention(c)` trampoline, so one integration allocates nothing per evaluation.
///
/// Tolerances follow GSL: the routine stops when the error estimate is at most
/// `max(absoluteTolerance, relativeTolerance * |value|)`.
package final class AdaptiveIntegrator {
    private let workspace: UnsafeMutablePointer<gsl_integration_workspace>
    /// The maximum number of subintervals the workspace holds.
    package let limit: Int

    package init(limit: Int = 1000) {
        _ = GSL.configured
        self.limit = limit
        self.workspace = gsl_integration_workspace_alloc(limit)
    }

    deinit { gsl_integration_workspace_free(workspace) }

    /// Integrates `f` over [a, b]; either end may be infinite (`-.infinity`, `.infinity`).
    ///
    /// Finite ranges use QAGS (21-point Gauss–Kronrod with Wynn epsilon extrapolation), which
    /// tolerates integrable end-point singularities; half-infinite and infinite ranges use QAGIU,
    /// QAGIL and QAGI, which map the range onto (0, 1].
    package func integrate(
        from a: Double, to b: Double,
        absoluteTolerance: Double = 1e-13, relativeTolerance: Double = 1e-11,
        _ f: (Double) -> Double
    ) throws(NumericsError) -> Integral {
        guard !a.isNaN, !b.isNaN else { throw .invalidArgument("integration limits must not be NaN") }
        if a == b { return Integral(value: 0, absoluteError: 0) }
        if a > b {
            let flipped = try integrate(from: b, to: a, absoluteTolerance: absoluteTolerance,
                                        relativeTolerance: relativeTolerance, f)
            return Integral(value: -flipped.value, absoluteError: flipped.absoluteError)
        }
        var result = 0.0
        var error = 0.0
        let status: Int32 = withoutActuallyEscaping(f) { escapable in
            var box = escapable
            return withUnsafeMutablePointer(to: &box) { boxPointer in
                var function = gsl_function(function: AdaptiveIntegrator.trampoline, params: UnsafeMutableRawPointer(boxPointer))
                switch (a.isFinite, b.isFinite) {
                case (true, true):
                    return gsl_integration_qags(&function, a, b, absoluteTolerance, relativeTolerance,
                                                limit, workspace, &result, &error)
                case (true, false):
                    return gsl_integration_qagiu(&function, a, absoluteTolerance, relativeTolerance,
                                                 limit, workspace, &result, &error)
                case (false, true):
                    return gsl_integration_qagil(&function, b, absoluteTolerance, relativeTolerance,
                                                 limit, workspace, &result, &error)
                case (false, false):
                    return gsl_integration_qagi(&function, absoluteTolerance, relativeTolerance,
                                                limit, workspace, &result, &error)
                }
            }
        }
        // GSL_EROUND means the requested tolerance is below what round-off allows: the value is
        // still the best available and the error estimate says how good it is, so keep it.
        if status != GSL_EROUND { try GSL.check(status, "adaptive integration over [\(a), \(b)]") }
        return Integral(value: result, absoluteError: error)
    }

    /// Integrates over [a, b] split at the given interior points, summing values and error estimates.
    /// Splitting at a kink or a near-discontinuity (the human's threshold at u = 0) lets each
    /// piece converge at the smooth-integrand rate.
    package func integrate(
        from a: Double, to b: Double, splittingAt breaks: [Double],
        absoluteTolerance: Double = 1e-13, relativeTolerance: Double = 1e-11,
        _ f: (Double) -> Double
    ) throws(NumericsError) -> Integral {
        var points = [a]
        for x in breaks.sorted() where x > a && x < b { points.append(x) }
        points.append(b)
        var total = Integral(value: 0, absoluteError: 0)
        for i in 0..<(points.count - 1) {
            let piece = try integrate(from: points[i], to: points[i + 1], absoluteTolerance: absoluteTolerance,
                                      relativeTolerance: relativeTolerance, f)
            total.value += piece.value
            total.absoluteError += piece.absoluteError
        }
        return total
    }

    private static let trampoline: @convention(c) (Double, UnsafeMutableRawPointer?) -> Double = { x, context in
        context!.assumingMemoryBound(to: ((Double) -> Double).self).pointee(x)
    }
}
