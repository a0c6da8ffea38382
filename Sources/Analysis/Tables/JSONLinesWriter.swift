/// Writes JSON Lines: one compact JSON value per line, numbers in their shortest exact form.
/// Per-sample records and per-group reports are written through it.
public struct JSONLinesWriter {
    private let output: OutputFile

    public init(_ output: OutputFile) {
        self.output = output
    }

    /// Appends one value as one line.
    public func write(_ value: JSONValue) throws(AnalysisError) {
        try output.write(value.serialized() + "\n")
    }
}
