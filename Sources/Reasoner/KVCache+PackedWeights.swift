import SafetyKitNumerics

/// The cache's matrix products: on weights packed once per generation where that reproduces
/// sgemm's bits, else through sgemm.
extension KVCache {
    /// A packed matrix and the row counts (index n − 1) at which it reproduces sgemm's bits.
    struct PackedLinear {
        let matrix: PackedMatrix
        let exactRows: [Bool]
        func isExact(rows: Int) -> Bool { rows >= 1 && rows <= exactRows.count && exactRows[rows - 1] }
    }

    /// Packs `model`'s matrices for steps of up to `rows` rows per group: a copy of the weights
    /// (3.3 MB for the default model) per generation; the first generation in a process also
    /// checks each shape against sgemm (`PackedMatrix.rowsMatchingOpenBLAS`).
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
    func linear(_ out: UnsafeMutablePointer<Float>, input: UnsafeMutablePointer<Float>, weight: UnsafePointer<Float>,
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
                if let bias { Kernels.addBias(out, bias: bias, rows: rows, OC: OC) }
            }
        }
    }
}
