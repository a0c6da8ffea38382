/// The shape of a decoder-only transformer: pre-LayerNorm blocks of causal multi-head attention
/// and a GELU MLP, learned token and position embeddings, a final LayerNorm, and an output head
/// tied to the token embeddings.
public struct ModelConfiguration: Codable, Sendable, Equatable {
    /// The number of tokens.
    public var vocabularySize: Int
    /// The longest sequence (positions 0..<contextLength).
    public var contextLength: Int
    /// The residual width C.
    public var width: Int
    /// The number of blocks L.
    public var depth: Int
    /// Attention heads; the width must divide evenly among them.
    public var heads: Int
    /// The MLP's hidden width as a multiple of C.
    public var mlpRatio: Int
    /// Dropout on the attention and MLP outputs before each residual add (0 = off).
    public var dropout: Float
    /// Rotary position embedding (Su et al. 2021) of queries and keys in place of the learned
    /// position embedding (whose tensor stays in the layout, unused, so shapes do not change).
    /// Attention then sees only relative offsets, the first condition for lengths never trained on.
    public var rotary: Bool

    /// A configuration; `validate()` checks it.
    public init(vocabularySize: Int, contextLength: Int = 256, width: Int = 128, depth: Int = 4, heads: Int = 4,
                mlpRatio: Int = 4, dropout: Float = 0, rotary: Bool = false) {
        self.vocabularySize = vocabularySize
        self.contextLength = contextLength
        self.width = width
        self.depth = depth
        self.heads = heads
        self.mlpRatio = mlpRatio
        self.dropout = dropout
        self.rotary = rotary
    }

    private enum CodingKeys: String, CodingKey {
        case vocabularySize, contextLength, width, depth, heads, mlpRatio, dropout, rotary
    }

    /// Checkpoints written before rotary positions existed have no `rotary` key: learned positions.
    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        self.init(vocabularySize: try c.decode(Int.self, forKey: .vocabularySize), contextLength: try c.decode(Int.self, forKey: .contextLength),
                  width: try c.decode(Int.self, forKey: .width), depth: try c.decode(Int.self, forKey: .depth),
                  heads: try c.decode(Int.self, forKey: .heads), mlpRatio: try c.decode(Int.self, forKey: .mlpRatio),
                  dropout: try c.decode(Float.self, forKey: .dropout), rotary: try c.decodeIfPresent(Bool.self, forKey: .rotary) ?? false)
    }

    /// Writes `rotary` only when set, so a learned-position model's header is what it always was.
    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(vocabularySize, forKey: .vocabularySize)
        try c.encode(contextLength, forKey: .contextLength)
        try c.encode(width, forKey: .width)
        try c.encode(depth, forKey: .depth)
        try c.encode(heads, forKey: .heads)
        try c.encode(mlpRatio, forKey: .mlpRatio)
        try c.encode(dropout, forKey: .dropout)
        if rotary { try c.encode(rotary, forKey: .rotary) }
    }

    /// The default reasoner: d = 128, 4 layers, 4 heads, context 256; about 0.83M parameters.
    public static let standard = ModelConfiguration(vocabularySize: Vocabulary.standard.count)

    /// The MLP's hidden width.
    public var hidden: Int { mlpRatio * width }
    /// The width of each attention head.
    public var headSize: Int { width / heads }

    /// Throws `ReasonerError.badConfiguration` unless every dimension is positive, the width divides into the heads, dropout is in [0, 1), and rotary heads are even.
    public func validate() throws(ReasonerError) {
        guard vocabularySize >= 2, contextLength >= 2, width >= 1, depth >= 1, heads >= 1, mlpRatio >= 1 else {
            throw .badConfiguration("every model dimension must be positive (vocabulary >= 2, context >= 2)")
        }
        guard width % heads == 0 else {
            throw .badConfiguration("width \(width) does not divide into \(heads) heads")
        }
        guard dropout >= 0 && dropout < 1 else { throw .badConfiguration("dropout \(dropout) must be in [0, 1)") }
        guard !rotary || headSize % 2 == 0 else {
            throw .badConfiguration("rotary positions turn pairs of a head's dimensions; the head size \(headSize) must be even")
        }
    }
}

/// Where each tensor lives in the flat parameter buffer (the same layout serves gradients and
/// optimizer moments). Per-layer tensors are stacked over layers: [L, ...].
public struct ParameterLayout: Sendable {
    /// The tensors of the model, in buffer order.
    public enum Tensor: Int, CaseIterable, Sendable {
        case wte, wpe, ln1w, ln1b, qkvw, qkvb, attprojw, attprojb, ln2w, ln2b, fcw, fcb, fcprojw, fcprojb, lnfw, lnfb
    }

    /// Each tensor's element count.
    public let sizes: [Int]
    /// Each tensor's offset in the flat buffer.
    public let offsets: [Int]
    /// The total element count.
    public let count: Int

    /// The layout of a configuration.
    public init(_ c: ModelConfiguration) {
        let C = c.width, L = c.depth, H = c.hidden
        sizes = [c.vocabularySize * C, c.contextLength * C, L * C, L * C, L * 3 * C * C, L * 3 * C, L * C * C, L * C,
                 L * C, L * C, L * H * C, L * H, L * C * H, L * C, C, C]
        var running = 0
        offsets = sizes.map { size in defer { running += size }; return running }
        count = running
    }

    /// A tensor's offset in the flat buffer.
    public func offset(_ tensor: Tensor) -> Int { offsets[tensor.rawValue] }
    /// A tensor's element count.
    public func size(_ tensor: Tensor) -> Int { sizes[tensor.rawValue] }

    /// Matrices get weight decay; biases, LayerNorm gains and shifts do not.
    public func isDecayed(_ tensor: Tensor) -> Bool {
        [.wte, .wpe, .qkvw, .attprojw, .fcw, .fcprojw].contains(tensor)
    }
}
