import Foundation
import Testing
@testable import SafetyKitReasoner
@testable import SafetyKitNumerics

/// PINTO: the reasoner's format and perturbations by hand, the counterfactual example, the
/// faithfulness readings, and the regularizer's effect on a tiny model.
@Suite("PINTO: faithful reasoning over rationales")
struct PINTOTests {
    let task = AdditionTask()

    @Test func theFormatAndItsPerturbationsByHand() throws {
        let p = try task.problem(parsing: "47+38")
        let lines = task.solve(p).rationale
        #expect(RationaleFormat.prompt(p, rationale: lines)
                == "Input:\n4 7 + 3 8\nRationale:\n4 7 + 3 8 , C: 0\n4 + 3 , 5 C: 1\n, 8 5 C: 0\n8 5\nTarget:\n")
        let count = lines.reduce(0) { $0 + $1.split(separator: " ").count }   // 21 tokens
        var stream = RandomStream(seed: 1)
        let masked = RationaleFormat.perturb(lines, .mask, ratio: 0.4, using: &stream)
        #expect(masked.count == lines.count && zip(masked, lines).allSatisfy { $0.split(separator: " ").count == $1.split(separator: " ").count })
        #expect(masked.joined(separator: " ").split(separator: " ").filter { $0 == "<mask>" }.count == Int((0.4 * Double(count)).rounded(.up)))
        var again = RandomStream(seed: 1)
        #expect(RationaleFormat.perturb(lines, .mask, ratio: 0.4, using: &again) == masked)
        let replaced = RationaleFormat.perturb(lines, .replace, ratio: 1, using: &stream)
        let own = Set(lines.flatMap { $0.split(separator: " ").map(String.init) })
        #expect(replaced.flatMap { $0.split(separator: " ").map(String.init) }.allSatisfy(own.contains))
        // At least one token is perturbed, however small the ratio.
        #expect(RationaleFormat.perturb(["1 2"], .mask, ratio: 0.01, using: &stream).contains { $0.contains("<mask>") })
        #expect(RationaleFormat.perturb([], .mask, ratio: 0.5, using: &stream) == [])
    }

    @Test func theCounterfactualExampleIsDistilledTowardsUniformDigits() throws {
        let pinto = PINTO(task: task, rationalizerVocabulary: .standard)
        #expect(pinto.vocabulary == Vocabulary.standard.appending(["Rationale:", "<mask>"]))
        let p = try task.problem(parsing: "47+38")
        let item = PINTO.Rationalized(problem: p, rationale: task.solve(p).rationale, answer: "8 5", confidence: 0.9)
        let clean = try pinto.example(item)
        #expect(pinto.vocabulary.decode(Array(clean.tokens[clean.promptLength...])) == "8 5 <eos>")
        var stream = RandomStream(seed: 2)
        let cf = try pinto.counterfactual(item, using: &stream)
        #expect(cf.promptLength == cf.tokens.count)                                 // nothing is cross-entropy scored
        let range = try #require(cf.distilled)
        #expect(range.count == 2 && pinto.vocabulary.decode(Array(cf.tokens[range])) == "8 5")
        let reference = try #require(cf.reference)
        let V = pinto.vocabulary.count
        #expect(reference.count == 2 * V)
        for row in 0..<2 {
            for v in 0..<V {
                let isDigit = (0...9).contains { pinto.vocabulary.id(String($0)) == v }
                #expect(abs(reference[row * V + v] - (isDigit ? 0.1 : 0)) < 1e-7)
            }
        }
        #expect(pinto.vocabulary.decode(Array(cf.tokens.prefix(range.lowerBound))).contains("<mask>"))
    }

    @Test func faithfulnessReadingsByHand() throws {
        let p = try task.problem(parsing: "47+38")
        let item = PINTO.Rationalized(problem: p, rationale: [], answer: "8 5", confidence: 1)
        var r = PINTO.Record(item: item, clean: .init(answer: "8 5", confidence: 0.9), perturbed: .init(answer: "8 5", confidence: 0.5),
                             swapped: .init(answer: "1 2", confidence: 0.4), swappedAnswer: "1 2", perturbedConfidenceInCleanAnswer: 0.5)
        #expect(r.isCorrect && !r.answerChanged && r.followsSwap && abs(r.confidenceDrop! - 0.4) < 1e-12)
        r.perturbed.answer = nil
        r.swapped.answer = "8 5"
        #expect(r.answerChanged && !r.followsSwap)
        // A swap whose rationale gives the problem's own answer cannot show following.
        r.swappedAnswer = "8 5"
        #expect(!r.followsSwap)
        r.perturbedConfidenceInCleanAnswer = nil
        #expect(r.confidenceDrop == nil)
    }

    /// The regularizer does what it says on a tiny model: after perturbed rationales its answer
    /// distribution is nearer the uniform guess over the digits than the plain reasoner's, which
    /// saw the same clean examples.
    @Test func theRegularizerFlattensAnswersAfterPerturbedRationales() throws {
        let vocabulary = Vocabulary.standard
        let rationalizer = try TransformerModel(configuration: ModelConfiguration(vocabularySize: vocabulary.count, contextLength: 64, width: 16, depth: 1, heads: 2), seed: 3)
        let problems = Evaluation.problems(task: task, difficulties: [1], count: 20, seed: 5)
        // Gold rationales stand in for the rationalizer's: the test is about the reasoner.
        let data = problems.map { PINTO.Rationalized(problem: $0, rationale: task.solve($0).rationale, answer: $0.answer, confidence: 1) }
        var pinto = PINTO(task: task, rationalizerVocabulary: vocabulary)
        pinto.steps = 60
        pinto.batchSize = 8
        pinto.learningRate = 3e-3
        pinto.counterfactualWeight = 5
        let start = try rationalizer.extendingVocabulary(by: 2, seed: 1)
        let regularized = try pinto.train(start, on: data, seed: 1)
        var plain = pinto
        plain.counterfactualWeight = 0
        let unregularized = try plain.train(start, on: data, seed: 1)
        var stream = RandomStream(seed: 9)
        let probes = try data.map { try pinto.counterfactual($0, using: &stream) }
        /// Mean KL(uniform ‖ model) over the probes' answer tokens.
        func distance(_ model: TransformerModel) throws -> Double {
            let ws = try TransformerWorkspace.fitting(probes, configuration: model.configuration, reusing: nil)
            let (tokens, targets) = TrainingExample.batch(probes, length: ws.T, pad: vocabulary.pad)
            var none: RandomStream? = nil
            ws.forward(model, tokens: tokens, targets: targets, dropout: &none)
            let V = model.configuration.vocabularySize, probabilities = ws.lastProbabilities
            var total = 0.0, n = 0
            for (b, probe) in probes.enumerated() {
                for j in probe.distilled! {
                    let row = (b * ws.T + j - 1) * V
                    for d in 0...9 { total += 0.1 * (log(0.1) - log(Double(probabilities[row + vocabulary.id(String(d))!]))) }
                    n += 1
                }
            }
            return total / Double(n)
        }
        // Measured: 0.083 against 0.80 nats.
        #expect(try distance(regularized) < 0.25 * distance(unregularized))
        #expect(regularized.parameters != start.parameters)
    }

    /// Held-out readings: swaps pair problems of one difficulty, never a problem with itself.
    @Test func swapsStayWithinADifficulty() throws {
        let vocabulary = Vocabulary.standard
        let model = try TransformerModel(configuration: ModelConfiguration(vocabularySize: vocabulary.count + 2, contextLength: 64, width: 8, depth: 1, heads: 1), seed: 1)
        let problems = Evaluation.problems(task: task, difficulties: [1, 2], count: 3, seed: 5)
        let items = problems.map { PINTO.Rationalized(problem: $0, rationale: task.solve($0).rationale, answer: $0.answer, confidence: 1) }
        let records = try PINTO(task: task, rationalizerVocabulary: vocabulary).evaluate(model, on: items, seed: 1)
        #expect(records.count == 6 && records.map(\.item) == items)
        for r in records {
            let partner = try #require(items.first { $0.answer == r.swappedAnswer && $0.problem.difficulty == r.item.problem.difficulty })
            #expect(partner.problem.difficulty == r.item.problem.difficulty)
        }
        #expect(Set(records.map(\.swappedAnswer)).count > 1)
    }

    /// `selfimprove --method pinto` on scripted rationales: a clean example reading the model's
    /// rationale (distilled) before the gold answer, and a counterfactual one; a malformed
    /// completion gives neither.
    @Test func theMethodReadsItsOwnRationales() throws {
        let good = try task.problem(parsing: "12+34"), bad = try task.problem(parsing: "47+38")
        let vocabulary = Vocabulary.standard.appending(PINTOMethod().addedTokens)
        let model = try TransformerModel(configuration: ModelConfiguration(vocabularySize: vocabulary.count, contextLength: 64, width: 8, depth: 1, heads: 1), seed: 1)
        var context = IterationContext(iteration: 1, model: model, task: task, pool: [good, bad], vocabulary: vocabulary, seed: 1)
        let wrongAnswer = task.target(good).replacingOccurrences(of: "</scratch>\n4 6", with: "</scratch>\n4 7")
        context.script = { problems, _, _, _ in problems.map { $0 == good ? [Attempt(completion: wrongAnswer, task: self.task)] : [Attempt(completion: "4 7", task: self.task)] } }
        let data = try PINTOMethod().collect(context)
        #expect(data.examples.count == 2 && data.distillation == 1)
        let clean = data.examples[0], counterfactual = data.examples[1]
        #expect(clean.distilledPrefix == "<scratch>\n" + task.solve(good).rationale.joined(separator: "\n") + "\n</scratch>")
        #expect(clean.completion == "\n4 6" && !clean.counterfactual)
        #expect(counterfactual.counterfactual && counterfactual.completion.hasSuffix("</scratch>\n4 6") && counterfactual.completion.contains("<mask>"))
        #expect(data.notes.map(\.1) == ["1", "0"])
        // The clean example: the rationale distilled, then "\n", the gold answer and <eos> scored.
        let example = try TrainingExample(task: task, problem: good, vocabulary: vocabulary, completion: clean.completion, distilledPrefix: clean.distilledPrefix)
        #expect(vocabulary.decode(Array(example.tokens[example.promptLength...])) == "\n4 6 <eos>")
        #expect(example.distilled!.count == (try vocabulary.encode(clean.distilledPrefix!)).count)
    }

    /// A uniform guess keeps its reference when references are attached from a model.
    @Test func aUniformGuessKeepsItsReference() throws {
        let vocabulary = Vocabulary.standard
        let example = TrainingExample.uniformGuess(reading: try vocabulary.encode("Input:\n1 + 2\nTarget:\n"), answer: [vocabulary.id("3")!], vocabulary: vocabulary)
        #expect(example.promptLength == example.tokens.count && example.distilled == (example.tokens.count - 2)..<(example.tokens.count - 1))
        #expect(abs(example.reference!.reduce(0, +) - 1) < 1e-6)
        let model = try TransformerModel(configuration: ModelConfiguration(vocabularySize: vocabulary.count, contextLength: 32, width: 8, depth: 1, heads: 1), seed: 1)
        #expect(try TrainingExample.attachingReferences([example], from: model, pad: vocabulary.pad) == [example])
    }
}
