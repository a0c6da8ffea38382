/// The token vocabulary of the task language. Text is split on spaces; a line break is its own
/// token ("\n"). Ids are positions in `tokens`, and the vocabulary is stored with every model.
public struct Vocabulary: Sendable, Equatable {
    /// The tokens; a token's id is its index.
    public let tokens: [String]
    private let ids: [String: Int]

    /// A vocabulary; tokens should be distinct (a repeated token keeps its last id).
    public init(tokens: [String]) {
        self.tokens = tokens
        var ids: [String: Int] = [:]
        for (i, t) in tokens.enumerated() { ids[t] = i }
        self.ids = ids
    }

    /// This vocabulary with those of `extra` it lacks appended, in order (itself when it has them
    /// all). Appending keeps every id, so a model extends to the result without changing what it
    /// does on text of this vocabulary.
    public func appending(_ extra: [String]) -> Vocabulary {
        var seen = Set(tokens)
        let missing = extra.filter { seen.insert($0).inserted }
        return missing.isEmpty ? self : Vocabulary(tokens: tokens + missing)
    }

    /// The vocabulary of the built-in tasks: padding and end markers, line breaks, the prompt
    /// markers, scratchpad markers, digits and the operators.
    public static let standard = Vocabulary(tokens: [
        "<pad>", "<eos>", "\n", "Input:", "Target:", "Hint:", "<scratch>", "</scratch>", "C:", ",",
        "0", "1", "2", "3", "4", "5", "6", "7", "8", "9", "+", "*", "=", "mod",
    ])

    /// The number of tokens.
    public var count: Int { tokens.count }
    /// The padding token's id.
    public var pad: Int { ids["<pad>"]! }
    /// The end token's id.
    public var eos: Int { ids["<eos>"]! }

    /// A token's id, if it is in the vocabulary.
    public func id(_ token: String) -> Int? { ids[token] }

    /// Token ids of a text; an unknown token is an error naming it.
    public func encode(_ text: String, context: String = "the input") throws(ReasonerError) -> [Int] {
        var result: [Int] = []
        for line in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            if line.offset > 0 { result.append(ids["\n"]!) }
            for word in line.element.split(separator: " ") {
                guard let id = ids[String(word)] else { throw .unknownToken(String(word), context: context) }
                result.append(id)
            }
        }
        return result
    }

    /// Text of token ids (line breaks as newlines, other tokens joined by spaces).
    public func decode(_ ids: [Int]) -> String {
        var text = ""
        var atLineStart = true
        for id in ids {
            let token = id >= 0 && id < tokens.count ? tokens[id] : "<?>"
            if token == "\n" { text += "\n"; atLineStart = true; continue }
            if !atLineStart { text += " " }
            text += token
            atLineStart = false
        }
        return text
    }
}
