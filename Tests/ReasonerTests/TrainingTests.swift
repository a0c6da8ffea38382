import Foundation
import Testing
@testable import SafetyKitReasoner
@testable import SafetyKitNumerics

@Suite("Training and sampling")
struct TrainingTests {
    static let small = ModelConfiguration(vocabularySize: Vocabulary.standard.count, contextLength: 64, width: 32, depth: 2, heads: 2)

    static func examples(_ n: Int, seed: UInt64) throws -> [TrainingExample] {
        var stream = RandomStream(seed: seed)
        let task = AdditionTask()
        return try (0..<n).map { _ in try TrainingExample(task: task, problem: task.problem(difficulty: 1, using: &stream), vocabulary: .standard) }
    }

    @Test func aTinyBatchIsOverfitToNearZeroLoss() throws {
        let batch = try Self.examples(4, seed: 1)
        let trainer = SupervisedTrainer(model: try TransformerModel(configuration: Self.small, seed: 1),
                                        schedule: LearningRateSchedule(peak: 3e-3, warmupSteps: 10, totalSteps: 300), batchSize: 4)
        var none: RandomStream? = nil
        var first = 0.0, last = 0.0
        for step in 0..<300 {
            let report = try trainer.step(batch, dropout: &none)
            if step == 0 { first = report.loss }
            last = report.loss
        }
        #expect(first > 2)
        #expect(last < 0.02, "loss \(first) -> \(last)")
    }

    @Test(arguments: [false, true])
    func cachedSamplingEqualsFullRecomputation(rotary: Bool) throws {
        var configuration = Self.small
        configuration.rotary = rotary
        let model = try TransformerModel(configuration: configuration, seed: 2, scale: 0.3)
        let task = AdditionTask()
        let prompts = try ["12+34", "5+7", "99+1"].map { try Vocabulary.standard.encode(task.prompt(try task.problem(parsing: $0))) }
        let samples = Sampler(temperature: 1, maxTokens: 20).generate(model, prompts: prompts, eos: Vocabulary.standard.eos, seed: 3)
        for (prompt, sample) in zip(prompts, samples) {
            // Score the sampled completion with the full (uncached) forward pass.
            let tokens = prompt + sample.tokens + (sample.finished ? [Vocabulary.standard.eos] : [])
            let full = try CompletionScorer.tokenLogProbabilities(model, [TrainingExample(tokens: tokens, promptLength: prompt.count)])[0]
            #expect(full.count == sample.logProbabilities.count)
            for (a, b) in zip(full, sample.logProbabilities) { #expect(abs(a - b) < 1e-4, "\(a) vs \(b)") }
        }
        // Sampling is seeded: the same seed gives the same samples.
        #expect(Sampler(temperature: 1, maxTokens: 20).generate(model, prompts: prompts, eos: Vocabulary.standard.eos, seed: 3) == samples)
    }

    @Test func cachedSamplingSplitIntoGroupsMatchesFullRecomputation() throws {
        // More prompts than one group holds, of different lengths, so that groups run in
        // parallel and sequences finish at different steps.
        let model = try TransformerModel(configuration: Self.small, seed: 4, scale: 0.3)
        let task = AdditionTask()
        var stream = RandomStream(seed: 9)
        let prompts = try (0..<(Sampler.groupSize + 7)).map { i in
            try Vocabulary.standard.encode(task.prompt(task.problem(difficulty: 1 + i % 3, using: &stream)))
        }
        let samples = Sampler(temperature: 1, maxTokens: 12).generate(model, prompts: prompts, eos: Vocabulary.standard.eos, seed: 5)
        let examples = zip(prompts, samples).map { prompt, sample in
            TrainingExample(tokens: prompt + sample.tokens + (sample.finished ? [Vocabulary.standard.eos] : []), promptLength: prompt.count)
        }
        let full = try CompletionScorer.tokenLogProbabilities(model, examples)
        for (f, sample) in zip(full, samples) {
            #expect(f.count == sample.logProbabilities.count)
            for (a, b) in zip(f, sample.logProbabilities) { #expect(abs(a - b) < 1e-4) }
        }
    }

    @Test func theSameSeedGivesTheSameWeights() throws {
        func train() throws -> [Float] {
            let trainer = SupervisedTrainer(model: try TransformerModel(configuration: Self.small, seed: 5),
                                            schedule: LearningRateSchedule(peak: 1e-3, warmupSteps: 5, totalSteps: 20), batchSize: 8)
            var none: RandomStream? = nil
            for step in 0..<20 { _ = try trainer.step(try Self.examples(8, seed: UInt64(step)), dropout: &none) }
            return trainer.model.parameters
        }
        #expect(try train() == train())
        #expect(try TransformerModel(configuration: Self.small, seed: 5).parameters != TransformerModel(configuration: Self.small, seed: 6).parameters)
    }

    @Test func greedySamplingAndTopKPickTheLikelyToken() {
        var stream = RandomStream(seed: 1)
        let z: [Float] = [0.1, 3, 0.2, 2.9]
        #expect(Sampler(temperature: 0).choose(z, stream: &stream) == 1)
        for _ in 0..<50 { #expect([1, 3].contains(Sampler(temperature: 1, topK: 2).choose(z, stream: &stream))) }
        for _ in 0..<50 { #expect(Sampler(temperature: 1, topP: 0.01).choose(z, stream: &stream) == 1) }
        #expect(abs(Sampler.logSoftmax([0, 0], at: 1) - log(0.5)) < 1e-6)
        // Entropy: log 4 for four equal logits; −Σ p log p for unequal ones.
        let uniform: [Float] = [2, 2, 2, 2], skewed: [Float] = [0, 1, 3]
        #expect(abs(uniform.withUnsafeBufferPointer { Sampler.logSoftmaxAndEntropy($0, at: 0).1 } - log(4)) < 1e-6)
        let p = skewed.map { exp(Double($0)) }, total = p.reduce(0, +)
        let entropy = -p.reduce(0.0) { $0 + $1 / total * log($1 / total) }
        #expect(abs(Double(skewed.withUnsafeBufferPointer { Sampler.logSoftmaxAndEntropy($0, at: 2).1 }) - entropy) < 1e-6)
    }

    @Test func confidencesAreLengthNormalisedAndAnswerOnly() {
        // Five generated tokens: three of rationale, one answer token, then <eos>.
        let logs: [Float] = [log(0.5), log(0.5), log(0.5), log(0.8), log(0.9)]
        let c = CompletionScorer.confidences(logs, answerTokens: 1)
        #expect(abs(c.sequence - pow(0.5 * 0.5 * 0.5 * 0.8 * 0.9, 1.0 / 5)) < 1e-6)
        #expect(abs(c.answer - 0.8 * 0.9) < 1e-6)
        #expect(CompletionScorer.confidences([], answerTokens: 1) == (0, 0))
    }

    @Test func scheduleWarmsUpThenDecays() {
        let s = LearningRateSchedule(peak: 1, warmupSteps: 10, totalSteps: 110)
        #expect(s.rate(at: 0) == 0.1 && s.rate(at: 9) == 1)
        #expect(abs(s.rate(at: 60) - 0.55) < 1e-6)
        #expect(abs(s.rate(at: 110) - 0.1) < 1e-6)
    }
}
