extension Kernels {
    typealias Lanes16 = SIMD16<Float>

    @inline(__always)
    static func load16(_ p: UnsafePointer<Float>) -> Lanes16 { UnsafeRawPointer(p).loadUnaligned(as: Lanes16.self) }

    /// out[rows, outputs] = x[rows, inputs] · Wᵀ (+ bias) with W packed in 16-output panels
    /// (`PackedMatrix`). Each output is a fused multiply-add chain from +0 over each inner block
    /// in order; the blocks' chains are added in order, starting from +0 (as sgemm adds into a
    /// zeroed C), and the bias is added last.
    ///
    /// Six rows × 16 outputs are held in 12 AVX2 registers while k runs: one panel load and six
    /// broadcasts feed twelve 8-lane FMAs. Fewer than six rows take the same loop with the unused
    /// accumulators left idle.
    static func packedProduct(_ x: Input, rows: Int, panels: Input, outputs: Int, inputs K: Int, blocks: [Range<Int>],
                              bias: Input?, out: Buffer) {
        let width = PackedMatrix.panelWidth, panelCount = (outputs + width - 1) / width
        var r0 = 0
        while r0 < rows {
            let R = min(6, rows - r0), x0 = x + r0 * K
            for p in 0..<panelCount {
                let panel = panels + p * K * width
                var t0 = Lanes16(), t1 = Lanes16(), t2 = Lanes16(), t3 = Lanes16(), t4 = Lanes16(), t5 = Lanes16()
                for block in blocks {
                    var a0 = Lanes16(), a1 = Lanes16(), a2 = Lanes16(), a3 = Lanes16(), a4 = Lanes16(), a5 = Lanes16()
                    if R == 6 {
                        for k in block {
                            let w = load16(panel + k * width)
                            a0 = a0.addingProduct(Lanes16(repeating: x0[k]), w)
                            a1 = a1.addingProduct(Lanes16(repeating: x0[K + k]), w)
                            a2 = a2.addingProduct(Lanes16(repeating: x0[2 * K + k]), w)
                            a3 = a3.addingProduct(Lanes16(repeating: x0[3 * K + k]), w)
                            a4 = a4.addingProduct(Lanes16(repeating: x0[4 * K + k]), w)
                            a5 = a5.addingProduct(Lanes16(repeating: x0[5 * K + k]), w)
                        }
                    } else {
                        for k in block {
                            let w = load16(panel + k * width)
                            a0 = a0.addingProduct(Lanes16(repeating: x0[k]), w)
                            if R > 1 { a1 = a1.addingProduct(Lanes16(repeating: x0[K + k]), w) }
                            if R > 2 { a2 = a2.addingProduct(Lanes16(repeating: x0[2 * K + k]), w) }
                            if R > 3 { a3 = a3.addingProduct(Lanes16(repeating: x0[3 * K + k]), w) }
                            if R > 4 { a4 = a4.addingProduct(Lanes16(repeating: x0[4 * K + k]), w) }
                        }
                    }
                    t0 += a0; t1 += a1; t2 += a2; t3 += a3; t4 += a4; t5 += a5
                }
                let columns = min(width, outputs - p * width), o0 = p * width
                let b = bias.map { columns == width ? load16($0 + o0) : Lanes16((0..<width).map { $0 < columns ? bias![o0 + $0] : 0 }) }
                func store(_ t: Lanes16, row: Int) {
                    let v = b.map { t + $0 } ?? t, o = out + (r0 + row) * outputs + o0
                    if columns == width { UnsafeMutableRawPointer(o).storeBytes(of: v, as: Lanes16.self) } else { for j in 0..<columns { o[j] = v[j] } }
                }
                store(t0, row: 0)
                if R > 1 { store(t1, row: 1) }
                if R > 2 { store(t2, row: 2) }
                if R > 3 { store(t3, row: 3) }
                if R > 4 { store(t4, row: 4) }
                if R > 5 { store(t5, row: 5) }
            }
            r0 += R
        }
    }
}
