import Foundation
import Numerics

/// The transformer's layer kernels, forward and backward, over raw float32 buffers. Every hot
/// loop of the model lives here; each is tested against a plain reference and by finite
/// differences. Shapes are row-major: B sequences × T positions × C channels. Backward kernels
/// accumulate (+=) into gradient buffers, as the model's gradient is a sum over uses.
public enum Kernels {
    public typealias Buffer = UnsafeMutablePointer<Float>
    public typealias Input = UnsafePointer<Float>

    // MARK: Embeddings

    /// out[b,t,:] = wte[token] + wpe[t].
    public static func encoderForward(_ out: Buffer, tokens: UnsafePointer<Int32>, wte: Input, wpe: Input, B: Int, T: Int, C: Int) {
        for b in 0..<B {
            for t in 0..<T {
                let o = out + (b * T + t) * C, e = wte + Int(tokens[b * T + t]) * C, p = wpe + t * C
                for i in 0..<C { o[i] = e[i] + p[i] }
            }
        }
    }

    public static func encoderBackward(dwte: Buffer, dwpe: Buffer, dout: Input, tokens: UnsafePointer<Int32>, B: Int, T: Int, C: Int) {
        for b in 0..<B {
            for t in 0..<T {
                let d = dout + (b * T + t) * C, e = dwte + Int(tokens[b * T + t]) * C, p = dwpe + t * C
                for i in 0..<C {
                    e[i] += d[i]
                    p[i] += d[i]
                }
            }
        }
    }

    // MARK: LayerNorm (ε = 1e-5)

    public static func layernormForward(_ out: Buffer, mean: Buffer, rstd: Buffer, input: Input, weight: Input, bias: Input, N: Int, C: Int) {
        for n in 0..<N {
            let x = input + n * C, o = out + n * C
            var m: Float = 0
            for i in 0..<C { m += x[i] }
            m /= Float(C)
            var v: Float = 0
            for i in 0..<C { let d = x[i] - m; v += d * d }
            v /= Float(C)
            let s = 1 / (v + 1e-5).squareRoot()
            for i in 0..<C { o[i] = (x[i] - m) * s * weight[i] + bias[i] }
            mean[n] = m
            rstd[n] = s
        }
    }

