import Foundation
import Testing
@testable import SafetyKitNumerics
@testable import SafetyKitReasoner

@Suite("Stated confidence: the verbalized line, its targets and RLCR's reward")
struct StatedConfidenceTests {
    static let task = AdditionTask()
    static let v = StatedConfidence.vocabulary

    /// Every form of the last line: absent, a decile, and each malformed one, which is counted as
    /// missing and never changes how the answer is judged.
    @Test func everyMalformedLineIsMissingAndTheAnswerIsStillJudged() throws {
        let problem = try Self.task.problem(parsing: "15+17")
        let gold = Self.task.target(problem)
        let cases: [(String, VerbalizedConfidence.Statement)] = [
            ("", .absent), ("\nConfidence: 0", .decile(0)), ("\nConfidence: 7", .decile(7)), ("\nConfidence: 10", .decile(10)),
            ("\nConfidence: 7\n", .decile(7)),
            ("\nConfidence:", .malformed), ("\nConfidence: 11", .malformed), ("\nConfidence: -1", .malformed),
            ("\nConfidence: 07", .malformed), ("\nConfidence: 7 8", .malformed), ("\nConfidence: x", .malformed),
            ("\nConfidence: 0.7", .malformed), ("\nConfidence: 3 +", .malformed),
        ]
        for (suffix, expected) in cases {
            let completion = gold + suffix
            let (body, statement) = VerbalizedConfidence.split(completion)
            #expect(statement == expected, "\(suffix.debugDescription)")
            #expect(body == gold, "\(suffix.debugDescription)")
            #expect(Self.task.isCorrect(completion, for: problem), "\(suffix.debugDescription)")
            #expect(Attempt(completion: completion, task: Self.task).statement == expected)
        }
        #expect(VerbalizedConfidence.Statement.decile(7).probability == 0.7)
        #expect(VerbalizedConfidence.Statement.malformed.probability == nil && VerbalizedConfidence.Statement.absent.probability == nil)
        // The marker anywhere but on the last line leaves a body the task rejects.
        #expect(!Self.task.isCorrect("Confidence: 7\n" + gold, for: problem))
        #expect(VerbalizedConfidence.line(0.66) == "Confidence: 7" && VerbalizedConfidence.decile(0.05) == 1 && VerbalizedConfidence.decile(1.4) == 10)
    }

    /// The decision line: every form, the answer still judged and the confidence line read
    /// beneath it; P(True)'s question drops both lines.
    @Test func decisionLinesAreReadAndTakenOff() throws {
        let problem = try Self.task.problem(parsing: "15+17")
        let gold = Self.task.target(problem)
        let cases: [(String, DecisionLine.Statement, VerbalizedConfidence.Statement)] = [
            ("\nConfidence: 7\nDecision: wait", .action(.wait), .decile(7)), ("\nConfidence: 7\nDecision: act", .action(.act), .decile(7)),
            ("\nDecision: off", .action(.off), .absent), ("\nConfidence: 3\nDecision:", .malformed, .decile(3)),
            ("\nConfidence: 3\nDecision: maybe", .malformed, .decile(3)), ("\nConfidence: 3\nDecision: act wait", .malformed, .decile(3)),
            ("\nConfidence: 3", .absent, .decile(3)), ("", .absent, .absent),
        ]
        for (suffix, decision, confidence) in cases {
            let attempt = Attempt(completion: gold + suffix, task: Self.task)
            #expect(attempt.decision == decision && attempt.statement == confidence, "\(suffix.debugDescription)")
            #expect(Self.task.isCorrect(gold + suffix, for: problem), "\(suffix.debugDescription)")
            #expect(DecisionLine.answerPart(gold + suffix) == gold)
        }
        // A decision line above the confidence line is not the last line: the answer is then malformed.
        #expect(!Self.task.isCorrect(gold + "\nDecision: act\nConfidence: 7", for: problem))
        let v = StatedConfidence.decisionVocabulary
        let prompt = try v.encode("Input:\n1 + 2\nTarget:\n"), body = try v.encode("<scratch>\n3\n</scratch>\n3")
        let both = try v.encode("\nConfidence: 9\nDecision: act")
        #expect(PTrue.question(prompt: prompt, completion: body + both + [v.eos], vocabulary: v) == prompt + body + [v.id("\n")!, v.id("Right?")!])
        #expect(StatedConfidence.hasDecision(v) && !StatedConfidence.hasDecision(StatedConfidence.vocabulary))
    }

