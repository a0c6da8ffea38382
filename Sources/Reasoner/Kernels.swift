import Foundation
import SafetyKitNumerics

/// The transformer's layer kernels, forward and backward, over raw float32 buffers. Every hot
/// loop of the model lives here; each is tested against a plain reference and by finite
/// differences. Shapes are row-major: B sequences × T positions × C channels. Backward kernels
/// accumulate (+=) into gradient buffers, as the model's gradient is a sum over uses.
package enum Kernels {
    package typealias Buffer = UnsafeMutablePointer<Float>
    package typealias Input = UnsafePointer<Float>

    /// Makes OpenBLAS single-threaded. Its results depend on its own thread count (the split
    /// changes which micro-kernel computes an element), and it may take fewer threads than asked
    /// when another call holds its pool, so a multi-threaded OpenBLAS gives bits that depend on
    /// timing. Every workspace and cache calls this when made; parallelism comes from our own
    /// fixed row blocks and groups instead.
    package static func useSingleThreadedBLAS() { BLAS.setThreadCount(1) }

    // MARK: Embeddings

    /// out[b,t,:] = wte[token] + wpe[t] (without wpe when positions are rotary).
    package static func encoderForward(_ out: Buffer, tokens: UnsafePointer<Int32>, wte: Input, wpe: Input?, B: Int, T: Int, C: Int) {
        for b in 0..<B {
            for t in 0..<T {
                let o = out + (b * T + t) * C, e = wte + Int(tokens[b * T + t]) * C
                if let wpe {
                    let p = wpe + t * C
                    for i in 0..<C { o[i] = e[i] + p[i] }
                } else {
                    for i in 0..<C { o[i] = e[i] }
                }
            }
        }
    }

    package static func encoderBackward(dwte: Buffer, dwpe: Buffer?, dout: Input, tokens: UnsafePointer<Int32>, B: Int, T: Int, C: Int) {
        for b in 0..<B {
            for t in 0..<T {
                let d = dout + (b * T + t) * C, e = dwte + Int(tokens[b * T + t]) * C
                for i in 0..<C { e[i] += d[i] }
                if let dwpe {
                    let p = dwpe + t * C
                    for i in 0..<C { p[i] += d[i] }
                }
            }
        }
    }

    // MARK: LayerNorm (ε = 1e-5)

    /// Rows are independent, so blocks of rows run in parallel.
    package static func layernormForward(_ out: Buffer, mean: Buffer, rstd: Buffer, input: Input, weight: Input, bias: Input, N: Int, C: Int) {
        let shared = (Shared(out), Shared(mean), Shared(rstd), Shared(UnsafeMutablePointer(mutating: input)),
                      Shared(UnsafeMutablePointer(mutating: weight)), Shared(UnsafeMutablePointer(mutating: bias)))
        rowBlocks(N, work: 8 * N * C) { start, count in
            let weight = shared.4.pointer, bias = shared.5.pointer
            for n in start..<(start + count) {
                let x = shared.3.pointer + n * C, o = shared.0.pointer + n * C
                var m: Float = 0
                for i in 0..<C { m += x[i] }
                m /= Float(C)
                var v: Float = 0
                for i in 0..<C { let d = x[i] - m; v += d * d }
                v /= Float(C)
                let s = 1 / (v + 1e-5).squareRoot()
                for i in 0..<C { o[i] = (x[i] - m) * s * weight[i] + bias[i] }
                shared.1.pointer[n] = m
                shared.2.pointer[n] = s
            }
        }
    }

    /// Rows of dinput are independent; the weight and bias gradients are sums over rows, taken in
    /// fixed chunks of `layernormChunk` rows whose partial sums are added in chunk order, so the
    /// result does not depend on the thread count.
    package static func layernormBackward(dinput: Buffer, dweight: Buffer, dbias: Buffer, dout: Input, input: Input, weight: Input,
                                         mean: Input, rstd: Input, N: Int, C: Int) {
        let chunks = (N + layernormChunk - 1) / layernormChunk
        let partial = UnsafeMutablePointer<Float>.allocate(capacity: 2 * chunks * C)
        partial.initialize(repeating: 0, count: 2 * chunks * C)
        defer { partial.deallocate() }
        let shared = (Shared(dinput), Shared(partial), Shared(UnsafeMutablePointer(mutating: dout)), Shared(UnsafeMutablePointer(mutating: input)),
                      Shared(UnsafeMutablePointer(mutating: weight)), Shared(UnsafeMutablePointer(mutating: mean)), Shared(UnsafeMutablePointer(mutating: rstd)))
        Parallel.forEach(chunks, threads: workers(8 * N * C)) { chunk in
            let weight = shared.4.pointer
            let dw = shared.1.pointer + 2 * chunk * C, db = dw + C
            for n in (chunk * layernormChunk)..<min(N, (chunk + 1) * layernormChunk) {
                let d = shared.2.pointer + n * C, x = shared.3.pointer + n * C, dx = shared.0.pointer + n * C
                let m = shared.5.pointer[n], s = shared.6.pointer[n]
                var dnormMean: Float = 0, dnormNormMean: Float = 0
                for i in 0..<C {
                    let norm = (x[i] - m) * s, dnorm = weight[i] * d[i]
                    dnormMean += dnorm
                    dnormNormMean += dnorm * norm
                }
                dnormMean /= Float(C)
                dnormNormMean /= Float(C)
                for i in 0..<C {
                    let norm = (x[i] - m) * s, dnorm = weight[i] * d[i]
                    db[i] += d[i]
                    dw[i] += norm * d[i]
                    dx[i] += (dnorm - dnormMean - norm * dnormNormMean) * s
                }
            }
        }
        for chunk in 0..<chunks {
            let dw = partial + 2 * chunk * C, db = dw + C
            for i in 0..<C {
                dweight[i] += dw[i]
                dbias[i] += db[i]
            }
        }
    }

    /// Rows per partial sum of LayerNorm's parameter gradients (fixed, so sums never depend on threads).
    static let layernormChunk = 64

    // MARK: Linear layers (OpenBLAS)

    /// Row blocks per large kernel call (at least 2¹⁸ multiply-adds; smaller calls take one).
    /// Fixed, not the core count: a matmul's block row count decides which path OpenBLAS takes
    /// (its small-matrix path sums in another order), so a count that followed the machine's
    /// cores would change results between machines. 2 is what the 2-core machines where every
    /// documented run was made always used.
    static let rowBlockCount = 2

    /// The contiguous row blocks a kernel over `rows` rows with `work` multiply-adds is split into.
    static func rowBlockRanges(_ rows: Int, work: Int) -> [Range<Int>] {
        let blocks = min(rows, work >= 1 << 18 ? rowBlockCount : 1)
        return (0..<blocks).map { (rows * $0 / blocks)..<(rows * ($0 + 1) / blocks) }
    }

    /// Runs `body(start, count)` on each of `rowBlockRanges`, in parallel. Matmuls split only
    /// their output rows, never a sum, and always into the same blocks, so every element is
    /// computed by the same single-threaded sgemm call shape: results are identical for any
    /// thread count and any machine's core count.
    static func rowBlocks(_ rows: Int, work: Int, _ body: @Sendable (Int, Int) -> Void) {
        let ranges = rowBlockRanges(rows, work: work)
        Parallel.forEach(ranges.count, threads: min(ranges.count, Parallel.availableCores)) { k in
            body(ranges[k].lowerBound, ranges[k].count)
        }
    }

    /// out[N, OC] = input[N, C] · weight[OC, C]ᵀ + bias[OC].
    package static func matmulForward(_ out: Buffer, input: Input, weight: Input, bias: Input?, N: Int, C: Int, OC: Int) {
        let (o, i, w) = (Shared(out), Shared(UnsafeMutablePointer(mutating: input)), Shared(UnsafeMutablePointer(mutating: weight)))
        rowBlocks(N, work: N * C * OC) { start, count in
            BLAS.sgemm(transposeB: true, m: count, n: OC, k: C, a: i.pointer + start * C, lda: C, b: w.pointer, ldb: C, beta: 0,
                       c: o.pointer + start * OC, ldc: OC)
        }
        if let bias { addBias(out, bias: bias, rows: N, OC: OC) }
    }

    /// out[n, :] += bias for each of `rows` rows of OC outputs (after sgemm: one more rounding).
    static func addBias(_ out: Buffer, bias: Input, rows: Int, OC: Int) {
        for n in 0..<rows {
            let o = out + n * OC
            for j in 0..<OC { o[j] += bias[j] }
        }
    }

    /// dinput += dout · weight; dweight += doutᵀ · input; dbias += Σ_n dout.
    package static func matmulBackward(dinput: Buffer, dweight: Buffer, dbias: Buffer?, dout: Input, input: Input, weight: Input,
                                      N: Int, C: Int, OC: Int) {
        let (di, dw) = (Shared(dinput), Shared(dweight))
        let (d, i, w) = (Shared(UnsafeMutablePointer(mutating: dout)), Shared(UnsafeMutablePointer(mutating: input)),
                         Shared(UnsafeMutablePointer(mutating: weight)))
        // dinput's rows are positions; dweight's rows are output channels, each summed over all N.
        rowBlocks(N, work: N * C * OC) { start, count in
            BLAS.sgemm(m: count, n: C, k: OC, a: d.pointer + start * OC, lda: OC, b: w.pointer, ldb: C, beta: 1,
                       c: di.pointer + start * C, ldc: C)
        }
        rowBlocks(OC, work: N * C * OC) { start, count in
            BLAS.sgemm(transposeA: true, m: count, n: C, k: N, a: d.pointer + start, lda: OC, b: i.pointer, ldb: C, beta: 1,
                       c: dw.pointer + start * C, ldc: C)
        }
        guard let dbias else { return }
        for n in 0..<N {
            let d = dout + n * OC
            for j in 0..<OC { dbias[j] += d[j] }
        }
    }

    // MARK: Causal multi-head attention

    /// qkv[B,T,3C] holds queries, keys and values; att[B,NH,T,T] receives the attention weights
    /// (rows above the diagonal are 0); out[B,T,C] the heads' outputs side by side.
    ///
    /// Per sequence and head, attention is three small matrix products that OpenBLAS takes with
    /// strided rows straight from the qkv buffer: S = QKᵀ/√d, P = causal softmax(S), O = PV.
    /// Sequences and heads are independent and write disjoint memory, so they run in parallel
    /// with identical results at any thread count.
    package static func attentionForward(_ out: Buffer, att: Buffer, qkv: Input, B: Int, T: Int, C: Int, NH: Int) {
        let hs = C / NH, scale = 1 / Float(hs).squareRoot()
        let (out, att, qkv) = (Shared(out), Shared(att), Shared(UnsafeMutablePointer(mutating: qkv)))
        Parallel.forEach(B * NH, threads: workers(B * NH * T * T * hs)) { item in
            let b = item / NH, h = item % NH
            let q = UnsafePointer(qkv.pointer + b * T * 3 * C + h * hs), k = q + C, v = q + 2 * C
            let p = att.pointer + (b * NH + h) * T * T
            BLAS.sgemm(transposeB: true, m: T, n: T, k: hs, alpha: scale, a: q, lda: 3 * C, b: k, ldb: 3 * C, beta: 0, c: p, ldc: T)
            for t in 0..<T { causalSoftmax(p + t * T, through: t, length: T) }
            BLAS.sgemm(m: T, n: hs, k: T, a: p, lda: T, b: v, ldb: 3 * C, beta: 0, c: out.pointer + b * T * C + h * hs, ldc: C)
        }
    }

    /// Rotary position embedding, in place, of the query and key parts of qkv rows ([q | k | v],
    /// each C wide, heads of hs = C/NH contiguous): in every head, the pair (x[2i], x[2i+1]) of the
    /// row at position p turns by the angle p·10000^(−2i/hs). `inverse` turns it back by the same
    /// angle, which is the backward pass (a rotation's transpose is its inverse). Angles are
    /// computed in Double and rounded once; each row is independent.
    package static func rotate(_ qkv: Buffer, positions: [Int], C: Int, NH: Int, inverse: Bool = false) {
        let hs = C / NH, half = hs / 2
        let frequencies = (0..<half).map { pow(10000, -2 * Double($0) / Double(hs)) }
        for (row, position) in positions.enumerated() {
            let base = qkv + row * 3 * C
            for i in 0..<half {
                let angle = Double(position) * frequencies[i]
                let cosine = Float(cos(angle)), sine = Float(inverse ? -sin(angle) : sin(angle))
                for part in 0..<2 {
                    for h in 0..<NH {
                        let x = base + part * C + h * hs + 2 * i
                        let (a, b) = (x[0], x[1])
                        x[0] = a * cosine - b * sine
                        x[1] = a * sine + b * cosine
                    }
                }
            }
        }
    }

    /// Softmax of row[0...t] in place; row[t+1..<length] set to 0.
    @inline(__always)
    static func causalSoftmax(_ row: UnsafeMutablePointer<Float>, through t: Int, length: Int) {
        var maximum = -Float.infinity
        for j in 0...t { maximum = max(maximum, row[j]) }
        let inverse = 1 / exponentiate(row, count: t + 1, subtracting: maximum)
        for j in 0...t { row[j] *= inverse }
        for j in (t + 1)..<max(length, t + 1) { row[j] = 0 }
    }

    /// Backward of `attentionForward`, with the same products: dP = dO·Vᵀ, dV += Pᵀ·dO,
    /// dS = P ⊙ (dP − rowsum(P ⊙ dP)) below the diagonal, dQ += dS·K/√d, dK += dSᵀ·Q/√d.
    /// `datt` is scratch of att's shape.
    package static func attentionBackward(dqkv: Buffer, datt: Buffer, dout: Input, qkv: Input, att: Input, B: Int, T: Int, C: Int, NH: Int) {
        let hs = C / NH, scale = 1 / Float(hs).squareRoot()
        let shared = (Shared(dqkv), Shared(datt), Shared(UnsafeMutablePointer(mutating: dout)), Shared(UnsafeMutablePointer(mutating: qkv)),
                      Shared(UnsafeMutablePointer(mutating: att)))
        Parallel.forEach(B * NH, threads: workers(B * NH * T * T * hs)) { item in
            let b = item / NH, h = item % NH
            let q = UnsafePointer(shared.3.pointer + b * T * 3 * C + h * hs), k = q + C, v = q + 2 * C
            let dq = shared.0.pointer + b * T * 3 * C + h * hs, dk = dq + C, dv = dq + 2 * C
            let p = UnsafePointer(shared.4.pointer + (b * NH + h) * T * T), ds = shared.1.pointer + (b * NH + h) * T * T
            let dO = UnsafePointer(shared.2.pointer + b * T * C + h * hs)
            BLAS.sgemm(transposeB: true, m: T, n: T, k: hs, a: dO, lda: C, b: v, ldb: 3 * C, beta: 0, c: ds, ldc: T)
            BLAS.sgemm(transposeA: true, m: T, n: hs, k: T, a: p, lda: T, b: dO, ldb: C, beta: 1, c: dv, ldc: 3 * C)
            for t in 0..<T {
                let pr = p + t * T, dr = ds + t * T
                var dot: Float = 0
                for j in 0...t { dot += pr[j] * dr[j] }
                for j in 0...t { dr[j] = pr[j] * (dr[j] - dot) }
                for j in (t + 1)..<max(T, t + 1) { dr[j] = 0 }
            }
            BLAS.sgemm(m: T, n: hs, k: T, alpha: scale, a: ds, lda: T, b: k, ldb: 3 * C, beta: 1, c: dq, ldc: 3 * C)
            BLAS.sgemm(transposeA: true, m: T, n: hs, k: T, alpha: scale, a: ds, lda: T, b: q, ldb: 3 * C, beta: 1, c: dk, ldc: 3 * C)
        }
    }

    /// One position's query, all heads side by side (C = NH·hs floats), attending over `count`
    /// cached keys and values, whose rows are C floats apart with the heads laid out the same way.
    /// `scores` is scratch of NH·count floats; `out` receives C floats. The sampler's cached step
    /// uses it; it is tested against a plain reference and, through sampling, against the
    /// matrix form above. Head sizes that are multiples of 8 run on SIMD8 lanes (each head's dot
    /// product sums its lanes in a fixed order), others on a scalar loop. Measured alternatives,
    /// at 68 positions, C = 128, 4 heads: keys stored transposed (to accumulate scores without
    /// horizontal sums) was 20% slower, as the score rows then make hs passes through memory;
    /// one head at a time with its 32 output lanes held in registers was 35% slower in the
    /// sampler, as each head's pass reads a quarter of every cached row. The softmax's exps run
    /// on eight lanes (`exp8`); as four libm calls they took 16 of the 44 ns per position (AVX2).
    static func attendCached(query: Input, keys: Input, values: Input, count: Int, C: Int, NH: Int, scale: Float,
                             scores: Buffer, out: Buffer) {
        let hs = C / NH
        if hs % 8 == 0 {
            for t2 in 0..<count {
                let k = keys + t2 * C
                for h in 0..<NH {
                    var acc = SIMD8<Float>()
                    var i = h * hs
                    while i < (h + 1) * hs { acc += load8(query + i) * load8(k + i); i += 8 }
                    scores[h * count + t2] = acc.sum() * scale
                }
            }
        } else {
            for t2 in 0..<count {
                let k = keys + t2 * C
                for h in 0..<NH {
                    var dot: Float = 0
                    for i in (h * hs)..<((h + 1) * hs) { dot += query[i] * k[i] }
                    scores[h * count + t2] = dot * scale
                }
            }
        }
        for h in 0..<NH {
            let row = scores + h * count
            var maximum = -Float.infinity
            for t2 in 0..<count { maximum = max(maximum, row[t2]) }
            let inverse = 1 / exponentiate(row, count: count, subtracting: maximum)
            for t2 in 0..<count { row[t2] *= inverse }
        }
        for i in 0..<C { out[i] = 0 }
        for t2 in 0..<count {
            let v = values + t2 * C
            for h in 0..<NH {
                let w = scores[h * count + t2]
                if hs % 8 == 0 {
                    let wv = SIMD8<Float>(repeating: w)
                    var i = h * hs
                    while i < (h + 1) * hs { store8(load8(out + i) + wv * load8(v + i), out + i); i += 8 }
                } else {
                    for i in (h * hs)..<((h + 1) * hs) { out[i] += w * v[i] }
                }
            }
        }
    }

    @inline(__always)
    static func load8(_ p: UnsafePointer<Float>) -> SIMD8<Float> { UnsafeRawPointer(p).loadUnaligned(as: SIMD8<Float>.self) }
    @inline(__always)
    static func load8(_ p: UnsafeMutablePointer<Float>) -> SIMD8<Float> { UnsafeRawPointer(p).loadUnaligned(as: SIMD8<Float>.self) }
    @inline(__always)
    static func store8(_ x: SIMD8<Float>, _ p: UnsafeMutablePointer<Float>) { UnsafeMutableRawPointer(p).storeBytes(of: x, as: SIMD8<Float>.self) }

    /// A raw pointer handed to parallel workers that write disjoint parts of it.
    struct Shared: @unchecked Sendable {
        let pointer: UnsafeMutablePointer<Float>
        init(_ pointer: UnsafeMutablePointer<Float>) { self.pointer = pointer }
    }

    /// Threads for a parallel kernel: all cores when the work is large enough to pay for them.
    static func workers(_ work: Int) -> Int { work >= 1 << 16 ? Parallel.availableCores : 1 }

    // MARK: GELU (tanh approximation)

    static let geluScale = Float((2 / Double.pi).squareRoot())

    /// tanh through one expf: 1 − 2/(e^{2u} + 1), several times cheaper than tanhf and within a
    /// few ulps of it; e^{2u} overflows to +∞ for large u, which still gives exactly 1.
    @inline(__always)
    static func fastTanh(_ u: Float) -> Float { 1 - 2 / (exp(2 * u) + 1) }

    /// out = GELU(input); the tanh of each element is kept in `tanhOut` for the backward pass.
    package static func geluForward(_ out: Buffer, tanhOut: Buffer? = nil, input: Input, N: Int) {
        let shared = (Shared(out), tanhOut.map(Shared.init), Shared(UnsafeMutablePointer(mutating: input)))
        rowBlocks(N, work: 16 * N) { start, count in
            let out = shared.0.pointer, tanhOut = shared.1?.pointer, input = shared.2.pointer
            var i = start
            let table = Exp.table
            // Eight at a time: the same IEEE operations in the same order as the scalar tail,
            // and `exp8` equals libm's expf, so the lanes give the scalar loop's bits.
            while i + 8 <= start + count {
                let x = load8(input + i)
                let u = 2 * (geluScale * (x + 0.044715 * x * x * x))
                let th = 1 - 2 / (exp8(u, table: table) + 1)
                if let tanhOut { store8(th, tanhOut + i) }
                store8(0.5 * x * (1 + th), out + i)
                i += 8
            }
            while i < start + count {
                let x = input[i]
                let th = fastTanh(geluScale * (x + 0.044715 * x * x * x))
                tanhOut?[i] = th
                out[i] = 0.5 * x * (1 + th)
                i += 1
            }
        }
    }

    /// dinput += GELU′(input) · dout, reusing the forward pass's tanh values when given.
    package static func geluBackward(dinput: Buffer, input: Input, tanh cached: Input? = nil, dout: Input, N: Int) {
        let shared = (Shared(dinput), Shared(UnsafeMutablePointer(mutating: input)), cached.map { Shared(UnsafeMutablePointer(mutating: $0)) },
                      Shared(UnsafeMutablePointer(mutating: dout)))
        rowBlocks(N, work: 16 * N) { start, count in
            geluBackwardBlock(dinput: shared.0.pointer + start, input: shared.1.pointer + start, tanh: shared.2.map { UnsafePointer($0.pointer + start) },
                              dout: shared.3.pointer + start, N: count)
        }
    }

    private static func geluBackwardBlock(dinput: Buffer, input: Input, tanh cached: Input?, dout: Input, N: Int) {
        var start = 0
        if let cached {
            // Eight at a time, with the scalar loop's operations in its order (bit-identical).
            while start + 8 <= N {
                let x = load8(input + start), th = load8(cached + start)
                let sech2 = 1 - th * th, cubic: Float = 3 * 0.044715
                let slope = 0.5 * x * sech2 * geluScale
                let local = 0.5 * (1 + th) + slope * (1 + cubic * x * x)
                store8(load8(dinput + start) + local * load8(dout + start), dinput + start)
                start += 8
            }
        }
        for i in start..<N {
            let x = input[i]
            let th = cached?[i] ?? fastTanh(geluScale * (x + 0.044715 * x * x * x))
            let sech2 = 1 - th * th
            let local = 0.5 * (1 + th) + 0.5 * x * sech2 * geluScale * (1 + 3 * 0.044715 * x * x)
            dinput[i] += local * dout[i]
        }
    }

    // MARK: Output

    /// Softmax of each row of logits[N, V] into probs, and the loss −log p[target] where the
    /// target is ≥ 0 (rows with target −1 are not scored and get loss 0).
    package static func softmaxCrossEntropyForward(probs: Buffer, losses: Buffer, logits: Input, targets: UnsafePointer<Int32>, N: Int, V: Int) {
        for n in 0..<N {
            let z = logits + n * V, p = probs + n * V
            var maximum = -Float.infinity
            for j in 0..<V { maximum = max(maximum, z[j]) }
            var sum: Float = 0
            for j in 0..<V { p[j] = exp(z[j] - maximum); sum += p[j] }
            let inverse = 1 / sum
            for j in 0..<V { p[j] *= inverse }
            let target = Int(targets[n])
            losses[n] = target >= 0 ? -log(max(p[target], 1e-30)) : 0
        }
    }

    /// dlogits = (probs − onehot(target)) · weight[n] for scored rows.
    package static func crossEntropyBackward(dlogits: Buffer, probs: Input, targets: UnsafePointer<Int32>, weights: UnsafePointer<Float>, N: Int, V: Int) {
        for n in 0..<N {
            let target = Int(targets[n])
            let d = dlogits + n * V, p = probs + n * V
            guard target >= 0 else { continue }
            let w = weights[n]
            for j in 0..<V { d[j] += (p[j] - (j == target ? 1 : 0)) * w }
        }
    }
}
