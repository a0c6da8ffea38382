/// A named numeric parameter of a prior or a human model, in the order it appears in tables.
public struct GameParameter: Sendable, Equatable {
    /// The parameter's name as used on the command line and in CSV headers (e.g. "sigma").
    public var name: String
    /// Its value.
    public var value: Double

    /// A named parameter value, e.g. ("beta", 1).
    public init(_ name: String, _ value: Double) {
        self.name = name
        self.value = value
    }
}
