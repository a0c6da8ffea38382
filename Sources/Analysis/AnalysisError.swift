/// Errors from reading inputs and writing outputs. Each case maps to one documented exit code
/// (architecture.md): bad data 65, missing input 66, cannot create output 73, I/O 74.
public enum AnalysisError: Error, Equatable, Sendable, CustomStringConvertible {
    /// The input file does not exist or cannot be opened for reading.
    case missingFile(path: String)
    /// The input's content is wrong: where (file, line and column where known) and what.
    case badData(location: String, message: String)
    /// An output file cannot be created.
    case cannotCreate(path: String, reason: String)
    /// Reading or writing failed part-way.
    case io(path: String, reason: String)

    public var description: String {
        switch self {
        case let .missingFile(path): return "\(path): no such file or not readable"
        case let .badData(location, message): return "\(location): \(message)"
        case let .cannotCreate(path, reason): return "cannot create \(path): \(reason)"
        case let .io(path, reason): return "\(path): \(reason)"
        }
    }
}
