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

    /// An example.
    public init(tokens: [Int], promptLength: Int, unscored: Range<Int>? = nil) {
        self.tokens = tokens
        self.promptLength = promptLength
        self.unscored = unscored
    }

    /// The prompt (with STaR's hint, the gold answer, when `hint` is set) and gold completion of
    /// a problem, or the given completion.
    /// With `unscoredLine`, that line of the completion (0-based, lines split at "\n") is not
    /// scored; its line break is.
    public init(task: any ReasoningTask, problem: Problem, vocabulary: Vocabulary, completion: String? = nil,
                hint: Bool = false, unscoredLine: Int? = nil) throws(ReasonerError) {
        let prompt = try vocabulary.encode(task.prompt(problem, hint: hint ? problem.answer : nil), context: "the prompt of \(problem.key)")
        let text = completion ?? task.target(problem)
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
        self.init(tokens: prompt + body + [vocabulary.eos], promptLength: prompt.count, unscored: unscored)
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
