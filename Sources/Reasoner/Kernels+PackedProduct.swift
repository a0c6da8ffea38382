extension Kernels {
    typealias Lanes16 = SIMD16<Float>

    @inline(__always)
    static func load16(_ p: UnsafePointer<Float>) -> Lanes16 { UnsafeRawPointer(p).loadUnaligned(as: Lanes16.self) }

    /// out[rows, outputs] = x[rows, inputs] · Wᵀ (+ bias) with W packed in 16-output panels
    /// (`PackedMatrix`). Each output is a fused multiply-add chain from +0 over each inner block
    /// in order; the blocks' chains are added in order, starting from +0 (as sgemm adds into a
    /// zeroed C), and the bias is added last. No output's arithmetic depends on the other rows,
    /// so any number of rows may share a call.
    ///
    /// Panels run outermost, so each panel (8 KB at 128 inputs) is read from memory once and
    /// then from L1 for every block of rows; the rows (16 KB for 32 rows of 128) stay in L2.
    /// Reading the weights once per six rows instead had made the products memory-bound.
    static func packedProduct(_ x: Input, rows: Int, panels: Input, outputs: Int, inputs K: Int, blocks: [Range<Int>],
                              bias: Input?, out: Buffer) {
        let width = PackedMatrix.panelWidth, panelCount = (outputs + width - 1) / width
        for p in 0..<panelCount {
            let panel = panels + p * K * width, o0 = p * width, columns = min(width, outputs - o0)
            let panelBias = bias.map { bias in
                var lanes = Lanes16()
                for j in 0..<columns { lanes[j] = bias[o0 + j] }
                return lanes
            }
            var r0 = 0
            while r0 < rows {
                let R = min(6, rows - r0)
                let x0 = x + r0 * K, out0 = out + r0 * outputs + o0
                @inline(__always) func rowsOf(_ count: Int) {
                    panelRows(count, x0, K: K, panel: panel, blocks: blocks, bias: panelBias, out: out0, stride: outputs, columns: columns)
                }
                // A literal row count per case, so each inlined copy keeps only its own accumulators.
                switch R {
                case 6: rowsOf(6)
                case 5: rowsOf(5)
                case 4: rowsOf(4)
                case 3: rowsOf(3)
                case 2: rowsOf(2)
                default: rowsOf(1)
                }
                r0 += R
            }
        }
    }

    /// R ≤ 6 rows × one 16-output panel: R × 16 accumulators (2R AVX2 registers) while k runs,
    /// one panel load and R broadcasts feeding 2R eight-lane FMAs per k.
    @inline(__always)
    private static func panelRows(_ R: Int, _ x: Input, K: Int, panel: Input, blocks: [Range<Int>], bias: Lanes16?, out: Buffer,
                                  stride: Int, columns: Int) {
        var t0 = Lanes16(), t1 = Lanes16(), t2 = Lanes16(), t3 = Lanes16(), t4 = Lanes16(), t5 = Lanes16()
        for block in blocks {
            var a0 = Lanes16(), a1 = Lanes16(), a2 = Lanes16(), a3 = Lanes16(), a4 = Lanes16(), a5 = Lanes16()
            for k in block {
                let w = load16(panel + k * PackedMatrix.panelWidth)
                a0 = a0.addingProduct(Lanes16(repeating: x[k]), w)
                if R > 1 { a1 = a1.addingProduct(Lanes16(repeating: x[K + k]), w) }
                if R > 2 { a2 = a2.addingProduct(Lanes16(repeating: x[2 * K + k]), w) }
                if R > 3 { a3 = a3.addingProduct(Lanes16(repeating: x[3 * K + k]), w) }
                if R > 4 { a4 = a4.addingProduct(Lanes16(repeating: x[4 * K + k]), w) }
                if R > 5 { a5 = a5.addingProduct(Lanes16(repeating: x[5 * K + k]), w) }
            }
            t0 += a0; t1 += a1; t2 += a2; t3 += a3; t4 += a4; t5 += a5
        }
        @inline(__always) func store(_ t: Lanes16, _ row: Int) {
            let v = bias.map { t + $0 } ?? t, o = out + row * stride
            if columns == PackedMatrix.panelWidth { UnsafeMutableRawPointer(o).storeBytes(of: v, as: Lanes16.self) }
            else { for j in 0..<columns { o[j] = v[j] } }
        }
        store(t0, 0)
        if R > 1 { store(t1, 1) }
        if R > 2 { store(t2, 2) }
        if R > 3 { store(t3, 3) }
        if R > 4 { store(t4, 4) }
        if R > 5 { store(t5, 5) }
    }
}
