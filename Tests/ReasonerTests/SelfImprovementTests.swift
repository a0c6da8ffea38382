import Foundation
import Testing
@testable import SafetyKitNumerics
@testable import SafetyKitReasoner

@Suite("Self-improvement methods and metrics")
struct SelfImprovementTests {
    static let task = AdditionTask()

    static func attempt(_ completion: String, logProbabilities: [Float] = [-0.1, -0.1]) -> Attempt {
        let solution = task.parse(completion)
        return Attempt(completion: completion, solution: solution, logProbabilities: logProbabilities,
                       entropies: logProbabilities.map { _ in 0.5 })
    }

    static func gold(_ problem: Problem) -> String { task.target(problem) }

    @Test func passAtKMatchesTheBinomialFormula() {
        func binomial(_ n: Int, _ k: Int) -> Double { k < 0 || k > n ? 0 : (0..<k).reduce(1.0) { $0 * Double(n - $1) / Double($1 + 1) } }
        for n in 1...10 {
            for c in 0...n {
                for k in 1...n {
                    let expected = 1 - binomial(n - c, k) / binomial(n, k)
                    #expect(abs(PassAtK.estimate(n: n, correct: c, k: k) - expected) < 1e-12, "n \(n) c \(c) k \(k)")
                }
            }
        }
        #expect(PassAtK.estimate(n: 5, correct: 2, k: 2) == 0.7)
        #expect(PassAtK.estimate(n: 5, correct: 0, k: 3) == 0)
    }

    @Test func balanceScoreByHand() {
        // n* = ceil(5 / 3) = 2. Query 1: 1 unique right of 3 → ½ · ⅓; query 2: 2 of 2 → 1; query 3: nothing → 0.
        let score = BalanceScore.score([[("a", true), ("a", true), ("b", false)], [("c", true), ("d", true)], []])
        #expect(abs(score - (1.0 / 6 + 1) / 3) < 1e-12)
        #expect(BalanceScore.score([]) == 0)
    }

    @Test func processRewardChecksEveryStep() throws {
        let problem = try Self.task.problem(parsing: "964+494")
        let right = Self.attempt(Self.gold(problem))
        #expect(ProcessReward.reward(right, problem: problem, task: Self.task) == 2)
        // A wrong carry in one step, with the right answer: 1 + (−1).
        let wrongStep = Self.gold(problem).replacingOccurrences(of: "6 + 9 , 8 C: 0", with: "6 + 9 , 8 C: 1")
        #expect(ProcessReward.reward(Self.attempt(wrongStep), problem: problem, task: Self.task) == 0)
        #expect(ProcessReward.reward(Self.attempt("garbage"), problem: problem, task: Self.task) == -1)
        #expect(ProcessReward.stepAccuracy(Self.attempt(wrongStep), problem: problem, task: Self.task) == 4.0 / 5)
    }

    @Test func majorityVoteCountsMalformedSamplesAndBreaksTiesByOrder() {
        let vote = MajorityVote(["1 2", nil, "3", "3", "1 2", nil])
        #expect(vote?.answer == "1 2" && vote?.votes == 2 && vote?.share == 2.0 / 6)
        #expect(MajorityVote([nil, nil]) == nil)
    }

    @Test func heldOutRecordsRankSamplesByTheModelsOwnProbability() throws {
        let problem = try Self.task.problem(parsing: "12+34")
        let right = Self.gold(problem), wrong = right.replacingOccurrences(of: "4 6", with: "4 7")
        let samples = [Self.attempt(wrong, logProbabilities: [-0.01]), Self.attempt(right, logProbabilities: [-0.5]),
                       Self.attempt(right, logProbabilities: [-0.2]), Self.attempt("junk", logProbabilities: [-3])]
        let record = HeldOutRecord(problem: problem, greedy: Self.attempt(right), samples: samples,
                                   evaluation: HeldOutEvaluation(samples: 4, passK: 2, uniqueCorrect: 2))
        #expect(record.greedyCorrect && record.correctSamples == 2 && record.distinctCompletions == 3 && record.distinctCorrect == 1)
        #expect(!record.bestOfKCorrect)              // the most probable sample is the wrong one
        #expect(!record.topSCorrect && !record.passAtKS)
        #expect(record.majorityCorrect && record.majority?.share == 0.5)
        #expect(abs(record.passAtK - (1 - 1.0 / 6)) < 1e-12)   // 1 − C(2,2)/C(4,2)
        // Reward@K-S holds when the S most probable samples are all right.
        let ordered = [Self.attempt(right, logProbabilities: [-0.01]), Self.attempt(right, logProbabilities: [-0.02]),
                       Self.attempt(wrong, logProbabilities: [-0.03])]
        let good = HeldOutRecord(problem: problem, greedy: Self.attempt(wrong), samples: ordered,
                                 evaluation: HeldOutEvaluation(samples: 3, passK: 1, uniqueCorrect: 2))
        #expect(good.bestOfKCorrect && good.topSCorrect && !good.greedyCorrect && !good.passAtKS)
    }

