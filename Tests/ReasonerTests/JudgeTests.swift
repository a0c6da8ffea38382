import Foundation
import Testing
@testable import SafetyKitNumerics
@testable import SafetyKitReasoner

@Suite("Judges: gold judgments, parsing, pairing, metrics, and a judge that learns")
struct JudgeTests {
    static let task = AdditionTask()
    static let judgeTask = JudgeTask(task: task)

    /// The gold completion of a problem with one scratch line (0-based index) replaced.
    static func completion(_ key: String, replacing line: Int? = nil, with text: String = "", answer: String? = nil) throws -> (Problem, String) {
        let problem = try task.problem(parsing: key)
        var solution = task.solve(problem)
        if let line { solution.rationale[line] = text }
        let completion = "<scratch>\n" + solution.rationale.joined(separator: "\n") + "\n</scratch>\n" + (answer ?? solution.answer)
        return (problem, completion)
    }

    @Test func goldJudgmentsByHand() throws {
        // 47 + 35: the gold rationale has 4 lines (the operands, two digit steps, the result), then the answer: 5 steps.
        let (problem, right) = try Self.completion("47+35")
        #expect(Self.task.solve(problem).rationale.count == 4)
        let perfect = try #require(Self.judgeTask.gold(problem, candidate: right))
        #expect(perfect.marks == [.ok, .ok, .ok, .ok, .ok] && perfect.firstWrongStep == nil && perfect.score == 5)
        #expect(perfect.text == "Steps:\n4 7 + 3 5 , C: 0 ok\n4 + 3 , 2 C: 1 ok\n, 8 2 C: 0 ok\n8 2 ok\n8 2 ok\nWrong: none\nScore: 5")
        #expect(Judgment.parse(perfect.text) == perfect)

        // A wrong second step (the first digit sum) with the rest copied from gold: 4 of 5 right → 1 + ⌊3.2⌋ = 4.
        let (_, wrong) = try Self.completion("47+35", replacing: 1, with: "4 + 3 , 3 C: 1")
        let judged = try #require(Self.judgeTask.gold(problem, candidate: wrong))
        #expect(judged.marks == [.ok, .bad, .ok, .ok, .ok])   // later lines equal gold: steps are checked place by place
        #expect(judged.firstWrongStep == 2 && judged.score == 4)

        // A right rationale with a wrong answer line: 4 of 5 → 4; the answer is step 5.
        let (_, badAnswer) = try Self.completion("47+35", answer: "8 3")
        let j = try #require(Self.judgeTask.gold(problem, candidate: badAnswer))
        #expect(j.marks == [.ok, .ok, .ok, .ok, .bad] && j.firstWrongStep == 5 && j.score == 4)

        // A short candidate: its answer (its step 2, right) is compared with the gold answer, and the 3 missing steps are marked.
        let short = "<scratch>\n4 7 + 3 5 , C: 0\n</scratch>\n8 2"
        let s = try #require(Self.judgeTask.gold(problem, candidate: short))
        #expect(s.marks == [.ok, .ok, .miss, .miss, .miss] && s.firstWrongStep == 3 && s.score == 2)
        #expect(s.text == "Steps:\n4 7 + 3 5 , C: 0 ok\n8 2 ok\nmiss\nmiss\nmiss\nWrong: 3\nScore: 2")
        #expect(Judgment.parse(s.text) == s)

        // Malformed candidates have no gold judgment.
        #expect(Self.judgeTask.gold(problem, candidate: "8 2") == nil)
        #expect(Self.judgeTask.gold(problem, candidate: "<scratch>\n</scratch>") == nil)
    }

