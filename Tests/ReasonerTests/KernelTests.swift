import Foundation
import Testing
@testable import SafetyKitReasoner
@testable import SafetyKitNumerics

/// The kernels' SIMD paths against plain scalar loops written out here, bit for bit: a vector
/// path may only regroup work, never change an operation or its order, so that faster kernels
/// leave every trained model and every sample unchanged.
@Suite("Kernels")
struct KernelTests {
    /// 8·3 + 3 values, so both the eight-lane body and the scalar tail run; the range reaches
    /// the tails of tanh, where exp over- and underflows.
    static let inputs: [Float] = {
        var stream = RandomStream(seed: 21)
        return (0..<27).map { i in i == 5 ? 60 : i == 6 ? -60 : Float(stream.nextUniform() * 12 - 6) }
    }()

    static func scalarTanh(_ x: Float) -> Float {
        let u = Float((2 / Double.pi).squareRoot()) * (x + 0.044715 * x * x * x)
        return 1 - 2 / (exp(2 * u) + 1)
    }

    @Test func geluForwardLanesEqualTheScalarFormula() {
        let x = Self.inputs
        var out = [Float](repeating: 0, count: x.count), th = out, outOnly = out
        Kernels.geluForward(&out, tanhOut: &th, input: x, N: x.count)
        Kernels.geluForward(&outOnly, input: x, N: x.count)
        for i in x.indices {
            let t = Self.scalarTanh(x[i])
            #expect(th[i].bitPattern == t.bitPattern, "tanh at \(x[i])")
            #expect(out[i].bitPattern == (0.5 * x[i] * (1 + t)).bitPattern, "gelu at \(x[i])")
            #expect(outOnly[i].bitPattern == out[i].bitPattern)
        }
    }

    @Test func geluBackwardLanesEqualTheScalarFormula() {
        let x = Self.inputs
        var stream = RandomStream(seed: 22)
        let dout = x.map { _ in Float(stream.nextUniform() * 2 - 1) }
        let start = x.map { _ in Float(stream.nextUniform()) }
        var out = [Float](repeating: 0, count: x.count), th = out
        Kernels.geluForward(&out, tanhOut: &th, input: x, N: x.count)
        var cached = start, recomputed = start
        Kernels.geluBackward(dinput: &cached, input: x, tanh: th, dout: dout, N: x.count)
        Kernels.geluBackward(dinput: &recomputed, input: x, dout: dout, N: x.count)
        let scale = Float((2 / Double.pi).squareRoot())
        for i in x.indices {
            let t = Self.scalarTanh(x[i]), sech2 = 1 - t * t
            let local = 0.5 * (1 + t) + 0.5 * x[i] * sech2 * scale * (1 + 3 * 0.044715 * x[i] * x[i])
            let expected = start[i] + local * dout[i]
            #expect(cached[i].bitPattern == expected.bitPattern, "at \(x[i])")
            #expect(recomputed[i].bitPattern == expected.bitPattern, "at \(x[i])")
        }
    }

    /// One query attending over `count` random cached keys and values: the inputs and the
    /// kernel's output.
    static func attendCached(C: Int, NH: Int, count: Int, seed: UInt64) -> (q: [Float], k: [Float], v: [Float], out: [Float]) {
        var stream = RandomStream(seed: seed)
        let q = (0..<C).map { _ in Float(stream.nextUniform() * 2 - 1) }
        let k = (0..<(count * C)).map { _ in Float(stream.nextUniform() * 2 - 1) }
        let v = (0..<(count * C)).map { _ in Float(stream.nextUniform() * 2 - 1) }
        var scores = [Float](repeating: 0, count: NH * count), out = [Float](repeating: 0, count: C)
        Kernels.attendCached(query: q, keys: k, values: v, count: count, C: C, NH: NH, scale: 1 / Float(C / NH).squareRoot(),
                             scores: &scores, out: &out)
        return (q, k, v, out)
    }