    @Test func hintsAppearOnlyWhenAsked() throws {
        let problem = try Self.task.problem(parsing: "12+34")
        let hinted = try TrainingExample(task: Self.task, problem: problem, vocabulary: .standard, hint: true)
        let plain = try TrainingExample(task: Self.task, problem: problem, vocabulary: .standard, completion: Self.gold(problem))
        let hint = Vocabulary.standard.id("Hint:")!
        #expect(hinted.tokens.prefix(hinted.promptLength).contains(hint))
        #expect(!plain.tokens.contains(hint))
    }

    @Test func problemSetsAreDisjoint() {
        var setup = SelfImprovementSetup(task: Self.task, difficulties: [1, 2, 3], iterations: 1, seed: 3, seedSet: [50, 50, 20])
        setup.poolPerDifficulty = 60
        let loop = SelfImprovementLoop(method: STaR(), setup: setup)
        let test = Set(loop.heldOut.map(\.key)), validation = Set(loop.validation.map(\.key)), pool = Set(loop.pool.map(\.key))
        #expect(test.isDisjoint(with: validation) && test.isDisjoint(with: pool) && validation.isDisjoint(with: pool))
        #expect(test.isDisjoint(with: loop.seedSet.map(\.key)) && validation.isDisjoint(with: loop.seedSet.map(\.key)))
        #expect(loop.pool.count == 60 * 3 && loop.heldOut.count == 20 + 100 + 100)
    }

    /// A method that records what the loop hands it and selects nothing.
    final class Spy: SelfImprovementMethod, @unchecked Sendable {
        let labels: GoldLabels
        var seenAnswers: [String] = [], seenKeys: [String] = [], seenSolution: Solution?
        init(labels: GoldLabels) { self.labels = labels }
        func goldLabels(iteration n: Int) -> GoldLabels { labels }
        var name: String { "spy" }
        var reference: String { "" }
        var continuesFromPreviousModel: Bool { false }
        func trainingSteps(iteration n: Int) -> Int { 1 }
        var settings: [(String, String)] { [] }
        func collect(_ context: IterationContext) throws(ReasonerError) -> CollectedData {
            seenAnswers = context.pool.map(\.answer)
            seenKeys = context.pool.map(\.key)
            seenSolution = context.task.solve(context.pool[0])
            return CollectedData()
        }
    }

    @Test func labelFreeMethodsNeverSeeGoldAnswers() throws {
        var setup = SelfImprovementSetup(task: Self.task, difficulties: [2], iterations: 1, seed: 1, seedSet: [5])
        setup.poolPerDifficulty = 8
        setup.heldOutPerDifficulty = 2
        setup.validationPerDifficulty = 2
        setup.evaluation = HeldOutEvaluation(samples: 1, passK: 1)
        let model = try TransformerModel(configuration: ModelConfiguration(vocabularySize: Vocabulary.standard.count, contextLength: 64,
                                                                           width: 16, depth: 1, heads: 2), seed: 1)
        let blind = Spy(labels: .none), sighted = Spy(labels: .pool), annotated = Spy(labels: .annotated)
        let loop = SelfImprovementLoop(method: annotated, setup: setup)
        for spy in [blind, sighted, annotated] {
            _ = try SelfImprovementLoop(method: spy, setup: setup).iterate(1, base: model, current: model, optimizer: nil, bestValidation: 0)
        }
        #expect(blind.seenAnswers.count == 8 && blind.seenAnswers.allSatisfy(\.isEmpty))
        #expect(blind.seenSolution == Solution(rationale: [], answer: ""))
        // Positive control: a method that may read labels sees them.
        #expect(sighted.seenAnswers.allSatisfy { !$0.isEmpty } && sighted.seenSolution?.answer.isEmpty == false)
        // A meta-skill stage sees annotated problems with their answers, none of the pool's, and
        // drawing them changes no other set.
        #expect(annotated.seenKeys == loop.annotated.map(\.key) && annotated.seenKeys.count == 8 && annotated.seenAnswers.allSatisfy { !$0.isEmpty })
        #expect(Set(annotated.seenKeys).isDisjoint(with: loop.pool.map(\.key) + loop.heldOut.map(\.key) + loop.validation.map(\.key)))
        let plain = SelfImprovementLoop(method: sighted, setup: setup)
        #expect(plain.annotated.isEmpty && plain.pool == loop.pool && plain.heldOut == loop.heldOut && plain.validation == loop.validation)
        #expect(LabelFreeSelfConsistency().goldLabels(iteration: 1) == .none)
    }
}

