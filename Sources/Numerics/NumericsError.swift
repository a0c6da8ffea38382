/// Errors raised by the numerical layer. GSL failures arrive here instead of aborting the process.
public enum NumericsError: Error, Equatable, Sendable, CustomStringConvertible {
    /// GSL reported a failure: its error code, its message, and the routine that failed.
    case gsl(code: Int32, message: String, routine: String)
    /// A rule or routine was asked for with an argument outside its domain.
    case invalidArgument(String)

    public var description: String {
        switch self {
        case let .gsl(code, message, routine):
            return "\(routine) failed: \(message) (GSL error \(code))"
        case let .invalidArgument(text):
            return text
        }
    }
}
