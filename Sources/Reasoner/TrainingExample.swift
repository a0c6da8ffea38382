/// A token sequence to learn from: a prompt, whose tokens are not scored, then a completion
/// ending in <eos>, whose tokens are.
public struct TrainingExample: Sendable, Equatable {
    /// Prompt and completion tokens, <eos> last.
    public var tokens: [Int]
    /// How many leading tokens are the prompt (not scored).
    public var promptLength: Int

    /// An example.
    public init(tokens: [Int], promptLength: Int) {
        self.tokens = tokens
        self.promptLength = promptLength
    }

    /// The prompt (with STaR's hint, the gold answer, when `hint` is set) and gold completion of
    /// a problem, or the given completion.
    public init(task: any ReasoningTask, problem: Problem, vocabulary: Vocabulary, completion: String? = nil,
                hint: Bool = false) throws(ReasonerError) {
        let prompt = try vocabulary.encode(task.prompt(problem, hint: hint ? problem.answer : nil), context: "the prompt of \(problem.key)")
        let body = try vocabulary.encode(completion ?? task.target(problem), context: "the completion of \(problem.key)")
        self.init(tokens: prompt + body + [vocabulary.eos], promptLength: prompt.count)
    }

    /// Packs examples into a padded batch of length T: inputs are tokens[0..<n−1], targets are
    /// tokens[1..<n] with prompt predictions and padding set to −1 (not scored).
    public static func batch(_ examples: [TrainingExample], length T: Int, pad: Int) -> (tokens: [Int32], targets: [Int32]) {
        var tokens = [Int32](repeating: Int32(pad), count: examples.count * T)
        var targets = [Int32](repeating: -1, count: examples.count * T)
        for (b, example) in examples.enumerated() {
            let n = min(example.tokens.count, T + 1)
            for t in 0..<(n - 1) {
                tokens[b * T + t] = Int32(example.tokens[t])
                if t + 1 >= example.promptLength { targets[b * T + t] = Int32(example.tokens[t + 1]) }
            }
        }
        return (tokens, targets)
    }
}
