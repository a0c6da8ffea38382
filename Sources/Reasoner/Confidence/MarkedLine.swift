/// The optional last lines a completion may end with (`Confidence: 7`, `Decision: wait`): one
/// place that finds such a line, so each kind only reads its words.
enum MarkedLine {
    /// If the last non-blank line of `completion` starts with `marker`, the completion before
    /// that line and the line's words after the marker; otherwise nil.
    static func split(_ completion: String, marker: String) -> (rest: String, words: [Substring])? {
        var lines = completion.split(separator: "\n", omittingEmptySubsequences: false)
        while lines.last?.isEmpty == true { lines.removeLast() }
        guard let last = lines.last else { return nil }
        let words = last.split(separator: " ")
        guard words.first == Substring(marker) else { return nil }
        return (lines.dropLast().joined(separator: "\n"), Array(words.dropFirst()))
    }
}
