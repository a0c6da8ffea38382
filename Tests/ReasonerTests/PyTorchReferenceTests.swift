import Foundation
import Testing
@testable import SafetyKitReasoner
import SafetyKitNumerics

/// The reasoner against PyTorch (float64 autograd) on the same weights, as llm.c checks itself:
/// `benchmarks/reference/make_model_reference.py` rebuilt the network from the committed
/// checkpoints (d = 128, 4 layers, learned and rotary positions, trained 300 steps) and wrote
/// what it computed. Here the Swift float32 passes must reproduce it, at shapes that reach every
/// kernel path: a 32 × 64 batch (split row blocks, chunked LayerNorm sums, every attention
/// product), the sampler's packed products at 24 rows, and both thread settings.
///
/// Tolerances, float32 against float64, about ten times the largest error measured over both
/// checkpoints and both dropout settings (in brackets): loss 3e-7 relative [2.7e-8]; logits 5e-5
/// absolute [8.4e-6]; the global and every group's gradient norm 3e-6 relative [2.8e-7];
/// gradient elements 2e-5 of their group's largest element plus 1e-4 relative [1.2e-6 of the
/// largest], so small gradients are checked too; parameters after one AdamW step 1e-6 absolute
/// [1.8e-7] (an update is about 1e-3) plus, for gradients near Adam's ε = 1e-8, the gradient's
/// tolerance carried through the step; greedy tokens equal [1,278 of 1,278] and log-probabilities
/// 5e-5 [5.4e-6].
@Suite("The model against PyTorch")
struct PyTorchReferenceTests {
    struct Fixture: Decodable {
        struct Group: Decodable {
            var norm: Double
            var indices: [Int]
            var gradients: [Double]
            var after_step: [Double]
        }
        struct Training: Decodable {
            var dropout: Bool
            var loss: Double
            var logit_rows: [Int]
            var logits: [[Double]]
            var gradient_norm: Double
            var groups: [String: Group]
        }
        struct Greedy: Decodable {
            var prompt: [Int]
            var tokens: [Int]
            var log_probabilities: [Double]
        }
        struct Checkpoint: Decodable {
            var file: String
            var rotary: Bool
            var training: [Training]
            var greedy: [Greedy]
        }
        var batch: Int
        var length: Int
        var dropout: Float
        var learning_rate: Float
        var tokens: [Int32]
        var targets: [Int32]
        var checkpoints: [Checkpoint]
    }

    static let directory = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Fixtures")
    static let fixture: Fixture = {
        let data = try! Data(contentsOf: directory.appendingPathComponent("pytorch-reference.json"))
        return try! JSONDecoder().decode(Fixture.self, from: data)
    }()

    static func tensor(_ name: String) -> ParameterLayout.Tensor {
        ParameterLayout.Tensor.allCases.first { "\($0)" == name }!
    }

    /// The script's masks: element i of layer l's branch k is kept unless
    /// ((g·2654435761 + 12345) mod 2³²) >> 16 is divisible by 10, g = (2l + k)·N·C + i.
    static func masks(_ c: ModelConfiguration, rows: Int, p: Float) -> [Float] {
        let keep = Float(1) / (1 - p), count = 2 * c.depth * rows * c.width
        return (0..<count).map { g in
            let h = ((UInt64(g) &* 2_654_435_761 &+ 12345) & 0xFFFF_FFFF) >> 16
            return h % 10 != 0 ? keep : 0
        }
    }

    /// One forward and backward pass and one AdamW step; returns the loss, logits, gradients and
    /// updated parameters.
    static func train(_ model: TransformerModel, dropout: Bool) throws -> (loss: Double, logits: [Float], gradients: [Float], stepped: [Float]) {
        let f = fixture
        var c = model.configuration
        c.dropout = dropout ? f.dropout : 0
        var m = try TransformerModel(configuration: c, parameters: model.parameters)
        let workspace = try TransformerWorkspace(configuration: c, batch: f.batch, length: f.length)
        var none: RandomStream? = nil
        let loss = dropout ? workspace.forward(m, tokens: f.tokens, targets: f.targets, dropoutMasks: masks(c, rows: f.batch * f.length, p: f.dropout))
            : workspace.forward(m, tokens: f.tokens, targets: f.targets, dropout: &none)
        workspace.backward(m)
        let logits = Array(workspace.lastLogits), gradients = workspace.gradients
        var adam = AdamW(parameterCount: m.parameterCount)
        adam.update(&m, gradients: gradients, learningRate: f.learning_rate)
        return (loss, logits, gradients, m.parameters)
    }

