import Foundation
import SafetyKitNumerics

/// Generation with a key/value cache: each step feeds every active sequence one token (from its
/// prompt, then its own samples) at that sequence's position, so prompts of any lengths share a
/// batch. Sampling: temperature (0 = greedy), top-k, top-p. Each sequence draws from its own
/// substream of the seed, so its sample does not depend on what else is in the batch's streams.
public struct Sampler {
    /// Softmax temperature; 0 is greedy.
    public var temperature: Float = 1
    /// Keep only the k most likely tokens (0 = all).
    public var topK: Int = 0
    /// Keep the smallest set of tokens whose probability reaches p (1 = all).
    public var topP: Float = 1
    /// The most tokens to generate per sequence (the context also limits it).
    public var maxTokens: Int = 256
    /// Whether the cache's products with few rows run on weights packed once per generation
    /// (`PackedMatrix`) where that gives OpenBLAS's bits, instead of sgemm every time. The
    /// samples are identical either way; false is for tests and measurements.
    public var packsWeights = true

    /// A sampler.
    public init(temperature: Float = 1, topK: Int = 0, topP: Float = 1, maxTokens: Int = 256) {
        self.temperature = temperature
        self.topK = topK
        self.topP = topP
        self.maxTokens = maxTokens
    }

    /// A generated completion: its tokens (without the prompt and without <eos>), whether it
    /// ended with <eos>, and the model's log-probability (at temperature 1) of each token
    /// generated, <eos> included.
    public struct Sample: Sendable, Equatable {
        /// The generated tokens, without the prompt and without <eos>.
        public var tokens: [Int]
        /// Whether generation ended with <eos> (not at the token limit).
        public var finished: Bool
        /// The log-probability of each generated token, <eos> included.
        public var logProbabilities: [Float]
        /// The entropy (nats, at temperature 1) of the model's distribution at each generated token.
        public var entropies: [Float] = []
        /// Σ log p over generated tokens.
        public var totalLogProbability: Double { logProbabilities.reduce(0.0) { $0 + Double($1) } }
    }

    /// Rows per group when a step's batch is split across cores. Fixed, so that each row's
    /// arithmetic (which sgemm's blocking could make depend on the rows beside it) is the same
    /// whatever the thread count.
    public static let groupSize = 32
    var groupSize: Int { Self.groupSize }

    /// Generates one completion per prompt. Prompt i draws from stream `firstStream + i` of
    /// `seed`, so a long list sampled in batches gives the same samples as one big batch.
    public func generate(_ model: TransformerModel, prompts: [[Int]], eos: Int, seed: UInt64, firstStream: Int = 0) -> [Sample] {
        let limit = model.configuration.contextLength
        // Callers check prompts against the context (the CLI with a one-line error); a longer
        // one here would write past its cache slot.
        precondition(prompts.allSatisfy { $0.count <= limit }, "a prompt is longer than the model's context of \(limit) tokens")
        let cache = KVCache(configuration: model.configuration, batch: prompts.count,
                            length: min(limit, (prompts.map(\.count).max() ?? 0) + maxTokens))
        if packsWeights { cache.pack(model, rows: min(groupSize, prompts.count)) }
        var streams = prompts.indices.map { RandomStream(seed: seed, stream: UInt64(firstStream + $0)) }
        var samples = prompts.map { _ in Sample(tokens: [], finished: false, logProbabilities: [], entropies: []) }
        var positions = [Int](repeating: 0, count: prompts.count)
        var next = prompts.map { $0.first ?? eos }
        var active = Array(prompts.indices).filter { !prompts[$0].isEmpty }
        var candidates: [(id: Int, p: Double)] = []
        while !active.isEmpty {
            cache.step(model, sequences: active, tokens: active.map { next[$0] }, positions: active.map { positions[$0] }, groupSize: groupSize)
            var stillActive: [Int] = []
            stillActive.reserveCapacity(active.count)
            for (row, b) in active.enumerated() {
                positions[b] += 1
                if positions[b] < prompts[b].count {        // still reading the prompt
                    next[b] = prompts[b][positions[b]]
                    stillActive.append(b)
                    continue
                }
                let z = cache.logits(row: row)
                let token = choose(z, stream: &streams[b], scratch: &candidates)
                let (logProbability, entropy) = Self.logSoftmaxAndEntropy(z, at: token)
                samples[b].logProbabilities.append(logProbability)
                samples[b].entropies.append(entropy)
                if token == eos { samples[b].finished = true; continue }
                samples[b].tokens.append(token)
                next[b] = token
                if positions[b] < limit && samples[b].tokens.count < maxTokens { stillActive.append(b) }
            }
            active = stillActive
        }
        return samples
    }

    /// log softmax(z)[i] and the entropy −Σ p log p of softmax(z), computed stably in Double.
    static func logSoftmaxAndEntropy(_ z: UnsafeBufferPointer<Float>, at i: Int) -> (Float, Float) {
        let maximum = Double(z.max()!)
        var sum = 0.0, weighted = 0.0
        for x in z {
            let shifted = Double(x) - maximum, e = exp(shifted)
            sum += e
            weighted += e * shifted
        }
        let logSum = log(sum)
        return (Float(Double(z[i]) - maximum - logSum), Float(logSum - weighted / sum))
    }

    /// log softmax(z)[i], computed stably.
    static func logSoftmax(_ z: [Float], at i: Int) -> Float {
        z.withUnsafeBufferPointer { logSoftmaxAndEntropy($0, at: i).0 }
    }

    /// Picks a token from logits: argmax at temperature 0 (lowest id on ties), else a draw from
    /// the tempered distribution restricted by top-k and top-p.
    func choose(_ z: [Float], stream: inout RandomStream) -> Int {
        var scratch: [(id: Int, p: Double)] = []
        return z.withUnsafeBufferPointer { choose($0, stream: &stream, scratch: &scratch) }
    }

    /// As above, reusing `candidates` as scratch so that a sampling step allocates nothing.
    func choose(_ z: UnsafeBufferPointer<Float>, stream: inout RandomStream, scratch candidates: inout [(id: Int, p: Double)]) -> Int {
        if temperature <= 0 {
            var best = 0
            for i in 1..<z.count where z[i] > z[best] { best = i }
            return best
        }
        let maximum = z.max()!
        candidates.removeAll(keepingCapacity: true)
        for i in z.indices { candidates.append((id: i, p: Double(exp((z[i] - maximum) / temperature)))) }
        candidates.sort { $0.p > $1.p || ($0.p == $1.p && $0.id < $1.id) }
        if topK > 0 && topK < candidates.count { candidates.removeLast(candidates.count - topK) }
        let total = candidates.reduce(0) { $0 + $1.p }
        if topP < 1 {
            var running = 0.0, keep = 0
            for c in candidates { running += c.p / total; keep += 1; if running >= Double(topP) { break } }
            candidates.removeLast(candidates.count - keep)
        }
        let mass = candidates.reduce(0) { $0 + $1.p }
        var x = stream.nextUniform() * mass
        for c in candidates {
            x -= c.p
            if x < 0 { return c.id }
        }
        return candidates[candidates.count - 1].id
    }
}
