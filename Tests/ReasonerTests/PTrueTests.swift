import Foundation
import Testing
@testable import SafetyKitNumerics
@testable import SafetyKitReasoner

@Suite("P(True): a confidence the model states")
struct PTrueTests {
    static let configuration = ModelConfiguration(vocabularySize: PTrue.vocabulary.count, contextLength: 32, width: 16, depth: 1, heads: 2)
    static let v = PTrue.vocabulary

    static func answers(_ count: Int, rightShare: Double, seed: UInt64) throws -> [StatedConfidence.LabelledAnswer] {
        var stream = RandomStream(seed: seed)
        return try (0..<count).map { _ in
            let a = stream.nextIndex(below: 10), b = stream.nextIndex(below: 10)
            return StatedConfidence.LabelledAnswer(prompt: try v.encode("Input: \(a) + \(b)"), completion: try v.encode("Target: \((a + b) % 10)"),
                                        right: stream.nextUniform() < rightShare)
        }
    }

    /// P(True) is p(yes)/(p(yes) + p(no)) after the question, whatever the batch: checked against the
    /// scorer's log-probabilities of the two answers.
    @Test func pTrueIsYesAgainstNoAfterTheQuestion() throws {
        let model = try TransformerModel(configuration: Self.configuration, seed: 3, scale: 0.5)
        let answers = try Self.answers(7, rightShare: 0.5, seed: 1)
        let p = try PTrue.probabilities(model, prompts: answers.map(\.prompt), completions: answers.map(\.completion), vocabulary: Self.v)
        let small = try PTrue.probabilities(model, prompts: answers.map(\.prompt), completions: answers.map(\.completion), vocabulary: Self.v, batchSize: 3)
        #expect(p == small)
        for (i, a) in answers.enumerated() {
            let yes = try CompletionScorer.tokenLogProbabilities(model, [PTrue.example(prompt: a.prompt, completion: a.completion, right: true, vocabulary: Self.v)])[0]
            let no = try CompletionScorer.tokenLogProbabilities(model, [PTrue.example(prompt: a.prompt, completion: a.completion, right: false, vocabulary: Self.v)])[0]
            #expect(yes.count == 1 && no.count == 1)             // only the answer to the question is scored
            let expected = exp(Double(yes[0])) / (exp(Double(yes[0])) + exp(Double(no[0])))
            #expect(abs(p[i] - expected) < 1e-5, "\(p[i]) vs \(expected)")
        }
        // The question needs its tokens: a model of the standard vocabulary has none.
        let standard = try TransformerModel(configuration: ModelConfiguration(vocabularySize: Vocabulary.standard.count, contextLength: 32,
                                                                              width: 16, depth: 1, heads: 2), seed: 3)
        #expect(throws: ReasonerError.self) {
            _ = try PTrue.probabilities(standard, prompts: [answers[0].prompt], completions: [answers[0].completion], vocabulary: Self.v)
        }
    }

    /// With labels unrelated to the answers, the proper-scoring-rule minimiser is the base rate:
    /// a standard-vocabulary model (extended by `train`) learns P(True) ≈ 0.3 for 30% right.
    @Test func trainingOnUninformativeLabelsLearnsTheBaseRate() throws {
        var c = Self.configuration
        c.vocabularySize = Vocabulary.standard.count
        let model = try TransformerModel(configuration: c, seed: 2)
        let answers = try Self.answers(400, rightShare: 0.3, seed: 2)
        let trained = try PTrue.train(model, answers: answers, steps: 300, batchSize: 32, learningRate: 3e-3, seed: 5)
        #expect(trained.configuration.vocabularySize == PTrue.vocabulary.count)
        let fresh = try Self.answers(100, rightShare: 0.3, seed: 9)
        let p = try PTrue.probabilities(trained, prompts: fresh.map(\.prompt), completions: fresh.map(\.completion), vocabulary: Self.v)
        let mean = p.reduce(0, +) / Double(p.count), share = Double(answers.filter(\.right).count) / Double(answers.count)
        #expect(abs(mean - share) < 0.05, "mean P(True) \(mean) against \(share) right")
    }
}