/// The methods' selection logic on scripted samples: no model involved.
@Suite("Selection on scripted samples")
struct ScriptedSelectionTests {
    static let task = AdditionTask()

    static func context(_ pool: [Problem], task: any ReasoningTask = AdditionTask(),
                        script: @escaping ([Problem], Int, Sampler, Bool) -> [[Attempt]]) throws -> IterationContext {
        let model = try TransformerModel(configuration: ModelConfiguration(vocabularySize: Vocabulary.standard.count, contextLength: 32,
                                                                           width: 8, depth: 1, heads: 1), seed: 1)
        var context = IterationContext(iteration: 1, model: model, task: task, pool: pool, vocabulary: .standard, seed: 1)
        context.script = script
        return context
    }

    /// A completion with the gold rationale but the answer `answer` (wrong unless it is the gold one).
    static func completion(_ problem: Problem, answer: String? = nil) -> String {
        let gold = task.target(problem)
        guard let answer else { return gold }
        var lines = gold.split(separator: "\n").map(String.init)
        lines[lines.count - 1] = answer
        return lines.joined(separator: "\n")
    }

    @Test func starKeepsRightGenerationsAndRationalizesTheRest() throws {
        let pool = try ["1+2", "3+4", "5+6"].map { try Self.task.problem(parsing: $0) }
        var hintsSeen: [[String]] = []
        let context = try Self.context(pool) { problems, k, sampler, hint in
            #expect(k == 1 && sampler.temperature == 0.01)
            if hint { hintsSeen.append(problems.map(\.key)) }
            return problems.map { p in
                // Generation: only 1+2 is right. Rationalization: 3+4 becomes right, 5+6 stays wrong.
                let right = hint ? p.key == "3+4" : p.key == "1+2"
                return [Attempt(completion: Self.completion(p, answer: right ? nil : "9 9"), task: Self.task)]
            }
        }
        let data = try STaR().collect(context)
        #expect(hintsSeen == [["3+4", "5+6"]])          // only the wrong ones are rationalized
        #expect(data.examples.map(\.problem.key) == ["1+2", "3+4"])
        #expect(data.examples.map(\.source) == [.generation, .rationalization])
        var without = STaR()
        without.rationalization = false
        #expect(try without.collect(context).examples.map(\.problem.key) == ["1+2"])
    }

    @Test func rejectionSamplingKeepsAtMostCDistinctRightSamples() throws {
        let p = try Self.task.problem(parsing: "12+34")
        let right = Self.completion(p), alsoRight = right.replacingOccurrences(of: "1 2 + 3 4 , C: 0", with: "1 2 + 3 4 , C: 1")
        let context = try Self.context([p]) { problems, k, _, _ in
            [[right, right, Self.completion(p, answer: "4 7"), alsoRight, "junk"].prefix(k).map { Attempt(completion: $0, task: Self.task) }]
        }
        var method = RejectionSampling()
        method.samplesPerProblem = 5
        method.keepPerProblem = 4
        #expect(try method.collect(context).examples.map(\.completion) == [right, alsoRight])   // duplicates and wrong ones dropped
        method.keepPerProblem = 1
        #expect(try method.collect(context).examples.map(\.completion) == [right])
    }