    @Test func scoresMapTheShareOfRightSteps() {
        let cases: [(Double, Int)] = [(0, 1), (0.24, 1), (0.25, 2), (0.5, 3), (0.74, 3), (0.75, 4), (0.99, 4), (1, 5)]
        for (f, score) in cases { #expect(Judgment.score(fractionRight: f) == score, "f = \(f)") }
        #expect(Judgment(marks: [.ok, .ok, .ok, .miss]).score == 4)
        #expect(Judgment(marks: []).score == 1)
    }

    @Test func judgmentsParseStrictly() {
        let samples = [Judgment(marks: [.ok, .bad, .miss], steps: ["1 + 2 , C: 0", ", 4 C: 0", ""], firstWrongStep: 2, score: 2),
                       Judgment(marks: [.ok], steps: ["3"], firstWrongStep: nil, score: 5),
                       Judgment(marks: Array(repeating: .bad, count: 12), steps: Array(repeating: "9", count: 12), firstWrongStep: 12, score: 1)]
        for j in samples { #expect(Judgment.parse(j.text) == j, "\(j.text)") }
        #expect(Judgment.parse("Steps:\n1 ok\n2 ok\nWrong: 1 2\nScore: 3")?.firstWrongStep == 12)
        #expect(Judgment.parse("Steps:\nWrong: none\nScore: 1")?.marks == [])
        let bad = ["", "Steps:\n1 ok\nWrong: none", "Steps:\n1 ok\nWrong: none\nScore: 6", "Steps:\n1 ok\nWrong: none\nScore: 0",
                   "Steps:\n1 fine\nWrong: none\nScore: 5", "Steps:\n1\nWrong: none\nScore: 5", "Steps:\n1 ok\nWrong: 0\nScore: 5",
                   "Steps:\n1 ok\nWrong:\nScore: 5", "Steps:\n1 ok\nWrong: none\nScore: 5\nScore: 5", "Steps: 1 ok\nWrong: none\nScore: 5",
                   "Steps:\n1 ok\nScore: 5\nWrong: none", "Steps:\n1 ok\nWrong: none\nScore: 5 5", "Steps:\n1 ok\nWrong: 12\nScore: 5"]
        for text in bad { #expect(Judgment.parse(text) == nil, "\(text)") }
        #expect(JudgeOutput(text: samples[0].text, finished: false).judgment == nil)
    }

    @Test func theJudgeVocabularyExtendsTheStandardOne() throws {
        let standard = Vocabulary.standard, judge = JudgeTask.vocabulary
        #expect(Array(judge.tokens.prefix(standard.count)) == standard.tokens)
        #expect(Set(judge.tokens).count == judge.count)
        let (problem, candidate) = try Self.completion("9999+1")
        let item = JudgeItem(problem: problem, candidate: candidate, gold: try #require(Self.judgeTask.gold(problem, candidate: candidate)),
                             correct: true, policyConfidence: 1)
        let prompt = try judge.encode(Self.judgeTask.prompt(problem, candidate: candidate) + item.gold.text)
        #expect(judge.decode(prompt) == Self.judgeTask.prompt(problem, candidate: candidate) + item.gold.text)
        #expect(throws: ReasonerError.self) { try standard.encode(item.gold.text) }
    }

    @Test func extendingTheVocabularyKeepsTheModelOnOldTokens() throws {
        let configuration = ModelConfiguration(vocabularySize: 10, contextLength: 8, width: 8, depth: 2, heads: 2, mlpRatio: 2)
        let model = try TransformerModel(configuration: configuration, seed: 4)
        let grown = try model.extendingVocabulary(by: 3, seed: 9)
        #expect(grown.configuration.vocabularySize == 13 && grown.parameterCount == model.parameterCount + 3 * 8)
        // Old tokens' logits are unchanged, so log-probabilities shift by one constant per position:
        // log p'(y) − log p(y) = log Z − log Z', the same for every old y.
        let examples = [TrainingExample(tokens: [2, 5, 7, 1], promptLength: 1), TrainingExample(tokens: [2, 5, 3, 1], promptLength: 1)]
        let old = try CompletionScorer.tokenLogProbabilities(model, examples), new = try CompletionScorer.tokenLogProbabilities(grown, examples)
        for t in 0..<2 {
            let shiftA = new[0][t] - old[0][t], shiftB = new[1][t] - old[1][t]
            #expect(shiftA < 0)
            if t == 0 { #expect(abs(shiftA - shiftB) < 1e-5) }   // same prefix, different targets
        }
        #expect(throws: ReasonerError.self) { try model.extendingVocabulary(by: -1, seed: 1) }
    }

    static func outputs(_ texts: [String?]) -> [JudgeOutput] {
        texts.map { $0.map { JudgeOutput(text: $0, finished: true) } ?? JudgeOutput(text: "Steps: ok ok ok", finished: false) }
    }

    static func item(gold score: Int, key: String = "12+34") throws -> JudgeItem {
        let marks: [Judgment.Mark] = score == 5 ? [.ok, .ok, .ok, .ok] : [.ok, .bad, .bad, .bad]
        var gold = Judgment(marks: marks)
        gold.score = score
        return JudgeItem(problem: try task.problem(parsing: key), candidate: "c", gold: gold, correct: score == 5, policyConfidence: 0.5)
    }

    static func text(_ score: Int) -> String { "Steps:\n1 ok\nWrong: none\nScore: \(score)" }

    @Test func goldPairingTakesTheGoldScoreAgainstFarOrUnreadableOnes() throws {
        let pairing = JudgePairing(mode: .gold, margin: 2, pairsPerItem: 2)
        let items = [try Self.item(gold: 2), try Self.item(gold: 5), try Self.item(gold: 3)]
        let judgments = [Self.outputs([Self.text(2), Self.text(3), Self.text(5), nil]),   // chosen 2; rejected 5 and the cut one
                         Self.outputs([Self.text(4), Self.text(4), Self.text(4), Self.text(4)]),   // no chosen
                         Self.outputs([Self.text(3), Self.text(2), Self.text(4), Self.text(3)])]   // nothing 2 away
        let (pairs, summary) = pairing.pairs(items: items, judgments: judgments)
        #expect(pairs.count == 2)
        #expect(pairs.allSatisfy { $0.0 == 0 && $0.1.text == Self.text(2) })
        #expect(pairs[0].2.text == Self.text(5) && !pairs[1].2.finished)
        #expect(summary.items == 3 && summary.targeted == 3 && summary.withChosen == 2 && summary.withRejected == 1 && summary.pairs == 2)
        #expect(summary.unreadable == 1 && summary.samples == 12 && summary.chosenMatchesGold == 2 && summary.chosenScores == [0, 2, 0, 0, 0])
        // With margin 1, the third item pairs too.
        #expect(JudgePairing(mode: .gold, margin: 1, pairsPerItem: 1).pairs(items: items, judgments: judgments).pairs.count == 2)
    }

    @Test func majorityPairingNeverReadsTheGoldScore() throws {
        let pairing = JudgePairing(mode: .majority, margin: 2, pairsPerItem: 1)
        let samples = Self.outputs([Self.text(4), Self.text(4), Self.text(4), Self.text(1)])
        let a = pairing.pairs(items: [try Self.item(gold: 4)], judgments: [samples])
        let b = pairing.pairs(items: [try Self.item(gold: 1)], judgments: [samples])
        #expect(a.pairs.count == 1 && b.pairs.count == 1)
        #expect(a.pairs[0].1 == b.pairs[0].1 && a.pairs[0].2 == b.pairs[0].2)
        #expect(a.pairs[0].1.text == Self.text(4) && a.pairs[0].2.text == Self.text(1))
        #expect(a.summary.chosenMatchesGold == 1 && b.summary.chosenMatchesGold == 0)
        // No majority (2 of 4 is not more than half): no target, no pair.
        let split = Self.outputs([Self.text(4), Self.text(4), Self.text(1), Self.text(1)])
        let none = pairing.pairs(items: [try Self.item(gold: 4)], judgments: [split])
        #expect(none.pairs.isEmpty && none.summary.targeted == 0)
    }

    @Test func metricsByHand() throws {
        // Two held-out problems, three samples each; items are the distinct parseable samples.
        let p1 = try Self.task.problem(parsing: "1+2"), p2 = try Self.task.problem(parsing: "3+4")
        func item(_ p: Problem, _ c: String, score: Int, wrong: Int?, correct: Bool, confidence: Double) -> JudgeItem {
            JudgeItem(problem: p, candidate: c, gold: Judgment(marks: [], firstWrongStep: wrong, score: score), correct: correct, policyConfidence: confidence)
        }
        let items: [JudgeItem] = [item(p1, "a", score: 5, wrong: nil, correct: true, confidence: 0.2),
                     item(p1, "b", score: 2, wrong: 2, correct: false, confidence: 0.9),
                     item(p2, "c", score: 3, wrong: 3, correct: false, confidence: 0.5),
                     item(p2, "d", score: 5, wrong: nil, correct: true, confidence: 0.4)]
        let heldOut: [JudgeHeldOutProblem] = [JudgeHeldOutProblem(problem: p1, samples: ["b", "a", "b"], confidences: [0.9, 0.2, 0.9], answers: ["4", "3", "4"],
                                           correct: [false, true, false]),
                       JudgeHeldOutProblem(problem: p2, samples: ["junk", "c", "d"], confidences: [0.99, 0.5, 0.4], answers: [nil, "8", "7"],
                                           correct: [false, false, true])]
        let data = JudgeData(seed: [], pool: [], heldOut: heldOut, heldOutItems: items)
        #expect(data.heldOutSampleItems == [[1, 0, 1], [nil, 2, 3]])
        // The judge: right on a (5), says 4 for b (gold 2), unreadable on c, right on d but names a wrong step.
        let judgments: [JudgeOutput] = [JudgeOutput(text: "Steps:\n1 ok\nWrong: none\nScore: 5", finished: true),
                         JudgeOutput(text: "Steps:\n1 ok\nWrong: 2\nScore: 4", finished: true),
                         JudgeOutput(text: "Score: 3", finished: true),
                         JudgeOutput(text: "Steps:\n1 ok\nWrong: 1\nScore: 5", finished: true)]
        let m = JudgeMetrics(data: data, judgments: judgments)
        #expect(m.candidates == 4 && m.readable == 0.75)
        #expect(m.exactAccuracy == 0.5)
        #expect(abs(m.balancedAccuracy - (1.0 + 0 + 0) / 3) < 1e-12)    // gold 5: 2/2; gold 2: 0/1; gold 3: 0/1
        #expect(abs(m.meanAbsoluteError - 2.0 / 3) < 1e-12)
        #expect(m.stepAgreement == 0.5)                                  // a and b agree; c unreadable; d names step 1
        #expect(m.rightRecognized == 1 && m.wrongRecognized == 0.5)
        // Best-of-k: p1 judge picks a (5) → right; p2 picks d (5 beats unreadable c and the malformed sample) → right.
        #expect(m.problems == 2 && m.bestOfK == 1)
        #expect(m.firstSample == 0)                 // b, and the malformed one
        #expect(m.policyRanked == 0)                // p1: b (0.9); p2: c (the malformed 0.99 is never picked)
        #expect(m.majorityVote == 0)                // p1: "4" twice; p2: a tie of "8" and "7" goes to the earlier, "8"
        #expect(m.oracle == 1)
        let one = JudgeMetrics(data: data, judgments: judgments, difficulty: 1)
        #expect(one.candidates == 4 && one.problems == 2)
        #expect(JudgeMetrics(data: data, judgments: judgments, difficulty: 2).candidates == 0)
    }

    @Test func aSmallJudgeLearnsItsSeedJudgments() throws {
        // A judge from scratch on eight one-digit candidates, right and wrong, overfits them: the
        // example construction, the loss mask and greedy judging fit together.
        var setup = JudgeSetup(task: Self.task, difficulties: [1], seed: 3)
        setup.initialization = .scratch
        setup.sftSteps = 250
        setup.sftLearningRate = 3e-3
        setup.warmupSteps = 10
        setup.batchSize = 8
        let loop = JudgeLoop(setup: setup)
        var items: [JudgeItem] = []
        for (key, wrongLine) in [("1+2", nil), ("3+4", 1), ("5+8", nil), ("9+9", 1), ("2+7", 2), ("6+6", nil), ("4+0", 1), ("8+5", 2)] as [(String, Int?)] {
            let (problem, candidate) = try Self.completion(key, replacing: wrongLine, with: ", 0 C: 0")
            let gold = try #require(Self.judgeTask.gold(problem, candidate: candidate))
            items.append(JudgeItem(problem: problem, candidate: candidate, gold: gold, correct: Self.task.isCorrect(candidate, for: problem), policyConfidence: 1))
        }
        #expect(Set(items.map(\.gold.score)).count >= 2)
        let data = JudgeData(seed: items, pool: [], heldOut: [], heldOutItems: items)
        let policyShape = ModelConfiguration(vocabularySize: Vocabulary.standard.count, contextLength: 96, width: 32, depth: 1, heads: 2, mlpRatio: 2)
        let start = try loop.initialJudge(policy: try TransformerModel(configuration: policyShape, seed: 1))
        let before = try loop.evaluate(start, data: data, iteration: 0)
        #expect(zip(before, items).filter { $0.judgment == $1.gold }.count < 2)   // the positive control: untrained, it cannot
        let (judge, loss) = try loop.trainSeedJudge(start, data: data)
        let after = try loop.evaluate(judge, data: data, iteration: 0)
        #expect(loss < 0.1)
        #expect(zip(after, items).allSatisfy { $0.judgment == $1.gold }, "\(after.map(\.text))")
    }
}
