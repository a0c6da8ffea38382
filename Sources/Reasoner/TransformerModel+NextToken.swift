import SafetyKitNumerics

extension TransformerModel {
    /// The probabilities (at temperature 1) of `tokens` as the next token after each context,
    /// `batchSize` contexts per forward pass: [context][token]. A context must fit the model's
    /// context length with one token to spare.
    public func nextTokenProbabilities(after contexts: [[Int]], of tokens: [Int], pad: Int,
                                       batchSize: Int = 64) throws(ReasonerError) -> [[Double]] {
        var result: [[Double]] = [], workspace: TransformerWorkspace? = nil
        result.reserveCapacity(contexts.count)
        let size = max(1, batchSize)
        for start in stride(from: 0, to: contexts.count, by: size) {
            // Each example ends in a placeholder token whose prediction is the one read.
            let examples = contexts[start..<min(contexts.count, start + size)].map { TrainingExample(tokens: $0 + [pad], promptLength: $0.count) }
            let ws = try TransformerWorkspace.fitting(examples, configuration: configuration, reusing: workspace)
            workspace = ws
            let (batch, targets) = TrainingExample.batch(examples, length: ws.T, pad: pad)
            var none: RandomStream? = nil
            ws.forward(self, tokens: batch, targets: targets, dropout: &none)
            for (b, e) in examples.enumerated() {
                let p = ws.probabilities(b: b, t: e.tokens.count - 2)
                result.append(tokens.map { Double(p[$0]) })
            }
        }
        return result
    }
}
