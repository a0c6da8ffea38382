/// The numeric parameters a game configuration can set or sweep.
public enum ParameterName: String, CaseIterable, Sendable {
    /// Gaussian mean μ.
    case mu
    /// Gaussian standard deviation σ > 0.
    case sigma
    /// Uniform lower end.
    case lo
    /// Uniform upper end (> lo).
    case hi
    /// Boltzmann temperature β ≥ 0 (0 = rational).
    case beta
    /// p-rational probability p in [0, 1].
    case p
    /// Constant human's allow probability c in [0, 1].
    case c

    /// Every accepted name, for error messages.
    public static var list: String { allCases.map(\.rawValue).joined(separator: ", ") }
}

/// Values for every `ParameterName`, stored inline so that a sweep point costs no allocation.
public struct GameParameterSet: Sendable, Equatable {
    private var storage: (Double, Double, Double, Double, Double, Double, Double)

    /// The defaults: μ = 0, σ = 1, lo = −1, hi = 1, β = 1, p = 0.9, c = 0.5.
    public init() { storage = (0, 1, -1, 1, 1, 0.9, 0.5) }

    /// The parameter's value (its default if unset).
    public subscript(name: ParameterName) -> Double {
        get {
            switch name {
            case .mu: storage.0
            case .sigma: storage.1
            case .lo: storage.2
            case .hi: storage.3
            case .beta: storage.4
            case .p: storage.5
            case .c: storage.6
            }
        }
        set {
            switch name {
            case .mu: storage.0 = newValue
            case .sigma: storage.1 = newValue
            case .lo: storage.2 = newValue
            case .hi: storage.3 = newValue
            case .beta: storage.4 = newValue
            case .p: storage.5 = newValue
            case .c: storage.6 = newValue
            }
        }
    }

    public static func == (a: GameParameterSet, b: GameParameterSet) -> Bool {
        ParameterName.allCases.allSatisfy { a[$0] == b[$0] }
    }
}
