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
    /// Whether the cache's products with few rows run on weights packed once per generation
    /// (`PackedMatrix`) where that gives OpenBLAS's bits, instead of sgemm every time. The
    /// samples are identical either way; false is for tests and measurements.
    public var packsWeights = true

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
        BLAS.setThreadCount(1)
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

/// Keys and values of every layer for a batch of sequences, the one-token forward step, and the
/// step's activations, allocated once for the whole batch so that a step allocates nothing.
final class KVCache {
    let configuration: ModelConfiguration
    let layout: ParameterLayout
    let batch: Int
    /// Positions held per sequence: the longest prompt plus the tokens to generate, at most the context.
    let length: Int
    /// [L, batch, length, C] each, in one region advised for huge pages and never zero-filled: a
    /// position is written before it is read.
    private let keys: UnsafeMutablePointer<Float>, values: UnsafeMutablePointer<Float>
    private let region: UnsafeMutableRawPointer
    /// One row per fed sequence: residual stream, normed, qkv, attended, projected, MLP hidden and activated, logits.
    private let x, normed, mean, rstd, qkv, attended, projected, hidden, activated, logits: UnsafeMutablePointer<Float>
    /// Attention scores, NH·T per batch slot.
    private let scores: UnsafeMutablePointer<Float>
    private var allocations: [UnsafeMutablePointer<Float>] = []
    /// The model's matrices packed for this generation ([layer][qkv, attproj, fc, fcproj], then
    /// the head), or none: every product then runs through sgemm.
    private var packed: [[PackedLinear?]] = []

    /// A packed matrix and the row counts (index n − 1) at which it reproduces sgemm's bits.
    struct PackedLinear {
        let matrix: PackedMatrix
        let exactRows: [Bool]
        func isExact(rows: Int) -> Bool { rows >= 1 && rows <= exactRows.count && exactRows[rows - 1] }
    }

    init(configuration c: ModelConfiguration, batch: Int, length: Int) {
        configuration = c
        layout = ParameterLayout(c)
        self.batch = batch
        self.length = max(1, length)
        var allocations: [UnsafeMutablePointer<Float>] = []
        func buffer(_ count: Int) -> UnsafeMutablePointer<Float> {
            let p = UnsafeMutablePointer<Float>.allocate(capacity: max(count, 1))
            p.initialize(repeating: 0, count: max(count, 1))
            allocations.append(p)
            return p
        }
        let cacheSize = c.depth * batch * self.length * c.width
        let hugePage = 2 << 20, bytes = (2 * cacheSize * MemoryLayout<Float>.stride + hugePage - 1) / hugePage * hugePage
        var raw: UnsafeMutableRawPointer?
        guard posix_memalign(&raw, hugePage, bytes) == 0, let raw else { fatalError("out of memory for a \(bytes)-byte KV cache") }
        _ = madvise(raw, bytes, MADV_HUGEPAGE)
        region = raw
        keys = raw.bindMemory(to: Float.self, capacity: 2 * cacheSize)
        values = keys + cacheSize
        x = buffer(batch * c.width); normed = buffer(batch * c.width); mean = buffer(batch); rstd = buffer(batch)
        qkv = buffer(batch * 3 * c.width); attended = buffer(batch * c.width); projected = buffer(batch * c.width)
        hidden = buffer(batch * c.hidden); activated = buffer(batch * c.hidden); logits = buffer(batch * c.vocabularySize)
        scores = buffer(batch * c.heads * self.length)
        self.allocations = allocations
    }

    deinit {
        for p in allocations { p.deallocate() }
        free(region)
    }

