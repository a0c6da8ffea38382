import Foundation
import Testing
@testable import SafetyKitReasoner
@testable import SafetyKitNumerics

/// Finite-difference checks of the hand-written backward pass, for the whole model (every
/// tensor) and for each kernel. Float32 forward passes limit how closely a difference quotient
/// can match: central differences with a step of 1e-2 on a model initialised at a larger scale
/// keep the round-off well below the signal.
@Suite("Gradients")
struct GradientTests {
    static let tiny = ModelConfiguration(vocabularySize: 7, contextLength: 6, width: 8, depth: 2, heads: 2, mlpRatio: 2)

    static func batch(_ workspace: TransformerWorkspace, seed: UInt64) -> ([Int32], [Int32]) {
        var stream = RandomStream(seed: seed)
        let n = workspace.B * workspace.T
        let tokens = (0..<n).map { _ in Int32(stream.nextIndex(below: 7)) }
        // Some positions unscored, as prompts and padding are.
        let targets = (0..<n).map { i in i % 4 == 0 ? Int32(-1) : Int32(stream.nextIndex(below: 7)) }
        return (tokens, targets)
    }

    /// Every element of every tensor against central differences of the double-precision
    /// reference (`DoubleReference`), with and without rotary positions and dropout masks: in
    /// double, a difference quotient is good to about 1e-10, so small gradients are checked
    /// relative to their size, not waved through under an absolute floor.
    @Test(arguments: [(false, false), (true, false), (false, true), (true, true)])
    func wholeModelMatchesDoubleFiniteDifferences(rotary: Bool, dropout: Bool) throws {
        var configuration = Self.tiny
        configuration.rotary = rotary
        configuration.dropout = dropout ? 0.3 : 0
        let model = try TransformerModel(configuration: configuration, seed: 3, scale: 0.4)
        let (B, T) = (2, 5)
        let workspace = try TransformerWorkspace(configuration: configuration, batch: B, length: T)
        let (tokens, targets) = Self.batch(workspace, seed: 4)
        let masks = dropout ? PyTorchReferenceTests.masks(configuration, rows: B * T, p: 0.3) : nil
        var noDropout: RandomStream? = nil
        let float32Loss = masks.map { workspace.forward(model, tokens: tokens, targets: targets, dropoutMasks: $0) }
            ?? workspace.forward(model, tokens: tokens, targets: targets, dropout: &noDropout)
        workspace.backward(model)
        let analytic = workspace.gradients
        var parameters = model.parameters.map(Double.init)
        func loss() -> Double { DoubleReference.loss(configuration, parameters: parameters, tokens: tokens, targets: targets, B: B, T: T, masks: masks) }
        #expect(abs(loss() - float32Loss) < 1e-5)
        var checked = 0, small = 0
        for tensor in ParameterLayout.Tensor.allCases {
            let start = model.layout.offset(tensor), size = model.layout.size(tensor)
            var numeric = [Double](repeating: 0, count: size)
            for k in 0..<size {
                let i = start + k, original = parameters[i], h = 1e-5
                parameters[i] = original + h
                let plus = loss()
                parameters[i] = original - h
                let minus = loss()
                parameters[i] = original
                numeric[k] = (plus - minus) / (2 * h)
            }
            let largest = numeric.map(abs).max() ?? 0
            for k in 0..<size {
                let a = Double(analytic[start + k]), n = numeric[k]
                #expect(abs(a - n) <= 2e-4 * abs(n) + 1e-5 * largest + 1e-9, "\(tensor)[\(k)]: analytic \(a) numeric \(n)")
                checked += 1
                if abs(n) < 1e-3 && abs(n) > 1e-7 { small += 1 }
            }
        }
        #expect(checked == model.parameterCount)
        #expect(small > 10, "the check should reach gradients below 1e-3 (found \(small))")
        // Unused embeddings get no gradient: position 5 is beyond T = 5; with rotary positions no
        // learned position embedding is used at all.
        let wpe = model.layout.offset(.wpe) + (rotary ? 0 : 5 * Self.tiny.width)
        #expect(analytic[wpe..<(model.layout.offset(.wpe) + model.layout.size(.wpe))].allSatisfy { $0 == 0 })
    }

    @Test func rotationKeepsNormsAndTurnsBack() {
        var row: [Float] = (0..<(3 * 8)).map { Float($0) * 0.1 - 1 }
        let original = row
        row.withUnsafeMutableBufferPointer { Kernels.rotate($0.baseAddress!, positions: [3], C: 8, NH: 2) }
        let before: Float = original[0..<8].reduce(0) { $0 + $1 * $1 }, after: Float = row[0..<8].reduce(0) { $0 + $1 * $1 }
        #expect(abs(after - before) < 1e-4)
        #expect(row[16..<24] == original[16..<24] && row[0..<8] != original[0..<8])
        row.withUnsafeMutableBufferPointer { Kernels.rotate($0.baseAddress!, positions: [3], C: 8, NH: 2, inverse: true) }
        let restored = zip(row, original).allSatisfy { (a: Float, b: Float) -> Bool in abs(a - b) < 1e-5 }
        #expect(restored)
    }

