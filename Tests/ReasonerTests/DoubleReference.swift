import Foundation
@testable import SafetyKitReasoner

/// A plain double-precision forward pass of the reasoner, written straight from the definitions
/// (no BLAS, no SIMD, no row blocks), for finite differences that can see small gradients: in
/// float32 a difference quotient's round-off is about 1e-5, so gradients below 1e-4 went
/// unchecked; in double it is about 1e-10.
enum DoubleReference {
    /// The mean cross-entropy over targets ≥ 0. `masks`, if given, holds the dropout factors as
    /// `TransformerWorkspace.forward(_:tokens:targets:dropoutMasks:)` takes them.
    static func loss(_ c: ModelConfiguration, parameters w: [Double], tokens: [Int32], targets: [Int32], B: Int, T: Int,
                     masks: [Float]? = nil) -> Double {
        let layout = ParameterLayout(c), C = c.width, H = c.hidden, V = c.vocabularySize, NH = c.heads, hs = C / NH, N = B * T
        func at(_ t: ParameterLayout.Tensor, _ i: Int) -> Double { w[layout.offset(t) + i] }
        func layerNorm(_ x: [Double], _ gain: ParameterLayout.Tensor, _ shift: ParameterLayout.Tensor, _ l: Int) -> [Double] {
            var out = x
            for n in 0..<N {
                let row = x[(n * C)..<((n + 1) * C)]
                let mean = row.reduce(0, +) / Double(C)
                let variance = row.reduce(0) { $0 + ($1 - mean) * ($1 - mean) } / Double(C)
                let s = 1 / (variance + 1e-5).squareRoot()
                for i in 0..<C { out[n * C + i] = (x[n * C + i] - mean) * s * at(gain, l * C + i) + at(shift, l * C + i) }
            }
            return out
        }
        /// out[n, o] = Σᵢ x[n, i]·W[o, i] + b[o], W at `weight` offset `base`.
        func linear(_ x: [Double], inputs: Int, outputs: Int, _ weight: ParameterLayout.Tensor, _ bias: ParameterLayout.Tensor?, _ l: Int) -> [Double] {
            var out = [Double](repeating: 0, count: N * outputs)
            for n in 0..<N {
                for o in 0..<outputs {
                    var sum = bias.map { at($0, l * outputs + o) } ?? 0
                    for i in 0..<inputs { sum += x[n * inputs + i] * at(weight, l * outputs * inputs + o * inputs + i) }
                    out[n * outputs + o] = sum
                }
            }
            return out
        }
        var x = [Double](repeating: 0, count: N * C)
        for n in 0..<N {
            for i in 0..<C { x[n * C + i] = at(.wte, Int(tokens[n]) * C + i) + (c.rotary ? 0 : at(.wpe, (n % T) * C + i)) }
        }
        for l in 0..<c.depth {
            var qkv = linear(layerNorm(x, .ln1w, .ln1b, l), inputs: C, outputs: 3 * C, .qkvw, .qkvb, l)
            if c.rotary {
                for n in 0..<N {
                    for i in 0..<(hs / 2) {
                        let angle = Double(n % T) * pow(10000, -2 * Double(i) / Double(hs))
                        let (cosine, sine) = (Double(Float(cos(angle))), Double(Float(sin(angle))))
                        for part in 0..<2 {
                            for h in 0..<NH {
                                let j = n * 3 * C + part * C + h * hs + 2 * i
                                let (a, b) = (qkv[j], qkv[j + 1])
                                qkv[j] = a * cosine - b * sine
                                qkv[j + 1] = a * sine + b * cosine
                            }
                        }
                    }
                }
            }
            var y = [Double](repeating: 0, count: N * C)
            for b in 0..<B {
                for h in 0..<NH {
                    for t in 0..<T {
                        let q = (b * T + t) * 3 * C + h * hs
                        let scores = (0...t).map { u -> Double in
                            let k = (b * T + u) * 3 * C + C + h * hs
                            return (0..<hs).reduce(0) { $0 + qkv[q + $1] * qkv[k + $1] } / Double(hs).squareRoot()
                        }
                        let top = scores.max()!, e = scores.map { exp($0 - top) }, total = e.reduce(0, +)
                        for u in 0...t {
                            let v = (b * T + u) * 3 * C + 2 * C + h * hs
                            for d in 0..<hs { y[(b * T + t) * C + h * hs + d] += e[u] / total * qkv[v + d] }
                        }
                    }
                }
            }
            var projected = linear(y, inputs: C, outputs: C, .attprojw, .attprojb, l)
            if let masks { for i in 0..<(N * C) { projected[i] *= Double(masks[(2 * l) * N * C + i]) } }
            for i in 0..<(N * C) { x[i] += projected[i] }
            var hidden = linear(layerNorm(x, .ln2w, .ln2b, l), inputs: C, outputs: H, .fcw, .fcb, l)
            for i in hidden.indices {
                let u = hidden[i]
                hidden[i] = 0.5 * u * (1 + tanh((2 / Double.pi).squareRoot() * (u + 0.044715 * u * u * u)))
            }
            var mlp = linear(hidden, inputs: H, outputs: C, .fcprojw, .fcprojb, l)
            if let masks { for i in 0..<(N * C) { mlp[i] *= Double(masks[(2 * l + 1) * N * C + i]) } }
            for i in 0..<(N * C) { x[i] += mlp[i] }
        }
        let final = layerNorm(x, .lnfw, .lnfb, 0)
        var total = 0.0, scored = 0
        for n in 0..<N where targets[n] >= 0 {
            let logits = (0..<V).map { v in (0..<C).reduce(0.0) { $0 + final[n * C + $1] * at(.wte, v * C + $1) } }
            let top = logits.max()!
            let logSum = top + log(logits.reduce(0) { $0 + exp($1 - top) })
            total += logSum - logits[Int(targets[n])]
            scored += 1
        }
        return scored > 0 ? total / Double(scored) : 0
    }
}