    @Test func labelFreeSelectionKeepsTheMajorityOnlyAboveTheAgreement() throws {
        let pool = try ["1+2", "3+4"].map { try Self.task.problem(parsing: $0) }
        // 1+2: 3 of 4 samples say "9 9" (wrong!); 3+4: 2 of 4 agree.
        let context = try Self.context(pool.map(UnlabeledTask.strip), task: UnlabeledTask(Self.task)) { problems, _, _, _ in
            problems.map { p in
                let gold = try! Self.task.problem(parsing: p.key)
                let answers: [String?] = p.key == "1+2" ? ["9 9", "9 9", nil, "9 9"] : ["7", "7", "8", "6"]
                return answers.enumerated().map { i, a in
                    Attempt(completion: Self.completion(gold, answer: a ?? "x") + String(repeating: "\n", count: i % 2), task: Self.task)
                }
            }
        }
        var method = LabelFreeSelfConsistency()
        method.agreement = 0.75
        let data = try method.collect(context)
        #expect(Set(data.examples.map(\.problem.key)) == ["1+2"])
        #expect(data.examples.allSatisfy { Self.task.parse($0.completion)?.answer == "9 9" })   // the majority, right or not
        method.agreement = 0.5
        #expect(Set(try method.collect(context).examples.map(\.problem.key)) == ["1+2", "3+4"])
    }

    @Test func bstarKeepsDistinctResponsesAboveTheChosenThreshold() throws {
        let p = try Self.task.problem(parsing: "12+34")
        let right = Self.completion(p), wrongAnswer = Self.completion(p, answer: "4 7")
        let badStep = right.replacingOccurrences(of: "1 2 + 3 4 , C: 0", with: "1 2 + 3 4 , C: 1")
        let context = try Self.context([p]) { problems, k, _, _ in
            problems.map { _ in (0..<k).map { i in Attempt(completion: [right, right, badStep, wrongAnswer][i % 4], task: Self.task) } }
        }
        var method = BSTaR()
        method.samplesPerProblem = 4
        method.temperatures = [0.7]
        method.thresholds = [-1, 0.5]
        // Rewards: right 2, right with a bad step 0, wrong answer with good steps 1.
        let (choice, _) = try method.choose(context, queries: [p])
        // τ = −1 keeps all 4 (2 unique right of 4: n* = 4 → ½ · ½); τ = 0.5 keeps right, right, wrong (1 unique right: n* = 3 → ⅓ · ⅓).
        #expect(choice.threshold == -1 && abs(choice.balanceScore - 0.25) < 1e-12)
        let data = try method.collect(context)
        #expect(data.examples.map(\.completion) == [right, badStep, wrongAnswer])   // distinct, reward > −1
    }
}

@Suite("Preference pairs from scripted samples")
struct RPOSelectionTests {
    @Test func rightAndWrongSamplesArePairedUpToM() throws {
        let task = AdditionTask()
        let p = try task.problem(parsing: "12+34"), q = try task.problem(parsing: "5+5")
        let right = ScriptedSelectionTests.completion(p), right2 = right.replacingOccurrences(of: "1 2 + 3 4 , C: 0", with: "1 2 + 3 4 , C: 1")
        let wrong = ScriptedSelectionTests.completion(p, answer: "4 7")
        let context = try ScriptedSelectionTests.context([p, q]) { problems, k, _, _ in
            problems.map { problem in
                problem.key == "12+34"
                    ? [right, wrong, right2, wrong, right].map { Attempt(completion: $0, task: task) }
                    : [ScriptedSelectionTests.completion(q)].map { Attempt(completion: $0, task: task) }   // only right: no pair
            }
        }
        var method = IterativeRPO()
        method.pairsPerProblem = 3
        let data = try method.collect(context)
        #expect(data.pairs.map(\.chosen) == [right, right2] && data.pairs.allSatisfy { $0.rejected == wrong && $0.problem.key == "12+34" })
        method.pairsPerProblem = 1
        #expect(try method.collect(context).pairs.count == 1)
        #expect(method.preference == .rpo(beta: 0.1, alpha: 1) && method.continuesFromPreviousModel)
        method.alpha = 0
        #expect(method.preference == .dpo(beta: 0.1))
        method.useIPO = true
        #expect(method.preference == .ipo(beta: 0.1))
    }
}
