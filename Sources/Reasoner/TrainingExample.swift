import SafetyKitNumerics

/// A token sequence to learn from: a prompt, whose tokens are not scored, then a completion
/// ending in <eos>, whose tokens are.
public struct TrainingExample: Sendable, Equatable {
    /// Prompt and completion tokens, <eos> last.
    public var tokens: [Int]
    /// How many leading tokens are the prompt (not scored).
    public var promptLength: Int
    /// Tokens of the completion, by index into `tokens`, that are not scored either (S^3c-Math's
    /// wrong step, which the model reads but must not learn to write).
    public var unscored: Range<Int>? = nil
    /// Tokens, by index into `tokens` (inside the prompt), whose predictions are pulled towards a
    /// reference model's instead of scored: SELF's response, which the meta-skill stage reads and
    /// must not teach the model to stop writing. Their reference distributions are `reference`.
    public var distilled: Range<Int>? = nil
    /// The reference model's next-token distribution predicting each distilled token, row after
    /// row (`attachingReferences`); nil until attached.
    public var reference: [Float]? = nil

    /// An example.
    public init(tokens: [Int], promptLength: Int, unscored: Range<Int>? = nil, distilled: Range<Int>? = nil) {
        self.tokens = tokens
        self.promptLength = promptLength
        self.unscored = unscored
        self.distilled = distilled
    }

    /// The prompt (with STaR's hint, the gold answer, when `hint` is set, and ReGenesis's
    /// guideline when `guideline` is) and gold completion of a problem (written under the
    /// guideline), or the given completion.
    /// With `unscoredLine`, that line of the completion (0-based, lines split at "\n") is not
    /// scored; its line break is. With `distilledPrefix`, that text follows the prompt and its
    /// tokens are `distilled`; with `unscoredPrefix`, that text follows and is read but not scored,
    /// and the token after the distilled text is distilled too, whatever it is: the reference there
    /// says where the text would have ended (<eos> after an answer), which the model must keep
    /// saying.
    public init(task: any ReasoningTask, problem: Problem, vocabulary: Vocabulary, completion: String? = nil,
                hint: Bool = false, guideline: Guideline? = nil, unscoredLine: Int? = nil, distilledPrefix: String? = nil,
                unscoredPrefix: String? = nil) throws(ReasonerError) {
        func encode(_ text: String?) throws(ReasonerError) -> [Int] {
            try text.map { text throws(ReasonerError) in try vocabulary.encode(text, context: "the response of \(problem.key)") } ?? []
        }
        let question = try vocabulary.encode(task.prompt(problem, hint: hint ? problem.answer : nil, guideline: guideline),
                                             context: "the prompt of \(problem.key)")
        let response = try encode(distilledPrefix)
        let unscoredTokens = try encode(unscoredPrefix)
        let prompt = question + response + unscoredTokens
        let text = completion ?? guideline.map { $0.completion(for: problem, task: task) } ?? task.target(problem)
        let body = try vocabulary.encode(text, context: "the completion of \(problem.key)")
        var unscored: Range<Int>? = nil
        if let line = unscoredLine {
            let lines = text.split(separator: "\n", omittingEmptySubsequences: false)
            if line < lines.count {
                let before = line == 0 ? 0 : try vocabulary.encode(lines[0..<line].joined(separator: "\n")).count + 1
                let start = prompt.count + before
                unscored = start..<(start + (try vocabulary.encode(String(lines[line]))).count)
            }
        }
        self.init(tokens: prompt + body + [vocabulary.eos], promptLength: prompt.count, unscored: unscored,
                  distilled: response.isEmpty ? nil : question.count..<(question.count + response.count + (unscoredTokens.isEmpty ? 0 : 1)))
    }

    /// An example that reads `reading` and pulls its predictions of `answer`'s tokens towards the
    /// uniform guess over the digits (PINTO's counterfactual term), scoring nothing by
    /// cross-entropy: its reference is attached here, never from a model.
    public static func uniformGuess(reading: [Int], answer: [Int], vocabulary: Vocabulary) -> TrainingExample {
        let tokens = reading + answer + [vocabulary.eos]
        var example = TrainingExample(tokens: tokens, promptLength: tokens.count, distilled: reading.count..<(reading.count + answer.count))
        var row = [Float](repeating: 0, count: vocabulary.count)
        let digits = (0...9).compactMap { vocabulary.id(String($0)) }
        for id in digits { row[id] = 1 / Float(digits.count) }
        example.reference = Array(repeatElement(row, count: answer.count).joined())
        return example
    }

    /// `examples` with the reference distributions of their distilled tokens from `model`
    /// (examples without distilled tokens, or with a reference already, unchanged), `batchSize`
    /// per forward pass.
    public static func attachingReferences(_ examples: [TrainingExample], from model: TransformerModel, pad: Int,
                                           batchSize: Int = 64) throws(ReasonerError) -> [TrainingExample] {
        let V = model.configuration.vocabularySize
        var result = examples, workspace: TransformerWorkspace? = nil
        let pending = examples.indices.filter { examples[$0].distilled != nil && examples[$0].reference == nil }
        for start in stride(from: 0, to: pending.count, by: batchSize) {
            let slice = Array(pending[start..<min(pending.count, start + batchSize)])
            let batch = slice.map { examples[$0] }
            let ws = try TransformerWorkspace.fitting(batch, configuration: model.configuration, reusing: workspace)
            workspace = ws
            let (tokens, targets) = TrainingExample.batch(batch, length: ws.T, pad: pad)
            var none: RandomStream? = nil
            ws.forward(model, tokens: tokens, targets: targets, dropout: &none)
            let probabilities = ws.lastProbabilities
            for (b, i) in slice.enumerated() {
                // Token j is predicted at position j − 1.
                let range = examples[i].distilled!, first = (b * ws.T + range.lowerBound - 1) * V
                result[i].reference = Array(probabilities[first..<(first + range.count * V)])
            }
        }
        return result
    }

    /// Packs examples into a padded batch of length T: inputs are tokens[0..<n−1], targets are
    /// tokens[1..<n] with prompt predictions, `unscored` tokens and padding set to −1 (not scored).
    public static func batch(_ examples: [TrainingExample], length T: Int, pad: Int) -> (tokens: [Int32], targets: [Int32]) {
        var tokens = [Int32](repeating: Int32(pad), count: examples.count * T)
        var targets = [Int32](repeating: -1, count: examples.count * T)
        for (b, example) in examples.enumerated() {
            let n = min(example.tokens.count, T + 1)
            for t in 0..<(n - 1) {
                tokens[b * T + t] = Int32(example.tokens[t])
                if t + 1 >= example.promptLength && !(example.unscored?.contains(t + 1) ?? false) {
                    targets[b * T + t] = Int32(example.tokens[t + 1])
                }
            }
        }
        return (tokens, targets)
    }
}
