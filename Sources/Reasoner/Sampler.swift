import Foundation
import Numerics

/// Generation with a key/value cache: each step feeds every active sequence one token (from its
/// prompt, then its own samples) at that sequence's position, so prompts of any lengths share a
/// batch. Sampling: temperature (0 = greedy), top-k, top-p. Each sequence draws from its own
/// substream of the seed, so its sample does not depend on what else is in the batch's streams.
public struct Sampler {
    public var temperature: Float = 1
    /// Keep only the k most likely tokens (0 = all).
    public var topK: Int = 0
    /// Keep the smallest set of tokens whose probability reaches p (1 = all).
    public var topP: Float = 1
    /// The most tokens to generate per sequence (the context also limits it).
    public var maxTokens: Int = 256

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
        public var tokens: [Int]
        public var finished: Bool
        public var logProbabilities: [Float]
        /// Σ log p over generated tokens.
        public var totalLogProbability: Double { logProbabilities.reduce(0.0) { $0 + Double($1) } }
    }

    /// Generates one completion per prompt.
    public func generate(_ model: TransformerModel, prompts: [[Int]], eos: Int, seed: UInt64) -> [Sample] {
        BLAS.setThreadCount(1)
        let cache = KVCache(configuration: model.configuration, batch: prompts.count)
        var streams = prompts.indices.map { RandomStream(seed: seed, stream: UInt64($0)) }
        var samples = prompts.map { _ in Sample(tokens: [], finished: false, logProbabilities: []) }
        var positions = [Int](repeating: 0, count: prompts.count)
        var next = prompts.map { $0.first ?? eos }
        let limit = model.configuration.contextLength
        var active = Array(prompts.indices).filter { !prompts[$0].isEmpty }
        while !active.isEmpty {
            let logits = cache.step(model, sequences: active, tokens: active.map { next[$0] }, positions: active.map { positions[$0] })
            var stillActive: [Int] = []
            for (row, b) in active.enumerated() {
                positions[b] += 1
                if positions[b] < prompts[b].count {        // still reading the prompt
                    next[b] = prompts[b][positions[b]]
                    stillActive.append(b)
                    continue
                }
                let z = Array(logits[(row * model.configuration.vocabularySize)..<((row + 1) * model.configuration.vocabularySize)])
                let token = choose(z, stream: &streams[b])
                samples[b].logProbabilities.append(Self.logSoftmax(z, at: token))
                if token == eos { samples[b].finished = true; continue }
                samples[b].tokens.append(token)
                next[b] = token
                if positions[b] < limit && samples[b].tokens.count < maxTokens { stillActive.append(b) }
            }
            active = stillActive
        }
        return samples
    }

    /// log softmax(z)[i], computed stably.
    static func logSoftmax(_ z: [Float], at i: Int) -> Float {
        let maximum = z.max()!
        var sum: Double = 0
        for x in z { sum += exp(Double(x - maximum)) }
        return z[i] - maximum - Float(log(sum))
    }

    /// Picks a token from logits: argmax at temperature 0 (lowest id on ties), else a draw from
    /// the tempered distribution restricted by top-k and top-p.
    func choose(_ z: [Float], stream: inout RandomStream) -> Int {
        if temperature <= 0 {
            var best = 0
            for i in 1..<z.count where z[i] > z[best] { best = i }
            return best
        }
        let maximum = z.max()!
        var candidates = z.indices.map { (id: $0, p: Double(exp((z[$0] - maximum) / temperature))) }
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

/// Keys and values of every layer for a batch of sequences, and the one-token forward step.
final class KVCache {
    let configuration: ModelConfiguration
    let layout: ParameterLayout
    let batch: Int
    /// [L, batch, T, C] each.
    private var keys: [Float], values: [Float]

    init(configuration: ModelConfiguration, batch: Int) {
        self.configuration = configuration
        layout = ParameterLayout(configuration)
        self.batch = batch
        let size = configuration.depth * batch * configuration.contextLength * configuration.width
        keys = [Float](repeating: 0, count: size)
        values = [Float](repeating: 0, count: size)
    }

    /// Feeds `tokens[i]` at `positions[i]` to sequence `sequences[i]` and returns the next-token
    /// logits, one row of V per fed sequence.
    func step(_ model: TransformerModel, sequences: [Int], tokens: [Int], positions: [Int]) -> [Float] {
        let c = configuration, n = sequences.count, C = c.width, H = c.hidden, V = c.vocabularySize
        var x = [Float](repeating: 0, count: n * C), normed = x, mean = [Float](repeating: 0, count: n), rstd = mean
        var qkv = [Float](repeating: 0, count: n * 3 * C), attended = x, projected = x
        var hidden = [Float](repeating: 0, count: n * H), activated = hidden
        var logits = [Float](repeating: 0, count: n * V)
        model.parameters.withUnsafeBufferPointer { pb in
            let w = pb.baseAddress!
            func at(_ t: ParameterLayout.Tensor, _ l: Int = 0, _ per: Int = 0) -> UnsafePointer<Float> { w + layout.offset(t) + l * per }
            for i in 0..<n {
                let e = at(.wte) + tokens[i] * C, p = at(.wpe) + positions[i] * C
                for j in 0..<C { x[i * C + j] = e[j] + p[j] }
            }
            for l in 0..<c.depth {
                Kernels.layernormForward(&normed, mean: &mean, rstd: &rstd, input: x, weight: at(.ln1w, l, C), bias: at(.ln1b, l, C), N: n, C: C)
                Kernels.matmulForward(&qkv, input: normed, weight: at(.qkvw, l, 3 * C * C), bias: at(.qkvb, l, 3 * C), N: n, C: C, OC: 3 * C)
                attend(layer: l, qkv: qkv, into: &attended, sequences: sequences, positions: positions)
                Kernels.matmulForward(&projected, input: attended, weight: at(.attprojw, l, C * C), bias: at(.attprojb, l, C), N: n, C: C, OC: C)
                for j in 0..<(n * C) { x[j] += projected[j] }
                Kernels.layernormForward(&normed, mean: &mean, rstd: &rstd, input: x, weight: at(.ln2w, l, C), bias: at(.ln2b, l, C), N: n, C: C)
                Kernels.matmulForward(&hidden, input: normed, weight: at(.fcw, l, H * C), bias: at(.fcb, l, H), N: n, C: C, OC: H)
                Kernels.geluForward(&activated, input: hidden, N: n * H)
                Kernels.matmulForward(&projected, input: activated, weight: at(.fcprojw, l, C * H), bias: at(.fcprojb, l, C), N: n, C: H, OC: C)
                for j in 0..<(n * C) { x[j] += projected[j] }
            }
            Kernels.layernormForward(&normed, mean: &mean, rstd: &rstd, input: x, weight: at(.lnfw), bias: at(.lnfb), N: n, C: C)
            Kernels.matmulForward(&logits, input: normed, weight: at(.wte), bias: nil, N: n, C: C, OC: V)
        }
        return logits
    }

    /// Stores each fed token's key and value in the cache and attends its query over positions
    /// 0...pos of its own sequence. Sequences write disjoint memory (their own cache slots and
    /// output rows), so they run in parallel with the same results at any thread count.
    private func attend(layer l: Int, qkv: [Float], into attended: inout [Float], sequences: [Int], positions: [Int]) {
        let c = configuration, C = c.width, NH = c.heads, hs = c.headSize, T = c.contextLength, batch = self.batch
        let scale = 1 / Float(hs).squareRoot()
        keys.withUnsafeMutableBufferPointer { kb in
            values.withUnsafeMutableBufferPointer { vb in
                qkv.withUnsafeBufferPointer { q in
                    attended.withUnsafeMutableBufferPointer { out in
                        let shared = (Kernels.Shared(kb.baseAddress!), Kernels.Shared(vb.baseAddress!),
                                      Kernels.Shared(UnsafeMutablePointer(mutating: q.baseAddress!)), Kernels.Shared(out.baseAddress!))
                        Parallel.forEach(sequences.count, threads: sequences.count >= 8 ? Parallel.availableCores : 1) { i in
                            let keys = shared.0.pointer, values = shared.1.pointer, qkv = shared.2.pointer, out = shared.3.pointer
                            let position = positions[i]
                            let base = ((l * batch + sequences[i]) * T) * C
                            let row = qkv + i * 3 * C
                            for j in 0..<C {
                                keys[base + position * C + j] = row[C + j]
                                values[base + position * C + j] = row[2 * C + j]
                            }
                            let scores = UnsafeMutablePointer<Float>.allocate(capacity: position + 1)
                            defer { scores.deallocate() }
                            for h in 0..<NH {
                                Kernels.attend(query: row + h * hs, keys: keys + base + h * hs, values: values + base + h * hs,
                                               count: position + 1, stride: C, headSize: hs, scale: scale, weights: scores,
                                               out: out + i * C + h * hs)
                            }
                        }
                    }
                }
            }
        }
    }
}