    @Test(arguments: [0, 1])
    func forwardBackwardAndAdamWMatchPyTorch(checkpoint index: Int) throws {
        let entry = Self.fixture.checkpoints[index]
        let model = try SafetyKitReasoner.Checkpoint.read(path: Self.directory.appendingPathComponent(entry.file).path).model
        #expect(model.configuration.rotary == entry.rotary && model.configuration.width == 128 && model.configuration.depth == 4)
        let V = model.configuration.vocabularySize
        for reference in entry.training {
            let label = "\(entry.file), dropout \(reference.dropout)"
            // A caller that left OpenBLAS multi-threaded changes nothing: the workspace makes it
            // single-threaded (its bits depend on its thread count, which CI once caught).
            BLAS.setThreadCount(2)
            let run = try Self.train(model, dropout: reference.dropout)
            // Both thread settings give the same bits (and so the same agreement).
            let serial = try Parallel.serially { try Self.train(model, dropout: reference.dropout) }
            #expect(serial.loss == run.loss && serial.logits == run.logits && serial.gradients == run.gradients && serial.stepped == run.stepped, "\(label)")

            #expect(abs(run.loss - reference.loss) <= 3e-7 * reference.loss, "\(label): loss \(run.loss) vs \(reference.loss)")
            var logitError = 0.0
            for (row, values) in zip(reference.logit_rows, reference.logits) {
                for (v, expected) in values.enumerated() { logitError = max(logitError, abs(Double(run.logits[row * V + v]) - expected)) }
            }
            #expect(logitError <= 5e-5, "\(label): logits off by \(logitError)")
            var squares = 0.0
            for g in run.gradients { squares += Double(g) * Double(g) }
            #expect(abs(squares.squareRoot() - reference.gradient_norm) <= 3e-6 * reference.gradient_norm, "\(label): gradient norm")
            for (name, group) in reference.groups {
                let tensor = Self.tensor(name), offset = model.layout.offset(tensor), size = model.layout.size(tensor)
                let gradients = run.gradients[offset..<(offset + size)]
                let norm = gradients.reduce(0.0) { $0 + Double($1) * Double($1) }.squareRoot()
                #expect(abs(norm - group.norm) <= 3e-6 * group.norm + 1e-12, "\(label): \(name) gradient norm \(norm) vs \(group.norm)")
                let largest = group.gradients.map(abs).max() ?? 0
                let clip = min(1, 1 / reference.gradient_norm), rate = Double(Self.fixture.learning_rate), eps = 1e-8
                for (k, i) in group.indices.enumerated() {
                    let g = Double(run.gradients[offset + i]), expected = group.gradients[k]
                    let gradientTolerance = 2e-5 * largest + 1e-4 * abs(expected) + 1e-12
                    #expect(abs(g - expected) <= gradientTolerance, "\(label): \(name)[\(i)] gradient \(g) vs \(expected)")
                    // Adam's first step moves a parameter by rate·g/(|g| + ε): where |g| is near ε
                    // the move is as uncertain as the gradient, d(move)/dg = rate·ε/(|g| + ε)²,
                    // so the gradient's tolerance carries over (at most the whole step, 2·rate).
                    let sensitivity = rate * eps / ((abs(expected) * clip + eps) * (abs(expected) * clip + eps)) * gradientTolerance * clip
                    let p = Double(run.stepped[offset + i])
                    #expect(abs(p - group.after_step[k]) <= 1e-6 + min(2 * rate, sensitivity), "\(label): \(name)[\(i)] after AdamW \(p) vs \(group.after_step[k]) (gradient \(expected))")
                }
            }
        }
    }

    /// Greedy decoding with the key/value cache, 24 prompts at once (the packed products' row
    /// counts) and packed or not: the same tokens as PyTorch's uncached forward, and the same
    /// log-probabilities within 5e-5.
    @Test(arguments: [0, 1])
    func greedyCompletionsMatchPyTorch(checkpoint index: Int) throws {
        let entry = Self.fixture.checkpoints[index]
        let checkpoint = try SafetyKitReasoner.Checkpoint.read(path: Self.directory.appendingPathComponent(entry.file).path)
        let eos = checkpoint.vocabulary.eos
        for packs in [true, false] {
            var sampler = Sampler(temperature: 0, maxTokens: 40)
            sampler.packsWeights = packs
            let samples = sampler.generate(checkpoint.model, prompts: entry.greedy.map(\.prompt), eos: eos, seed: 1)
            for (sample, reference) in zip(samples, entry.greedy) {
                let tokens = sample.tokens + (sample.finished ? [eos] : [])
                #expect(tokens == reference.tokens, "\(entry.file), packed \(packs): prompt \(reference.prompt)")
                let error = zip(sample.logProbabilities, reference.log_probabilities).map { abs(Double($0) - $1) }.max() ?? 0
                #expect(error <= 5e-5, "\(entry.file), packed \(packs): log-probabilities off by \(error)")
            }
        }
    }
}
