import Foundation
import Testing
@testable import SafetyKitReasoner
@testable import SafetyKitNumerics

/// The sampler's packed products: against a plain loop with the stated rounding, against
/// OpenBLAS where they claim its bits, and whole generations with and without packing.
@Suite("Packed products")
struct PackedMatrixTests {
    static func draw(_ count: Int, seed: UInt64) -> [Float] {
        var stream = RandomStream(seed: seed)
        return (0..<count).map { _ in Float(stream.nextUniform() * 2 - 1) }
    }

    /// Each output as a scalar fused multiply-add chain per inner block, blocks added from +0.
    static func reference(_ x: [Float], _ w: [Float], bias: [Float]?, rows: Int, outputs: Int, inputs: Int) -> [Float] {
        var out = [Float](repeating: 0, count: rows * outputs)
        for r in 0..<rows {
            for o in 0..<outputs {
                var total: Float = 0
                for block in PackedMatrix.innerBlocks(inputs) {
                    var chain: Float = 0
                    for k in block { chain = chain.addingProduct(x[r * inputs + k], w[o * inputs + k]) }
                    total += chain
                }
                out[r * outputs + o] = bias.map { total + $0[o] } ?? total
            }
        }
        return out
    }

    @Test func innerBlocksFollowOpenBLASSplit() {
        #expect(PackedMatrix.innerBlocks(128) == [0..<128])
        #expect(PackedMatrix.innerBlocks(320) == [0..<320])
        #expect(PackedMatrix.innerBlocks(512) == [0..<256, 256..<512])
        #expect(PackedMatrix.innerBlocks(370) == [0..<192, 192..<370])
        #expect(PackedMatrix.innerBlocks(1000) == [0..<320, 320..<640, 640..<832, 832..<1000])
    }

    /// Large products split into two row blocks whatever the machine's core count; the block's
    /// row count decides sgemm's path, and so the rounding.
    @Test func rowBlocksAreFixed() {
        #expect(Kernels.rowBlockRanges(32, work: 32 * 128 * 384) == [0..<16, 16..<32])
        #expect(Kernels.rowBlockRanges(7, work: 1 << 18) == [0..<3, 3..<7])
        #expect(Kernels.rowBlockRanges(1, work: 1 << 20) == [0..<1])
        #expect(Kernels.rowBlockRanges(32, work: (1 << 18) - 1) == [0..<32])
    }

    @Test(arguments: [(24, 128), (128, 128), (384, 128), (37, 70), (128, 512), (40, 1000)])
    func productEqualsThePlainLoop(outputs: Int, inputs: Int) {
        let w = Self.draw(outputs * inputs, seed: 1), bias = Self.draw(outputs, seed: 2)
        let packed = w.withUnsafeBufferPointer { PackedMatrix($0.baseAddress!, outputs: outputs, inputs: inputs) }
        for rows in [1, 2, 5, 6, 7, 13, 32] {
            let x = Self.draw(rows * inputs, seed: UInt64(rows))
            for b in [nil, bias] {
                var out = [Float](repeating: .nan, count: rows * outputs)
                x.withUnsafeBufferPointer { xb in
                    if let b { b.withUnsafeBufferPointer { packed.multiply(xb.baseAddress!, rows: rows, bias: $0.baseAddress!, into: &out) } }
                    else { packed.multiply(xb.baseAddress!, rows: rows, bias: nil, into: &out) }
                }
                let expected = Self.reference(x, w, bias: b, rows: rows, outputs: outputs, inputs: inputs)
                #expect(out.map(\.bitPattern) == expected.map(\.bitPattern), "\(rows) rows, bias \(b != nil)")
            }
        }
    }

    /// Where the check says the packed product reproduces sgemm, it does on the model's own
    /// weights too; on OpenBLAS's Cooperlake/SkylakeX kernels it must hold for the default
    /// model's larger products at a full group of 32 rows, or the sampler gains nothing.
    @Test func verdictsHoldOnModelWeights() throws {
        let c = ModelConfiguration(vocabularySize: Vocabulary.standard.count, contextLength: 64)
        let model = try TransformerModel(configuration: c, seed: 3)
        let layout = ParameterLayout(c)
        for (tensor, outputs, inputs) in [(ParameterLayout.Tensor.qkvw, 3 * c.width, c.width), (.fcprojw, c.width, c.hidden), (.wte, c.vocabularySize, c.width)] {
            let verdicts = PackedMatrix.rowsMatchingOpenBLAS(outputs: outputs, inputs: inputs, upTo: 32)
            if ["Cooperlake", "SkylakeX"].contains(BLAS.coreName) && tensor != .wte { #expect(verdicts[31], "\(tensor) at 32 rows") }
            model.parameters.withUnsafeBufferPointer { pb in
                let w = pb.baseAddress! + layout.offset(tensor)
                let packed = PackedMatrix(w, outputs: outputs, inputs: inputs)
                for rows in 1...32 where verdicts[rows - 1] {
                    let x = Self.draw(rows * inputs, seed: UInt64(100 + rows))
                    var mine = [Float](repeating: 0, count: rows * outputs), theirs = mine
                    x.withUnsafeBufferPointer { xb in
                        packed.multiply(xb.baseAddress!, rows: rows, bias: nil, into: &mine)
                        BLAS.sgemm(transposeB: true, m: rows, n: outputs, k: inputs, a: xb.baseAddress!, lda: inputs, b: w, ldb: inputs, beta: 0, c: &theirs, ldc: outputs)
                    }
                    #expect(mine.map(\.bitPattern) == theirs.map(\.bitPattern), "\(tensor) at \(rows) rows")
                }
            }
        }
    }

    /// Samples, log-probabilities and entropies are the same bits with packed weights as with
    /// sgemm everywhere, at batch sizes that leave full and partial groups of 32.
    @Test func generationsAreIdenticalWithAndWithoutPacking() throws {
        let c = ModelConfiguration(vocabularySize: Vocabulary.standard.count, contextLength: 64)
        let model = try TransformerModel(configuration: c, seed: 4)
        var stream = RandomStream(seed: 5)
        for batch in [1, 5, 37, 70] {
            let prompts = (0..<batch).map { _ in (0..<(1 + stream.nextIndex(below: 6))).map { _ in 2 + stream.nextIndex(below: 20) } }
            var packed = Sampler(temperature: 1, maxTokens: 24), plain = packed
            plain.packsWeights = false
            let a = packed.generate(model, prompts: prompts, eos: Vocabulary.standard.eos, seed: 6)
            let b = plain.generate(model, prompts: prompts, eos: Vocabulary.standard.eos, seed: 6)
            for (x, y) in zip(a, b) {
                #expect(x.tokens == y.tokens, "batch \(batch)")
                #expect(x.logProbabilities.map(\.bitPattern) == y.logProbabilities.map(\.bitPattern), "batch \(batch)")
                #expect(x.entropies.map(\.bitPattern) == y.entropies.map(\.bitPattern), "batch \(batch)")
            }
            _ = packed.packsWeights
        }
    }
}