    /// Dropout drawn from a stream (the training path) gives the gradients of its own masks.
    @Test func streamDropoutGradientsMatchForAFixedMask() throws {
        var configuration = Self.tiny
        configuration.dropout = 0.3
        var model = try TransformerModel(configuration: configuration, seed: 8, scale: 0.4)
        let workspace = try TransformerWorkspace(configuration: configuration, batch: 2, length: 4)
        let (tokens, targets) = Self.batch(workspace, seed: 9)
        func loss() -> Double {
            var masks: RandomStream? = RandomStream(seed: 77)   // the same masks every time
            return workspace.forward(model, tokens: tokens, targets: targets, dropout: &masks)
        }
        _ = loss()
        workspace.backward(model)
        let analytic = workspace.gradients
        var stream = RandomStream(seed: 10)
        for _ in 0..<60 {
            let i = stream.nextIndex(below: model.parameterCount)
            let original = model.parameters[i]
            model.parameters[i] = original + 1e-2
            let plus = loss()
            model.parameters[i] = original - 1e-2
            let minus = loss()
            model.parameters[i] = original
            let numeric = (plus - minus) / 2e-2
            #expect(abs(numeric - Double(analytic[i])) <= 2e-2 * abs(numeric) + 1e-3)
        }
    }

    /// Each kernel's backward against differences of L = Σ r ⊙ out for a random r: the input
    /// gradient of every kernel, and the weight and bias gradients of LayerNorm and the matmul.
    @Test func kernelsMatchFiniteDifferences() {
        var stream = RandomStream(seed: 21)
        func random(_ n: Int, scale: Float = 1) -> [Float] { (0..<n).map { _ in Float(stream.nextNormal()) * scale } }
        func check(_ name: String, input: [Float], forward: ([Float]) -> [Float], backward: ([Float], [Float]) -> [Float]) {
            let r = random(forward(input).count)
            func objective(_ x: [Float]) -> Double { zip(forward(x), r).reduce(0.0) { $0 + Double($1.0 * $1.1) } }
            let analytic = backward(input, r)
            for i in 0..<input.count {
                var plus = input, minus = input
                plus[i] += 1e-2
                minus[i] -= 1e-2
                let numeric = (objective(plus) - objective(minus)) / 2e-2
                #expect(abs(numeric - Double(analytic[i])) <= 1e-2 * abs(numeric) + 2e-3, "\(name)[\(i)]: \(analytic[i]) vs \(numeric)")
            }
        }
        let N = 3, C = 6
        let weight = random(C), bias = random(C), lnInput = random(N * C)
        /// LayerNorm's forward and its three gradients for one (input, weight, bias).
        func layernorm(_ x: [Float], _ w: [Float], _ b: [Float]) -> [Float] {
            var out = [Float](repeating: 0, count: N * C), mean = [Float](repeating: 0, count: N), rstd = mean
            Kernels.layernormForward(&out, mean: &mean, rstd: &rstd, input: x, weight: w, bias: b, N: N, C: C)
            return out
        }
        func layernormGradients(_ x: [Float], _ w: [Float], _ b: [Float], _ d: [Float]) -> (dx: [Float], dw: [Float], db: [Float]) {
            var out = [Float](repeating: 0, count: N * C), mean = [Float](repeating: 0, count: N), rstd = mean
            Kernels.layernormForward(&out, mean: &mean, rstd: &rstd, input: x, weight: w, bias: b, N: N, C: C)
            var dx = [Float](repeating: 0, count: N * C), dw = [Float](repeating: 0, count: C), db = dw
            Kernels.layernormBackward(dinput: &dx, dweight: &dw, dbias: &db, dout: d, input: x, weight: w, mean: mean, rstd: rstd, N: N, C: C)
            return (dx, dw, db)
        }
        check("layernorm input", input: lnInput) { layernorm($0, weight, bias) } backward: { layernormGradients($0, weight, bias, $1).dx }
        check("layernorm weight", input: weight) { layernorm(lnInput, $0, bias) } backward: { layernormGradients(lnInput, $0, bias, $1).dw }
        check("layernorm bias", input: bias) { layernorm(lnInput, weight, $0) } backward: { layernormGradients(lnInput, weight, $0, $1).db }
        let B = 2, T = 4, NH = 2, AC = 4
        check("attention", input: random(B * T * 3 * AC)) { qkv in
            var out = [Float](repeating: 0, count: B * T * AC), att = [Float](repeating: 0, count: B * NH * T * T)
            Kernels.attentionForward(&out, att: &att, qkv: qkv, B: B, T: T, C: AC, NH: NH)
            return out
        } backward: { qkv, d in
            var out = [Float](repeating: 0, count: B * T * AC), att = [Float](repeating: 0, count: B * NH * T * T)
            Kernels.attentionForward(&out, att: &att, qkv: qkv, B: B, T: T, C: AC, NH: NH)
            var dqkv = [Float](repeating: 0, count: qkv.count), datt = att
            Kernels.attentionBackward(dqkv: &dqkv, datt: &datt, dout: d, qkv: qkv, att: att, B: B, T: T, C: AC, NH: NH)
            return dqkv
        }
        let W = random(5 * C), matmulBias = random(5), matmulInput = random(N * C)
        func matmul(_ x: [Float], _ w: [Float], _ b: [Float]) -> [Float] {
            var out = [Float](repeating: 0, count: N * 5)
            Kernels.matmulForward(&out, input: x, weight: w, bias: b, N: N, C: C, OC: 5)
            return out
        }
        func matmulGradients(_ x: [Float], _ w: [Float], _ d: [Float]) -> (dx: [Float], dw: [Float], db: [Float]) {
            var dx = [Float](repeating: 0, count: N * C), dw = [Float](repeating: 0, count: 5 * C), db = [Float](repeating: 0, count: 5)
            Kernels.matmulBackward(dinput: &dx, dweight: &dw, dbias: &db, dout: d, input: x, weight: w, N: N, C: C, OC: 5)
            return (dx, dw, db)
        }
        check("matmul input", input: matmulInput) { matmul($0, W, matmulBias) } backward: { matmulGradients($0, W, $1).dx }
        check("matmul weight", input: W) { matmul(matmulInput, $0, matmulBias) } backward: { matmulGradients(matmulInput, $0, $1).dw }
        check("matmul bias", input: matmulBias) { matmul(matmulInput, W, $0) } backward: { matmulGradients(matmulInput, W, $1).db }
    }