    public static func layernormBackward(dinput: Buffer, dweight: Buffer, dbias: Buffer, dout: Input, input: Input, weight: Input,
                                         mean: Input, rstd: Input, N: Int, C: Int) {
        for n in 0..<N {
            let d = dout + n * C, x = input + n * C, dx = dinput + n * C
            let m = mean[n], s = rstd[n]
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
                dbias[i] += d[i]
                dweight[i] += norm * d[i]
                dx[i] += (dnorm - dnormMean - norm * dnormNormMean) * s
            }
        }
    }

    // MARK: Linear layers (OpenBLAS)

    /// Splits `rows` into one contiguous block per worker and runs `body(start, count)` on each.
    /// Matmuls split only their output rows, never a sum, so every element is computed by the same
    /// single-threaded sgemm with the same inner loop: results are identical for any thread count.
    static func rowBlocks(_ rows: Int, work: Int, _ body: @Sendable (Int, Int) -> Void) {
        let blocks = min(rows, work >= 1 << 18 ? Parallel.availableCores : 1)
        Parallel.forEach(blocks, threads: blocks) { k in
            let start = rows * k / blocks, end = rows * (k + 1) / blocks
            if end > start { body(start, end - start) }
        }
    }

    /// out[N, OC] = input[N, C] · weight[OC, C]ᵀ + bias[OC].
    public static func matmulForward(_ out: Buffer, input: Input, weight: Input, bias: Input?, N: Int, C: Int, OC: Int) {
        let (o, i, w) = (Shared(out), Shared(UnsafeMutablePointer(mutating: input)), Shared(UnsafeMutablePointer(mutating: weight)))
        rowBlocks(N, work: N * C * OC) { start, count in
            BLAS.sgemm(transposeB: true, m: count, n: OC, k: C, a: i.pointer + start * C, lda: C, b: w.pointer, ldb: C, beta: 0,
                       c: o.pointer + start * OC, ldc: OC)
        }
        guard let bias else { return }
        for n in 0..<N {
            let o = out + n * OC
            for j in 0..<OC { o[j] += bias[j] }
        }
    }

    /// dinput += dout · weight; dweight += doutᵀ · input; dbias += Σ_n dout.
    public static func matmulBackward(dinput: Buffer, dweight: Buffer, dbias: Buffer?, dout: Input, input: Input, weight: Input,
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
    /// (rows above the diagonal stay 0); out[B,T,C] the heads' outputs side by side.
    /// Sequences and heads are independent and write disjoint memory, so they run in parallel
    /// with identical results at any thread count.
    public static func attentionForward(_ out: Buffer, att: Buffer, qkv: Input, B: Int, T: Int, C: Int, NH: Int) {
        let hs = C / NH, scale = 1 / Float(hs).squareRoot()
        let (out, att, qkv) = (Shared(out), Shared(att), Shared(UnsafeMutablePointer(mutating: qkv)))
        Parallel.forEach(B * NH, threads: workers(B * NH * T * T * hs)) { item in
            let b = item / NH, h = item % NH
            let out = out.pointer, att = att.pointer, qkv = UnsafePointer(qkv.pointer)
            do {
                let sequence = qkv + b * T * 3 * C + h * hs
                for t in 0..<T {
                    let row = att + ((b * NH + h) * T + t) * T
                    attend(query: sequence + t * 3 * C, keys: sequence + C, values: sequence + 2 * C, count: t + 1, stride: 3 * C,
                           headSize: hs, scale: scale, weights: row, out: out + (b * T + t) * C + h * hs)
                    for t2 in (t + 1)..<max(T, t + 1) { row[t2] = 0 }
                }
            }
        }
    }

    /// One query attending over `count` keys and values stored `stride` floats apart: the
    /// softmax weights go to `weights`, the weighted sum of values to `out` (headSize floats).
    /// Training's attention and the sampler's cached step both use it.
    @inline(__always)
    static func attend(query: UnsafePointer<Float>, keys: UnsafePointer<Float>, values: UnsafePointer<Float>, count: Int, stride: Int,
                       headSize hs: Int, scale: Float, weights: UnsafeMutablePointer<Float>, out: UnsafeMutablePointer<Float>) {
        var maximum = -Float.infinity
        for t2 in 0..<count {
            let k = keys + t2 * stride
            var dot: Float = 0
            for i in 0..<hs { dot += query[i] * k[i] }
            weights[t2] = dot * scale
            maximum = max(maximum, weights[t2])
        }
        var sum: Float = 0
        for t2 in 0..<count { weights[t2] = exp(weights[t2] - maximum); sum += weights[t2] }
        let inverse = 1 / sum
        for t2 in 0..<count { weights[t2] *= inverse }
        for i in 0..<hs { out[i] = 0 }
        for t2 in 0..<count {
            let v = values + t2 * stride, w = weights[t2]
            for i in 0..<hs { out[i] += w * v[i] }
        }
    }

    /// A raw pointer handed to parallel workers that write disjoint parts of it.
    struct Shared: @unchecked Sendable {
        let pointer: UnsafeMutablePointer<Float>
        init(_ pointer: UnsafeMutablePointer<Float>) { self.pointer = pointer }
    }

    /// Threads for a parallel kernel: all cores when the work is large enough to pay for them.
    static func workers(_ work: Int) -> Int { work >= 1 << 16 ? Parallel.availableCores : 1 }

    public static func attentionBackward(dqkv: Buffer, datt: Buffer, dout: Input, qkv: Input, att: Input, B: Int, T: Int, C: Int, NH: Int) {
        let hs = C / NH, scale = 1 / Float(hs).squareRoot()
        let shared = (Shared(dqkv), Shared(datt), Shared(UnsafeMutablePointer(mutating: dout)), Shared(UnsafeMutablePointer(mutating: qkv)),
                      Shared(UnsafeMutablePointer(mutating: att)))
        Parallel.forEach(B * NH, threads: workers(B * NH * T * T * hs)) { item in
            let b = item / NH, h = item % NH
            let dqkv = shared.0.pointer, datt = shared.1.pointer, dout = UnsafePointer(shared.2.pointer)
            let qkv = UnsafePointer(shared.3.pointer), att = UnsafePointer(shared.4.pointer)
            do {
                for t in 0..<T {
                    let row = att + ((b * NH + h) * T + t) * T
                    let drow = datt + ((b * NH + h) * T + t) * T
                    let d = dout + (b * T + t) * C + h * hs
                    // Through the weighted sum of values.
                    for t2 in 0...t {
                        let v = qkv + (b * T + t2) * 3 * C + 2 * C + h * hs
                        let dv = dqkv + (b * T + t2) * 3 * C + 2 * C + h * hs
                        var dw: Float = 0
                        for i in 0..<hs {
                            dw += v[i] * d[i]
                            dv[i] += row[t2] * d[i]
                        }
                        drow[t2] = dw
                    }
                    // Through the softmax: dpre = w ⊙ (dw − Σ w·dw).
                    var dot: Float = 0
                    for t2 in 0...t { dot += row[t2] * drow[t2] }
                    let q = qkv + (b * T + t) * 3 * C + h * hs
                    let dq = dqkv + (b * T + t) * 3 * C + h * hs
                    for t2 in 0...t {
                        let dpre = row[t2] * (drow[t2] - dot) * scale
                        let k = qkv + (b * T + t2) * 3 * C + C + h * hs
                        let dk = dqkv + (b * T + t2) * 3 * C + C + h * hs
                        for i in 0..<hs {
                            dq[i] += k[i] * dpre
                            dk[i] += q[i] * dpre
                        }
                    }
                }
            }
        }
    }

    // MARK: GELU (tanh approximation)

    static let geluScale = Float((2 / Double.pi).squareRoot())

    /// tanh through one expf: 1 − 2/(e^{2u} + 1), several times cheaper than tanhf and within a
    /// few ulps of it; e^{2u} overflows to +∞ for large u, which still gives exactly 1.
    @inline(__always)
    static func fastTanh(_ u: Float) -> Float { 1 - 2 / (exp(2 * u) + 1) }

    /// out = GELU(input); the tanh of each element is kept in `tanhOut` for the backward pass.
    public static func geluForward(_ out: Buffer, tanhOut: Buffer? = nil, input: Input, N: Int) {
        for i in 0..<N {
            let x = input[i]
            let th = fastTanh(geluScale * (x + 0.044715 * x * x * x))
            tanhOut?[i] = th
            out[i] = 0.5 * x * (1 + th)
        }
    }

    /// dinput += GELU′(input) · dout, reusing the forward pass's tanh values when given.
    public static func geluBackward(dinput: Buffer, input: Input, tanh cached: Input? = nil, dout: Input, N: Int) {
        for i in 0..<N {
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
    public static func softmaxCrossEntropyForward(probs: Buffer, losses: Buffer, logits: Input, targets: UnsafePointer<Int32>, N: Int, V: Int) {
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
    public static func crossEntropyBackward(dlogits: Buffer, probs: Input, targets: UnsafePointer<Int32>, weights: UnsafePointer<Float>, N: Int, V: Int) {
        for n in 0..<N {
            let target = Int(targets[n])
            let d = dlogits + n * V, p = probs + n * V
            guard target >= 0 else { continue }
            let w = weights[n]
            for j in 0..<V { d[j] += (p[j] - (j == target ? 1 : 0)) * w }
        }
    }
}