    /// Packs `model`'s matrices for steps of up to `rows` rows per group. Packing costs about one
    /// step's worth of products; the first generation in a process also checks each shape
    /// against sgemm (`PackedMatrix.rowsMatchingOpenBLAS`).
    func pack(_ model: TransformerModel, rows: Int) {
        let c = configuration, C = c.width, H = c.hidden
        model.parameters.withUnsafeBufferPointer { pb in
            let w = pb.baseAddress!
            func linear(_ t: ParameterLayout.Tensor, _ l: Int, outputs: Int, inputs: Int) -> PackedLinear? {
                let exact = PackedMatrix.rowsMatchingOpenBLAS(outputs: outputs, inputs: inputs, upTo: rows)
                guard exact.contains(true) else { return nil }   // e.g. a single sequence: sgemm's small-matrix path throughout
                return PackedLinear(matrix: PackedMatrix(w + layout.offset(t) + l * outputs * inputs, outputs: outputs, inputs: inputs), exactRows: exact)
            }
            packed = (0..<c.depth).map { l in
                [linear(.qkvw, l, outputs: 3 * C, inputs: C), linear(.attprojw, l, outputs: C, inputs: C),
                 linear(.fcw, l, outputs: H, inputs: C), linear(.fcprojw, l, outputs: C, inputs: H)]
            } + [[linear(.wte, 0, outputs: c.vocabularySize, inputs: C)]]
        }
    }

    /// out[n, OC] = input[n, C] · weightᵀ + bias in `Kernels.matmulForward`'s fixed row blocks
    /// (whose row counts decide sgemm's path, and so the rounding), each block packed where that
    /// gives sgemm's bits for its row count, else through sgemm.
    private func linear(_ out: UnsafeMutablePointer<Float>, input: UnsafeMutablePointer<Float>, weight: UnsafePointer<Float>,
                        bias: UnsafePointer<Float>?, n: Int, C: Int, OC: Int, layer: Int, index: Int) {
        let blocks = Kernels.rowBlockRanges(n, work: n * C * OC)
        let linear = layer < packed.count ? packed[layer][index] : nil
        // Packed rows do not depend on their neighbours, so when every block is exact the
        // blocks share one pass over the weights.
        if let linear, blocks.allSatisfy({ linear.isExact(rows: $0.count) }) {
            return linear.matrix.multiply(input, rows: n, bias: bias, into: out)
        }
        for block in blocks {
            let input = input + block.lowerBound * C, out = out + block.lowerBound * OC, rows = block.count
            if let linear, linear.isExact(rows: rows) {
                linear.matrix.multiply(input, rows: rows, bias: bias, into: out)
            } else {
                BLAS.sgemm(transposeB: true, m: rows, n: OC, k: C, a: input, lda: C, b: weight, ldb: C, beta: 0, c: out, ldc: OC)
                if let bias {
                    for r in 0..<rows {
                        let o = out + r * OC
                        for j in 0..<OC { o[j] += bias[j] }
                    }
                }
            }
        }
    }

    /// The next-token logits of the `row`-th sequence fed to the last `step`.
    func logits(row: Int) -> UnsafeBufferPointer<Float> {
        UnsafeBufferPointer(start: logits + row * configuration.vocabularySize, count: configuration.vocabularySize)
    }

    /// Feeds `tokens[i]` at `positions[i]` to sequence `sequences[i]`; the next-token logits of
    /// row i are then `logits(row: i)`. Rows run in groups of `groupSize`, the groups in
    /// parallel, each group's kernels serially on its worker: one dispatch per step instead of
    /// one per kernel.
    func step(_ model: TransformerModel, sequences: [Int], tokens: [Int], positions: [Int], groupSize: Int) {
        // Each group runs serially even when it is the only one: a kernel splitting its rows by
        // the core count would change sgemm's row count, and with it possibly the rounding.
        let groups = (sequences.count + groupSize - 1) / groupSize
        if groups == 1 {
            return Parallel.serially { step(model, rows: 0..<sequences.count, sequences: sequences, tokens: tokens, positions: positions) }
        }
        let cache = UncheckedSendable(self)
        Parallel.forEach(groups, threads: Parallel.availableCores) { g in
            let rows = (g * groupSize)..<min(sequences.count, (g + 1) * groupSize)
            Parallel.serially { cache.value.step(model, rows: rows, sequences: sequences, tokens: tokens, positions: positions) }
        }
    }