    /// The sequence and answer confidences of a completion with a confidence line are those of its
    /// body, ending at the line break instead of <eos>.
    @Test func tokenConfidencesReadTheBodyOnly() throws {
        let body = "<scratch>\n5\n</scratch>\n1 2"              // 8 tokens
        let logs: [Float] = [-0.1, -0.2, -0.1, -0.3, -0.1, -0.4, -0.5, -0.6, -0.7, -2, -3, -0.05]
        let with = Attempt(completion: body + "\nConfidence: 7", task: Self.task, logProbabilities: logs)
        #expect(with.bodyTokenCount == 8 && with.answerTokenCount == 2)
        let plain = Attempt(completion: body, task: Self.task, logProbabilities: Array(logs.prefix(9)))
        #expect(abs(with.answerConfidence - exp(-0.6 - 0.5 - 0.7)) < 1e-6)   // "1", "2" and the line break
        #expect(with.answerConfidence == plain.answerConfidence && with.sequenceConfidence == plain.sequenceConfidence)
    }

    /// P(True)'s question is asked of the answer without its confidence line.
    @Test func pTrueAsksOfTheAnswerAlone() throws {
        let prompt = try Self.v.encode("Input:\n1 + 2\nTarget:\n")
        let body = try Self.v.encode("<scratch>\n3\n</scratch>\n3")
        let line = try Self.v.encode("\nConfidence: 9")
        let question = PTrue.question(prompt: prompt, completion: body + line + [Self.v.eos], vocabulary: Self.v)
        #expect(question == prompt + body + [Self.v.id("\n")!, Self.v.id("Right?")!])
        #expect(PTrue.question(prompt: prompt, completion: body + [Self.v.eos], vocabulary: Self.v) == question)
    }

    /// CalibratedMath's targets: each class's share right, rounded to a decile; addition's classes
    /// are digits and carries.
    @Test func targetsAreEachKindsAccuracy() throws {
        let answers = [("a", true), ("a", false), ("a", false), ("b", true), ("b", true), ("b", true), ("b", false), ("c", false)]
        #expect(StatedConfidence.targets(answers.map { (kind: $0.0, right: $0.1) }) == ["a": 3, "b": 8, "c": 0])
        #expect(Self.task.confidenceClass(of: try Self.task.problem(parsing: "12+34")) == "d2 c0")
        #expect(Self.task.confidenceClass(of: try Self.task.problem(parsing: "15+17")) == "d2 c1")
        #expect(Self.task.confidenceClass(of: try Self.task.problem(parsing: "95+17")) == "d2 c2")
        #expect(Self.task.confidenceClass(of: try Self.task.problem(parsing: "999+1")) == "d3 c3")
        #expect(ModularChainTask().confidenceClass(of: Problem(text: "", answer: "", difficulty: 3, key: "")) == "d3")
    }

    /// RLCR: 1[right] − (q − 1[right])², by hand; a missing line costs the worst Brier term.
    @Test func rlcrRewardIsCorrectnessPlusBrier() throws {
        let problem = try Self.task.problem(parsing: "15+17")
        let right = Self.task.target(problem), wrong = right.replacingOccurrences(of: "\n3 2", with: "\n3 3")
        func reward(_ completion: String) -> Double { PolicyReward.rlcr.value(Attempt(completion: completion, task: Self.task), problem: problem, task: Self.task) }
        #expect(abs(reward(right + "\nConfidence: 7") - (1 - 0.09)) < 1e-12)
        #expect(abs(reward(wrong + "\nConfidence: 7") - (0 - 0.49)) < 1e-12)
        #expect(reward(right + "\nConfidence: 10") == 1 && reward(wrong + "\nConfidence: 0") == 0)
        #expect(reward(right) == 0 && reward(wrong + "\nConfidence: 12") == -1)
        #expect(PolicyReward.binary.value(Attempt(completion: right + "\nConfidence: 2", task: Self.task), problem: problem, task: Self.task) == 1)
        #expect(PolicyReward.rlcr.needsVerbalizedConfidence && !PolicyReward.binary.needsVerbalizedConfidence)
    }

