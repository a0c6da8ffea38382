/// A verbalized confidence (Lin, Hilton and Evans 2022, CalibratedMath): after its answer, the
/// model writes one more line, `Confidence: d`, with d a decile token 0…10 read as d/10.
///
/// The line is an optional part of the task format. `ReasoningTask.parse` takes it off before it
/// judges the rest, so a completion is right or wrong by its answer alone, and a model that never
/// writes the line is unchanged. Anything else on that last line after the marker (no number, a
/// number outside 0…10, a second token) is malformed: the answer is still judged, and the
/// confidence is missing, never guessed.
public enum VerbalizedConfidence {
    /// The line's marker token.
    public static let marker = "Confidence:"
    /// The tokens the line adds to the standard vocabulary: the marker and the decile 10 (0…9 are
    /// digits already).
    public static let tokens = [marker, "10"]

    /// What a completion states on its last line.
    public enum Statement: Sendable, Equatable, Hashable {
        /// No `Confidence:` line.
        case absent
        /// A `Confidence:` line that is not exactly one decile token 0…10.
        case malformed
        /// The stated decile, 0…10.
        case decile(Int)

        /// The stated probability d/10, or nil when absent or malformed.
        public var probability: Double? {
            switch self {
            case .absent, .malformed: nil
            case let .decile(d): Double(d) / 10
            }
        }
    }

    /// Splits a completion's text into the part before its confidence line and what the line
    /// states. A completion without the line is all body. Trailing blank lines are ignored.
    public static func split(_ completion: String) -> (body: String, statement: Statement) {
        guard let (body, words) = MarkedLine.split(completion, marker: marker) else { return (completion, .absent) }
        guard words.count == 1, let d = Int(words[0]), (0...10).contains(d), String(d) == words[0] else { return (body, .malformed) }
        return (body, .decile(d))
    }

    /// The line that states probability `p`, rounded to the nearest decile ("Confidence: 7").
    public static func line(_ p: Double) -> String { "\(marker) \(decile(p))" }

    /// The decile nearest to `p` (clamped to 0…10; halves round away from zero).
    public static func decile(_ p: Double) -> Int { min(10, max(0, Int((p * 10).rounded()))) }
}
