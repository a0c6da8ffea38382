/// Writes JSON Lines: one compact JSON value per line, numbers in their shortest exact form.
/// Per-sample records and per-group reports are written through it.
package struct JSONLinesWriter {
    private let output: OutputFile

    package init(_ output: OutputFile) {
        self.output = output
    }

    /// Appends one value as one line.
    package func write(_ value: JSONValue) throws(AnalysisError) {
        try output.write(value.serialized() + "\n")
    }
}