    /// The game and success rewards of a decision, by hand, against a rational human (who lets
    /// right answers through and stops wrong ones): wrong answers cost 1, waiting 0.05.
    @Test func decisionRewardsByHand() throws {
        let problem = try Self.task.problem(parsing: "15+17")
        let right = Self.task.target(problem), wrong = right.replacingOccurrences(of: "\n3 2", with: "\n3 3")
        let environment = DecisionEnvironment(wrongCost: 1, waitCost: 0.05) { $0 > 0 ? 1 : 0 }
        func reward(_ kind: PolicyReward, _ answer: String, _ decision: String?) -> Double {
            let text = answer + "\nConfidence: 5" + (decision.map { "\nDecision: " + $0 } ?? "")
            return kind.value(Attempt(completion: text, task: Self.task), problem: problem, task: Self.task, environment: environment)
        }
        let game: [(String, String?, Double)] = [(right, "act", 1), (wrong, "act", -1), (right, "wait", 1), (wrong, "wait", 0),
                                                 (right, "off", 0), (wrong, "off", 0), (wrong, nil, -1), (right, "dunno", 1)]
        for (answer, decision, expected) in game { #expect(reward(.game, answer, decision) == expected, "\(decision ?? "none")") }
        let success: [(String, String?, Double)] = [(right, "act", 1), (wrong, "act", 0), (right, "wait", 0.95), (wrong, "wait", -0.05),
                                                    (right, "off", 0), (wrong, nil, 0)]
        for (answer, decision, expected) in success { #expect(abs(reward(.success, answer, decision) - expected) < 1e-12, "\(decision ?? "none")") }
        #expect(PolicyReward.game.needsDecision && PolicyReward.success.needsDecision && !PolicyReward.rlcr.needsDecision)
    }

    /// A tiny model learns to state each kind's target after its own answers: prompts of two kinds
    /// whose answers are right 20% and 80% of the time, and greedy decoding after the answer then
    /// writes "Confidence: 2" and "Confidence: 8".
    @Test func trainingTeachesEachKindItsDecile() throws {
        let configuration = ModelConfiguration(vocabularySize: Vocabulary.standard.count, contextLength: 32, width: 24, depth: 1, heads: 2)
        let model = try TransformerModel(configuration: configuration, seed: 4)
        var stream = RandomStream(seed: 8)
        let answers = try (0..<400).map { i -> StatedConfidence.LabelledAnswer in
            let kind = i % 2, a = stream.nextIndex(below: 10)
            let right = stream.nextUniform() < (kind == 0 ? 0.2 : 0.8)
            return .init(prompt: try Self.v.encode("Input: \(kind) + \(a)"), completion: try Self.v.encode("Target: \(a)") + [Self.v.eos],
                         right: right, decile: kind == 0 ? 2 : 8)
        }
        let trained = try StatedConfidence.train(model, answers: answers, teaching: .both, steps: 250, batchSize: 32, learningRate: 3e-3, seed: 3)
        #expect(trained.configuration.vocabularySize == Self.v.count)
        for kind in 0...1 {
            let prompt = try Self.v.encode("Input: \(kind) + 4 Target: 4")
            let out = Sampler(temperature: 0, maxTokens: 4).generate(trained, prompts: [prompt], eos: Self.v.eos, seed: 1, firstStream: 0)[0]
            #expect(Self.v.decode(out.tokens) == "\nConfidence: \(kind == 0 ? 2 : 8)", "kind \(kind): \(Self.v.decode(out.tokens))")
        }
        // With decisions: the same kinds, and after each decile the action it is taught.
        let d = StatedConfidence.decisionVocabulary
        let deciding = answers.map { a -> StatedConfidence.LabelledAnswer in
            var a = a
            a.decision = a.decile == 2 ? .off : .act
            return a
        }
        let decides = try StatedConfidence.train(model, answers: deciding, teaching: .decision, steps: 250, batchSize: 32, learningRate: 3e-3, seed: 3)
        #expect(decides.configuration.vocabularySize == d.count)
        for kind in 0...1 {
            let prompt = try d.encode("Input: \(kind) + 4 Target: 4")
            let out = Sampler(temperature: 0, maxTokens: 7).generate(decides, prompts: [prompt], eos: d.eos, seed: 1, firstStream: 0)[0]
            let expected = kind == 0 ? "\nConfidence: 2\nDecision: off" : "\nConfidence: 8\nDecision: act"
            #expect(d.decode(out.tokens) == expected, "kind \(kind): \(d.decode(out.tokens))")
        }
    }

    /// The distillation term keeps the base's answers: after teaching, the mean KL divergence from
    /// the base's next-token distributions over its own answers stays small with the default
    /// weight, and is several times larger with none. The reference rows are the base's
    /// probabilities at the positions that predict each completion token.
    @Test func distillationKeepsTheBasesAnswerDistributions() throws {
        let standard = Vocabulary.standard
        let configuration = ModelConfiguration(vocabularySize: standard.count, contextLength: 32, width: 24, depth: 1, heads: 2)
        let base = try TransformerModel(configuration: configuration, seed: 6)
        var stream = RandomStream(seed: 9)
        let answers = try (0..<200).map { i -> StatedConfidence.LabelledAnswer in
            let a = stream.nextIndex(below: 10), b = stream.nextIndex(below: 10)
            return .init(prompt: try standard.encode("Input: \(a) + \(b)"), completion: try standard.encode("Target: \((a + b) % 10)") + [standard.eos],
                         right: i % 3 != 0, decile: 7)
        }
        let V = standard.count
        let reference = try StatedConfidence.referenceDistributions(base, answers: answers, pad: standard.pad)
        // Row j of an answer is the distribution that predicts its completion token j.
        let direct = try TransformerWorkspace.fitting([TrainingExample(tokens: answers[0].prompt + answers[0].completion, promptLength: 0)],
                                                      configuration: configuration, reusing: nil)
        let tokens = (answers[0].prompt + answers[0].completion).map(Int32.init) + [Int32](repeating: Int32(standard.pad), count: direct.T - answers[0].prompt.count - answers[0].completion.count)
        var none: RandomStream? = nil
        direct.forward(base, tokens: tokens, targets: [Int32](repeating: -1, count: direct.T), dropout: &none)
        for j in answers[0].completion.indices {
            let expected = direct.probabilities(b: 0, t: answers[0].prompt.count - 1 + j)
            #expect(zip(expected, reference[0][(j * V)..<((j + 1) * V)]).allSatisfy { abs($0 - $1) < 1e-6 }, "row \(j)")
        }
        func drift(_ weight: Double) throws -> Double {
            let taught = try StatedConfidence.train(base, answers: answers, teaching: .both, steps: 120, batchSize: 16, learningRate: 3e-3,
                                                    distillation: weight, seed: 2)
            let after = try StatedConfidence.referenceDistributions(taught, answers: answers, pad: standard.pad)
            let W = taught.configuration.vocabularySize
            var total = 0.0, rows = 0
            for (a, (r, s)) in zip(answers, zip(reference, after)) {
                for j in 0..<(a.completion.count - 1) {
                    for v in 0..<V where r[j * V + v] > 0 {
                        total += Double(r[j * V + v]) * (log(Double(r[j * V + v])) - log(max(1e-30, Double(s[j * W + v]))))
                    }
                    rows += 1
                }
            }
            return total / Double(rows)
        }
        let kept = try drift(StatedConfidence.defaultDistillation), free = try drift(0)
        #expect(kept < 0.05, "KL \(kept) nats per token with distillation")
        #expect(free > 4 * kept, "KL \(free) without against \(kept) with")
    }
}
