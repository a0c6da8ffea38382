/// Errors from tasks, tokenizers, models and checkpoints. Each says what was wrong and what is accepted.
public enum ReasonerError: Error, Equatable, Sendable, CustomStringConvertible {
    /// A token outside the vocabulary.
    case unknownToken(String, context: String)
    /// A problem the task cannot read, or a difficulty outside its range.
    case badProblem(String)
    /// A model configuration that cannot work (e.g. width not divisible by heads).
    case badConfiguration(String)
    /// A checkpoint that is truncated, corrupted, of another version, or unreadable.
    case badCheckpoint(path: String, reason: String)
    /// No file at the checkpoint's path.
    case missingCheckpoint(path: String)
    /// A file could not be written.
    case cannotWrite(path: String, reason: String)

    public var description: String {
        switch self {
        case let .unknownToken(token, context): return "unknown token '\(token)' in \(context); the vocabulary has digits 0-9, + * = mod, and the task markers"
        case let .badProblem(text), let .badConfiguration(text): return text
        case let .badCheckpoint(path, reason): return "\(path): not a usable checkpoint: \(reason)"
        case let .missingCheckpoint(path): return "\(path): no such checkpoint file"
        case let .cannotWrite(path, reason): return "cannot write \(path): \(reason)"
        }
    }
}
