import SafetyKitNumerics
import Synchronization

/// A weight matrix W [outputs, inputs] repacked once for the sampler's products with few rows:
/// out[rows, outputs] = x[rows, inputs] · Wᵀ (+ bias), for a group of at most 32 sequences.
///
/// Why: at 32 rows OpenBLAS repacks W at every call, and the sampler makes ~20 such calls per
/// token; packing once per generation and keeping the panels contiguous lifts these products from
/// ~40 to ~85 GFLOP/s in the sampler.
///
/// Rounding: each output is the sum OpenBLAS's packed path computes (measured on its Cooperlake
/// and SkylakeX kernels, 0.3.21): a sequential fused multiply-add chain from +0 over each block of
/// the inner dimension, the blocks added in order (`innerBlocks`). OpenBLAS takes another path
/// for very small products (it then sums 16 interleaved lanes), so the sampler uses this kernel
/// only for the row counts at which `rowsMatchingOpenBLAS` saw identical bits on this machine,
/// and OpenBLAS for the others: samples are the same bits either way.
///
/// Layout: panels of 16 outputs; panel p holds W[16p + j, k] at [p][k][j] (zero past `outputs`).
struct PackedMatrix: Sendable {
    let outputs: Int, inputs: Int
    private let panels: [Float]
    /// `innerBlocks(inputs)`, kept rather than rebuilt at every product.
    private let blocks: [Range<Int>]
    static let panelWidth = 16

    /// Packs row-major `weight` [outputs, inputs].
    init(_ weight: UnsafePointer<Float>, outputs: Int, inputs: Int) {
        self.outputs = outputs
        self.inputs = inputs
        let width = Self.panelWidth, count = (outputs + width - 1) / width
        var panels = [Float](repeating: 0, count: count * inputs * width)
        for o in 0..<outputs {
            let base = (o / width) * inputs * width + o % width
            for k in 0..<inputs { panels[base + k * width] = weight[o * inputs + k] }
        }
        self.panels = panels
        blocks = Self.innerBlocks(inputs)
    }

    /// OpenBLAS's split of the inner dimension (its sgemm Q = 320, unroll 16): whole blocks of
    /// 320 while at least 640 remain, then what is left in one block, or in two near-halves
    /// (the first rounded up to a multiple of 16) when it exceeds 320.
    static func innerBlocks(_ k: Int) -> [Range<Int>] {
        var blocks: [Range<Int>] = [], start = 0
        while start < k {
            var length = k - start
            if length >= 640 { length = 320 } else if length > 320 { length = (length / 2 + 15) / 16 * 16 }
            blocks.append(start..<(start + length))
            start += length
        }
        return blocks
    }

    /// out[rows, outputs] = x[rows, inputs] · Wᵀ, then + bias[outputs] if given (one more
    /// rounding, as `Kernels.matmulForward` adds it after sgemm).
    func multiply(_ x: UnsafePointer<Float>, rows: Int, bias: UnsafePointer<Float>?, into out: UnsafeMutablePointer<Float>) {
        panels.withUnsafeBufferPointer { p in
            Kernels.packedProduct(x, rows: rows, panels: p.baseAddress!, outputs: outputs, inputs: inputs,
                                  blocks: blocks, bias: bias, out: out)
        }
    }
}

extension PackedMatrix {
    private struct Shape: Hashable { let outputs: Int, inputs: Int, rows: Int }
    private static let verdicts = Mutex<[Shape: Bool]>([:])

    /// For rows 1...`upTo`: whether `multiply` gives the bits single-threaded OpenBLAS sgemm gives
    /// for this shape on this machine. Found once per shape and process, on seeded data spanning
    /// several binades, where a different order of summation shows in most outputs.
    static func rowsMatchingOpenBLAS(outputs: Int, inputs: Int, upTo rows: Int) -> [Bool] {
        (1...max(1, rows)).map { n in
            let shape = Shape(outputs: outputs, inputs: inputs, rows: n)
            if let known = verdicts.withLock({ $0[shape] }) { return known }
            let agrees = agreesWithOpenBLAS(shape)
            verdicts.withLock { $0[shape] = agrees }
            return agrees
        }
    }

    private static func agreesWithOpenBLAS(_ shape: Shape) -> Bool {
        var stream = RandomStream(seed: 0x5eed_9ac4, stream: UInt64(shape.inputs))
        func draw(_ count: Int) -> [Float] {
            (0..<count).map { _ in Float((stream.nextUniform() * 2 - 1) * Double(1 << Int(stream.nextUniform() * 8))) }
        }
        let weight = draw(shape.outputs * shape.inputs), x = draw(shape.rows * shape.inputs)
        var mine = [Float](repeating: 0, count: shape.rows * shape.outputs), theirs = mine
        weight.withUnsafeBufferPointer { w in
            x.withUnsafeBufferPointer { xb in
                PackedMatrix(w.baseAddress!, outputs: shape.outputs, inputs: shape.inputs)
                    .multiply(xb.baseAddress!, rows: shape.rows, bias: nil, into: &mine)
                BLAS.setThreadCount(1)
                BLAS.sgemm(transposeB: true, m: shape.rows, n: shape.outputs, k: shape.inputs, a: xb.baseAddress!, lda: shape.inputs,
                           b: w.baseAddress!, ldb: shape.inputs, beta: 0, c: &theirs, ldc: shape.outputs)
            }
        }
        return mine.withUnsafeBytes { a in theirs.withUnsafeBytes { b in a.elementsEqual(b) } }
    }
}