    /// One step for `rows` of the fed sequences, using those rows of the scratch buffers.
    private func step(_ model: TransformerModel, rows: Range<Int>, sequences: [Int], tokens: [Int], positions: [Int]) {
        let c = configuration, n = rows.count, C = c.width, H = c.hidden, V = c.vocabularySize, r0 = rows.lowerBound
        let x = self.x + r0 * C, normed = self.normed + r0 * C, mean = self.mean + r0, rstd = self.rstd + r0
        let qkv = self.qkv + r0 * 3 * C, attended = self.attended + r0 * C, projected = self.projected + r0 * C
        let hidden = self.hidden + r0 * H, activated = self.activated + r0 * H, logits = self.logits + r0 * V
        let sequences = Array(sequences[rows]), tokens = Array(tokens[rows]), positions = Array(positions[rows])
        model.parameters.withUnsafeBufferPointer { pb in
            let w = pb.baseAddress!
            func at(_ t: ParameterLayout.Tensor, _ l: Int = 0, _ per: Int = 0) -> UnsafePointer<Float> { w + layout.offset(t) + l * per }
            for i in 0..<n {
                let e = at(.wte) + tokens[i] * C, p = at(.wpe) + positions[i] * C
                for j in 0..<C { x[i * C + j] = c.rotary ? e[j] : e[j] + p[j] }
            }
            for l in 0..<c.depth {
                Kernels.layernormForward(normed, mean: mean, rstd: rstd, input: x, weight: at(.ln1w, l, C), bias: at(.ln1b, l, C), N: n, C: C)
                linear(qkv, input: normed, weight: at(.qkvw, l, 3 * C * C), bias: at(.qkvb, l, 3 * C), n: n, C: C, OC: 3 * C, layer: l, index: 0)
                if c.rotary { Kernels.rotate(qkv, positions: positions, C: C, NH: c.heads) }
                attend(layer: l, sequences: sequences, positions: positions, qkv: qkv, into: attended)
                linear(projected, input: attended, weight: at(.attprojw, l, C * C), bias: at(.attprojb, l, C), n: n, C: C, OC: C, layer: l, index: 1)
                for j in 0..<(n * C) { x[j] += projected[j] }
                Kernels.layernormForward(normed, mean: mean, rstd: rstd, input: x, weight: at(.ln2w, l, C), bias: at(.ln2b, l, C), N: n, C: C)
                linear(hidden, input: normed, weight: at(.fcw, l, H * C), bias: at(.fcb, l, H), n: n, C: C, OC: H, layer: l, index: 2)
                Kernels.geluForward(activated, input: hidden, N: n * H)
                linear(projected, input: activated, weight: at(.fcprojw, l, C * H), bias: at(.fcprojb, l, C), n: n, C: H, OC: C, layer: l, index: 3)
                for j in 0..<(n * C) { x[j] += projected[j] }
            }
            Kernels.layernormForward(normed, mean: mean, rstd: rstd, input: x, weight: at(.lnfw), bias: at(.lnfb), N: n, C: C)
            linear(logits, input: normed, weight: at(.wte), bias: nil, n: n, C: C, OC: V, layer: c.depth, index: 0)
        }
    }

    /// Stores each fed token's key and value in the cache and attends its query over positions
    /// 0...pos of its own sequence. Runs inside one group's worker: groups touch disjoint cache
    /// slots, score rows and output rows.
    private func attend(layer l: Int, sequences: [Int], positions: [Int], qkv: UnsafeMutablePointer<Float>, into attended: UnsafeMutablePointer<Float>) {
        let c = configuration, C = c.width, NH = c.heads, T = length
        let scale = 1 / Float(c.headSize).squareRoot()
        for (i, slot) in sequences.enumerated() {
            let position = positions[i], row = qkv + i * 3 * C
            let base = ((l * batch + slot) * T) * C
            (keys + base + position * C).update(from: row + C, count: C)
            (values + base + position * C).update(from: row + 2 * C, count: C)
            Kernels.attendCached(query: row, keys: keys + base, values: values + base, count: position + 1, C: C, NH: NH, scale: scale,
                                 scores: scores + slot * NH * T, out: attended + i * C)
        }
    }
}

/// A reference handed to parallel workers that touch disjoint parts of it.
private struct UncheckedSendable<Value>: @unchecked Sendable {
    let value: Value
    init(_ value: Value) { self.value = value }
}
