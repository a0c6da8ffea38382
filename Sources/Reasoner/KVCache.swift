import Foundation
import SafetyKitNumerics

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
    var packed: [[PackedLinear?]] = []

    init(configuration c: ModelConfiguration, batch: Int, length: Int) {
        Kernels.useSingleThreadedBLAS()
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
