import SafetyKitNumerics

/// Errors from building or solving a game. Each names what was wrong and what is accepted.
public enum GameError: Error, Equatable, Sendable, CustomStringConvertible {
    /// A parameter is outside its domain: its name, the offending value, and the accepted range.
    case invalidParameter(name: String, value: String, accepted: String)
    /// A configuration is incomplete or inconsistent (for example a sweep over a parameter the
    /// chosen prior does not have).
    case invalidConfiguration(String)
    /// The numerical layer failed to produce a value.
    case numerical(String)

    public var description: String {
        switch self {
        case let .invalidParameter(name, value, accepted):
            return "invalid \(name) \(value): \(accepted)"
        case let .invalidConfiguration(text), let .numerical(text):
            return text
        }
    }

    /// Checks that a value is finite; NaN and infinities are never valid parameters.
    static func requireFinite(_ value: Double, _ name: String) throws(GameError) {
        guard value.isFinite else {
            throw .invalidParameter(name: name, value: format(value), accepted: "expected a finite number")
        }
    }

    /// Checks that a value is a probability in [0, 1].
    static func requireProbability(_ value: Double, _ name: String) throws(GameError) {
        guard value.isFinite, (0...1).contains(value) else {
            throw .invalidParameter(name: name, value: format(value), accepted: "expected a probability in [0, 1]")
        }
    }

    static func format(_ value: Double) -> String { DecimalText.shortest(value) }
}