    /// Attention attends only backwards: changing a later token leaves earlier outputs unchanged.
    @Test func attentionIsCausal() throws {
        let model = try TransformerModel(configuration: Self.tiny, seed: 1, scale: 0.3)
        let workspace = try TransformerWorkspace(configuration: Self.tiny, batch: 1, length: 5)
        var none: RandomStream? = nil
        workspace.forward(model, tokens: [1, 2, 3, 4, 5], targets: [1, 1, 1, 1, 1], dropout: &none)
        let before = (0..<4).map { workspace.probabilities(b: 0, t: $0) }
        workspace.forward(model, tokens: [1, 2, 3, 4, 6], targets: [1, 1, 1, 1, 1], dropout: &none)
        #expect((0..<4).map { workspace.probabilities(b: 0, t: $0) } == before)
        #expect(workspace.probabilities(b: 0, t: 4) != before[3])
    }
}

@Suite("Thread-count independence")
struct ThreadIndependenceTests {
    /// Matmuls split output rows across threads; the result must be bit-identical to one sgemm.
    @Test func splitMatmulsEqualOneCall() {
        var stream = RandomStream(seed: 31)
        let N = 96, C = 128, OC = 384   // large enough to take the parallel path
        let input = (0..<(N * C)).map { _ in Float(stream.nextNormal()) }
        let weight = (0..<(OC * C)).map { _ in Float(stream.nextNormal()) }
        let dout = (0..<(N * OC)).map { _ in Float(stream.nextNormal()) }
        BLAS.setThreadCount(1)
        var split = [Float](repeating: 0, count: N * OC), whole = split
        Kernels.matmulForward(&split, input: input, weight: weight, bias: nil, N: N, C: C, OC: OC)
        BLAS.sgemm(transposeB: true, m: N, n: OC, k: C, a: input, lda: C, b: weight, ldb: C, c: &whole, ldc: OC)
        #expect(split == whole)
        var dInputSplit = [Float](repeating: 0, count: N * C), dWeightSplit = [Float](repeating: 0, count: OC * C)
        Kernels.matmulBackward(dinput: &dInputSplit, dweight: &dWeightSplit, dbias: nil, dout: dout, input: input, weight: weight, N: N, C: C, OC: OC)
        var dInputWhole = [Float](repeating: 0, count: N * C), dWeightWhole = [Float](repeating: 0, count: OC * C)
        BLAS.sgemm(m: N, n: C, k: OC, a: dout, lda: OC, b: weight, ldb: C, beta: 1, c: &dInputWhole, ldc: C)
        BLAS.sgemm(transposeA: true, m: OC, n: C, k: N, a: dout, lda: OC, b: input, ldb: C, beta: 1, c: &dWeightWhole, ldc: C)
        #expect(dInputSplit == dInputWhole)
        #expect(dWeightSplit == dWeightWhole)
    }
}
