import Testing
@testable import SafetyKitReasoner
@testable import SafetyKitNumerics

/// ReGenesis's guidelines by hand on every task, and its selection on scripted samples.
@Suite("ReGenesis: guidelines and selection")
struct ReGenesisTests {
    @Test func guidelinesRewriteTheStepsByHand() throws {
        let task = AdditionTask()
        let p = try task.problem(parsing: "47+38")
        #expect(task.prompt(p, guideline: .plan) == "Input:\n4 7 + 3 8\nTarget: Guide: plan\n")
        #expect(task.prompt(p, hint: "8 5", guideline: .short) == "Input:\n4 7 + 3 8\nTarget: Guide: short Hint: 8 5\n")
        #expect(Guideline.forward.completion(for: p, task: task) == task.target(p))
        #expect(Guideline.plan.completion(for: p, task: task)
                == "<scratch>\nplan 4\n4 7 + 3 8 , C: 0\n4 + 3 , 5 C: 1\n, 8 5 C: 0\n8 5\n</scratch>\n8 5")
        #expect(Guideline.short.completion(for: p, task: task) == "<scratch>\n, C: 0\n, 5 C: 1\n, 8 5 C: 0\n8 5\n</scratch>\n8 5")
        #expect(Guideline.restate.completion(for: p, task: task)
                == "<scratch>\n4 7 + 3 8\n4 7 + 3 8 , C: 0\n4 + 3 , 5 C: 1\n, 8 5 C: 0\n8 5\n</scratch>\n8 5")
        // Ten or more steps are counted digit by digit.
        let long = try task.problem(parsing: "12345678+87654321")
        #expect(Guideline.plan.completion(for: long, task: task).hasPrefix("<scratch>\nplan 1 0\n"))
        let story = try WordProblemTask().problem(parsing: "Ann:apples:34:finds:25:loses:12")
        #expect(Guideline.short.completion(for: story, task: WordProblemTask()) == "<scratch>\n= 5 9\n= 4 7\n</scratch>\n4 7")
    }

    /// Every guideline's path is a right answer of every task, in the task's vocabulary with the guideline tokens.
    @Test func everyGuidelineSolvesEveryTask() throws {
        var stream = RandomStream(seed: 8)
        for task in MixedTask().members {
            let vocabulary = task.vocabulary.appending(Guideline.tokens)
            for d in 1...3 {
                let p = task.problem(difficulty: d, using: &stream)
                for g in Guideline.allCases {
                    let text = g.completion(for: p, task: task)
                    #expect(task.isCorrect(text, for: p), "\(task.name) \(g)")
                    _ = try vocabulary.encode(task.prompt(p, hint: p.answer, guideline: g) + text)
                }
            }
        }
        #expect(Guideline.isIn(Vocabulary.standard.appending(Guideline.tokens)) && !Guideline.isIn(.standard))
    }

    /// Demonstrations: a few per difficulty and guideline, distinct, from the seed set, the same every call.
    @Test func demonstrationsComeFromTheSeedSet() {
        let seedSet = Evaluation.problems(task: AdditionTask(), difficulties: [1, 2], count: 10, seed: 3)
        var m = ReGenesis()
        m.demonstrations = 3
        let shown = m.demonstrations(of: .plan, from: seedSet, seed: 1)
        #expect(shown.count == 6 && Set(shown.map(\.key)).count == 6 && shown.allSatisfy { seedSet.contains($0) })
        #expect(shown.filter { $0.difficulty == 1 }.count == 3)
        #expect(shown == m.demonstrations(of: .plan, from: seedSet, seed: 1))
        #expect(shown != m.demonstrations(of: .short, from: seedSet, seed: 1))
        m.demonstrations = 50
        #expect(m.demonstrations(of: .plan, from: seedSet, seed: 1).count == seedSet.count)
    }

    /// Selection on scripted paths: right and distinct paths kept a guideline at a time, up to
    /// --keep, trained after the plain prompt; the hint only for problems no path solved.
    @Test func selectionKeepsDiverseRightPathsAndHintsTheRest() throws {
        let task = AdditionTask()
        let solved = try task.problem(parsing: "12+34"), unsolved = try task.problem(parsing: "47+38"), never = try task.problem(parsing: "5+5")
        let seedSet = [try task.problem(parsing: "1+2"), try task.problem(parsing: "3+4")]
        let vocabulary = Vocabulary.standard.appending(Guideline.tokens)
        let model = try TransformerModel(configuration: ModelConfiguration(vocabularySize: vocabulary.count, contextLength: 32, width: 8, depth: 1, heads: 1), seed: 1)
        var context = IterationContext(iteration: 1, model: model, task: task, pool: [solved, unsolved, never], vocabulary: vocabulary, seed: 1)
        context.seedSet = seedSet
        var calls: [(Bool, Guideline?, Int)] = []
        context.guidedScript = { problems, k, _, hint, guideline in
            calls.append((hint, guideline, problems.count))
            return problems.map { p in
                (0..<k).map { j in
                    let g = guideline!
                    if p == never { return Attempt(completion: "<scratch>\n</scratch>\n1", task: task) }
                    if hint { return Attempt(completion: g.completion(for: p, task: task), task: task) }
                    guard p == solved else { return Attempt(completion: "<scratch>\n</scratch>\n9", task: task) }
                    // forward: one right path twice; plan: right and wrong; short and restate: right.
                    switch g {
                    case .forward: return Attempt(completion: g.completion(for: p, task: task), task: task)
                    case .plan: return Attempt(completion: j == 0 ? g.completion(for: p, task: task) : "<scratch>\n</scratch>\n4 7", task: task)
                    case .short, .restate: return Attempt(completion: g.completion(for: p, task: task), task: task)
                    }
                }
            }
        }
        var m = ReGenesis()
        m.demonstrations = 1
        m.keepPerProblem = 3
        // The guideline stage (iteration 1 by default) trains the demonstrations alone, sampling nothing.
        let stage = try m.collect(context)
        #expect(calls.isEmpty && stage.examples.count == 4 && stage.examples.allSatisfy { $0.guideline != nil })
        #expect(stage.notes.map(\.0) == ["stage", "demonstrations"])
        m.guidelineStage = 0
        let data = try m.collect(context)
        // Four guidelines sampled on the pool, then four hinted on the two unsolved problems.
        #expect(calls.map(\.0) == [false, false, false, false, true, true, true, true])
        #expect(calls.map(\.1) == Guideline.allCases + Guideline.allCases && calls.map(\.2) == [3, 3, 3, 3, 2, 2, 2, 2])
        let demos = data.examples.filter { $0.guideline != nil }
        #expect(demos.count == 4 && demos.allSatisfy { seedSet.contains($0.problem) && $0.completion == $0.guideline!.completion(for: $0.problem, task: task) })
        let kept = data.examples.filter { $0.guideline == nil && $0.problem == solved }
        #expect(kept.map(\.completion) == [Guideline.forward, .plan, .short].map { $0.completion(for: solved, task: task) })
        #expect(kept.allSatisfy { $0.source == .generation })
        // The hinted retry solved 47+38 under every guideline; 3 kept. 5+5 stayed unsolved.
        let hinted = data.examples.filter { $0.problem == unsolved }
        #expect(hinted.count == 3 && hinted.allSatisfy { $0.source == .rationalization && $0.guideline == nil })
        #expect(!data.examples.contains { $0.problem == never })
        #expect(data.notes.map(\.0) == ["demonstrations", "kept_forward", "kept_plan", "kept_short", "kept_restate", "kept_with_hint"])
        #expect(data.notes.map(\.1) == ["4", "1", "1", "1", "0", "3"])
        // Without hints, nothing is retried.
        calls = []
        m.hints = false
        _ = try m.collect(context)
        #expect(calls.count == 4)
    }

    /// A demonstration trains the guideline's prompt and path; a kept path, the plain prompt.
    @Test func demonstrationsTrainUnderTheGuidelinePrompt() throws {
        let task = AdditionTask(), p = try task.problem(parsing: "47+38")
        let vocabulary = Vocabulary.standard.appending(Guideline.tokens)
        let shown = try TrainingExample(task: task, problem: p, vocabulary: vocabulary, guideline: .plan)
        #expect(vocabulary.decode(Array(shown.tokens.prefix(shown.promptLength))) == vocabulary.decode(try vocabulary.encode(task.prompt(p, guideline: .plan))))
        #expect(vocabulary.decode(Array(shown.tokens[shown.promptLength...].dropLast())) == Guideline.plan.completion(for: p, task: task))
        let plain = try TrainingExample(task: task, problem: p, vocabulary: vocabulary, completion: Guideline.plan.completion(for: p, task: task))
        #expect(plain.promptLength == (try vocabulary.encode(task.prompt(p))).count)
    }

    /// Without gold answers: the majority of a problem's paths, at a share of at least
    /// `agreement`, decides what is kept; no hint; the gold answer is read only in the stage.
    @Test func theVoteFilterKeepsTheMajority() throws {
        let task = AdditionTask()
        let agreed = try task.problem(parsing: "12+34"), split = try task.problem(parsing: "47+38")
        let vocabulary = Vocabulary.standard.appending(Guideline.tokens)
        let model = try TransformerModel(configuration: ModelConfiguration(vocabularySize: vocabulary.count, contextLength: 32, width: 8, depth: 1, heads: 1), seed: 1)
        var context = IterationContext(iteration: 2, model: model, task: UnlabeledTask(task), pool: [agreed, split].map(UnlabeledTask.strip),
                                       vocabulary: vocabulary, seed: 1)
        var hinted = false
        context.guidedScript = { problems, k, _, hint, guideline in
            hinted = hinted || hint
            return problems.map { p in
                (0..<k).map { j in
                    // 12+34: 7 of 8 paths say 4 7 (wrong, but the majority); 47+38: a 4-4 split.
                    let answer = p.key == "12+34" ? (guideline == .forward && j == 0 ? "4 6" : "4 7") : (j == 0 ? "8 5" : "8 4")
                    return Attempt(completion: "<scratch>\n\(guideline!.rawValue) \(j)\n</scratch>\n" + answer, task: task)
                }
            }
        }
        var m = ReGenesis()
        m.filter = .vote
        m.keepPerProblem = 8
        #expect(m.goldLabels(iteration: 1) == .pool && m.goldLabels(iteration: 2) == GoldLabels.none)
        let data = try m.collect(context)
        #expect(!hinted && data.examples.allSatisfy { $0.problem.key == "12+34" && $0.completion.hasSuffix("4 7") })
        #expect(data.examples.count == 7)
        m.agreement = 0.9
        #expect(try m.collect(context).examples.isEmpty)
    }
}