    /// The cached step's attention against softmax(q·k/√d)·v in Double.
    @Test(arguments: [(C: 32, NH: 2), (C: 18, NH: 3)])
    func cachedAttentionMatchesAPlainReference(C: Int, NH: Int) {
        let count = 11, hs = C / NH, scale = 1 / Double(hs).squareRoot()
        let (q, k, v, out) = Self.attendCached(C: C, NH: NH, count: count, seed: UInt64(C))
        for h in 0..<NH {
            let logits = (0..<count).map { t in (0..<hs).reduce(0.0) { $0 + Double(q[h * hs + $1]) * Double(k[t * C + h * hs + $1]) } * scale }
            let m = logits.max()!, e = logits.map { exp($0 - m) }, z = e.reduce(0, +)
            for i in 0..<hs {
                let expected = (0..<count).reduce(0.0) { $0 + e[$1] / z * Double(v[$1 * C + h * hs + i]) }
                #expect(abs(Double(out[h * hs + i]) - expected) < 1e-5)
            }
        }
    }

    /// The same sums written as plain Float loops in the kernel's order (per head: lanes of 8
    /// summed left to right, then softmax, then Σ_t p_t·v_t in position order), bit for bit, for
    /// head sizes on and off the 8-lane path.
    @Test(arguments: [(C: 64, NH: 2), (C: 18, NH: 3)])
    func cachedAttentionEqualsPlainLoopsBitForBit(C: Int, NH: Int) {
        let count = 13, hs = C / NH, scale = 1 / Float(hs).squareRoot()
        let (q, k, v, out) = Self.attendCached(C: C, NH: NH, count: count, seed: UInt64(C + 1))
        for h in 0..<NH {
            var logits = [Float](repeating: 0, count: count)
            for t in 0..<count {
                var dot: Float = 0
                if hs % 8 == 0 {
                    var lanes = [Float](repeating: 0, count: 8)
                    for i in 0..<hs { lanes[i % 8] += q[h * hs + i] * k[t * C + h * hs + i] }
                    dot = -0.0
                    for lane in lanes { dot += lane }
                } else {
                    for i in 0..<hs { dot += q[h * hs + i] * k[t * C + h * hs + i] }
                }
                logits[t] = dot * scale
            }
            let m = logits.max()!
            var sum: Float = 0
            let e = logits.map { exp($0 - m) }
            for x in e { sum += x }
            let p = e.map { $0 * (1 / sum) }
            for i in 0..<hs {
                var expected: Float = 0
                for t in 0..<count { expected += p[t] * v[t * C + h * hs + i] }
                #expect(out[h * hs + i].bitPattern == expected.bitPattern, "head \(h) lane \(i)")
            }
        }
    }

    /// The vector exp against libm's expf: every 4,099th float (all signs and binades, ±∞ and
    /// NaNs among them) and the edges of its overflow, underflow and special-case checks. The
    /// whole finite range below 88 in magnitude was compared once, outside the suite.
    @Test func exp8EqualsLibmExpf() {
        var inputs: [Float] = [0, -0, 1, -1, 88, -88, 88.72, 88.73, -87.9, -103.9, -103.98, -104, -150, 1e-30, -1e-30,
                               .leastNonzeroMagnitude, .infinity, -.infinity, .nan, 0x1.62e42ep6, 0x1.62e430p6, -0x1.9fe368p6]
        var bits: UInt32 = 0
        while bits < UInt32.max - 4099 { inputs.append(Float(bitPattern: bits)); bits += 4099 }
        while inputs.count % 8 != 0 { inputs.append(0.5) }
        var mismatches: [Float] = []
        for start in stride(from: 0, to: inputs.count, by: 8) {
            let x = SIMD8<Float>(inputs[start..<(start + 8)])
            let e = Kernels.exp8(x)
            for j in 0..<8 where e[j].bitPattern != exp(x[j]).bitPattern && !(e[j].isNaN && exp(x[j]).isNaN) { mismatches.append(x[j]) }
        }
        #expect(inputs.count > 1_000_000)
        #expect(mismatches.isEmpty, "first: \(mismatches.prefix(5))")
    }

    /// A softmax's exponentials and their in-order sum, eight lanes at a time plus a tail.
    @Test func exponentiateEqualsTheScalarLoop() {
        var stream = RandomStream(seed: 23)
        let row = (0..<29).map { _ in Float(stream.nextUniform() * 40 - 30) }
        var lanes = row
        let sum = lanes.withUnsafeMutableBufferPointer { Kernels.exponentiate($0.baseAddress!, count: 29, subtracting: 3.5) }
        var expected: Float = 0
        for j in row.indices {
            let e = exp(row[j] - 3.5)
            #expect(lanes[j].bitPattern == e.bitPattern)
            expected += e
        }
        #expect(sum.bitPattern == expected.bitPattern)
    }
}
