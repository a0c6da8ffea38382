import CSafetyKitGSL

/// Process-wide GSL set-up. GSL's default error handler calls abort(); we turn it off once,
/// before the first GSL call, and check every status code instead.
enum GSL {
    /// Touch this before calling GSL. Swift runs a static initialiser exactly once, thread-safely.
    static let configured: Bool = {
        gsl_set_error_handler_off()
        return true
    }()

    /// The GSL version string, e.g. "2.7.1".
    static var version: String { String(cString: safetykit_gsl_version()) }

    /// Turns a GSL status into a Swift error.
    static func check(_ status: Int32, _ routine: String) throws(NumericsError) {
        guard status != GSL_SUCCESS else { return }
        throw NumericsError.gsl(code: status, message: String(cString: gsl_strerror(status)), routine: routine)
    }
}

/// Versions of the numerical libraries SafetyKit runs on, for `--version` and benchmark reports.
package enum NumericsLibraries {
    /// The GSL version string.
    package static var gslVersion: String { GSL.version }
}
