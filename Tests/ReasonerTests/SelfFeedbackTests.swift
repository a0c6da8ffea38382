import Foundation
import Testing
@testable import SafetyKitNumerics
@testable import SafetyKitReasoner

@Suite("SELF: the feedback format, the gold judge, the meta-skill data and the label-free loop")
struct SelfFeedbackTests {
    static let task = AdditionTask()
    static let vocabulary = Feedback.vocabulary(extending: .standard)

    /// `target` with scratch line `i` (1-based step) replaced, or its answer line.
    static func edited(_ problem: Problem, step: Int? = nil, line: String? = nil, answer: String? = nil, dropLastStep: Bool = false) -> String {
        var solution = task.solve(problem)
        if let step, let line { solution.rationale[step - 1] = line }
        if dropLastStep { solution.rationale.removeLast() }
        return "<scratch>\n" + solution.rationale.joined(separator: "\n") + "\n</scratch>\n" + (answer ?? solution.answer)
    }

    /// Every feedback form reads back from its line; other lines do not read.
    @Test func theFeedbackLineRoundTrips() {
        let forms: [Feedback] = [.accept, .answer, .form, .step(3, .carry), .step(12, .copy), .step(1, .result), .step(7, .shape)]
        for f in forms { #expect(Feedback(line: f.line) == f, "\(f.line)") }
        #expect(Feedback.step(12, .copy).line == "step 1 2 copy")
        for bad in ["", "accept accept", "step carry", "step 0 carry", "step 3", "step 3 speed", "step 1 2", "ok", "step 0 3 carry"] {
            #expect(Feedback(line: bad) == nil, "'\(bad)'")
        }
        // The continuation: a fault and its refinement split back apart; accept carries none.
        let refinement = "<scratch>\n1 + 2 , C: 0\n</scratch>\n3"
        let text = Feedback.continuation(.step(2, .carry), refinement: refinement)
        #expect(text == "step 2 carry\n<refine>\n" + refinement)
        #expect(Feedback.split(text).feedback == .step(2, .carry) && Feedback.split(text).refinement == refinement)
        #expect(Feedback.continuation(.accept, refinement: refinement) == "accept")
        #expect(Feedback.split("accept").feedback == .accept && Feedback.split("accept").refinement == nil)
        #expect(Feedback.split("gibberish\n<refine>\nx").feedback == nil)
        // Every token the format writes is in the extended vocabulary; the standard ids stay.
        #expect(Feedback.isIn(Self.vocabulary) && !Feedback.isIn(.standard))
        #expect(Array(Self.vocabulary.tokens.prefix(Vocabulary.standard.count)) == Vocabulary.standard.tokens)
        for f in forms { #expect((try? Self.vocabulary.encode(Feedback.request(after: "1") + f.line)) != nil) }
    }

    /// The gold judge by hand on 47 + 38 = 85 (steps: the copy, 7 + 8, 4 + 3, the carry out).
    @Test func theGoldJudgeNamesTheFirstWrongStepAndItsFault() throws {
        let p = try Self.task.problem(parsing: "47+38")
        let gold = Self.task.solve(p).rationale
        #expect(gold == ["4 7 + 3 8 , C: 0", "4 + 3 , 5 C: 1", ", 8 5 C: 0", "8 5"])
        func judge(_ text: String) -> Feedback { Feedback.judge(text, problem: p, task: Self.task) }
        #expect(judge(Self.task.target(p)) == .accept)
        #expect(judge(Self.edited(p, step: 2, line: "4 + 3 , 5 C: 0")) == .step(2, .carry))
        #expect(judge(Self.edited(p, step: 2, line: "4 + 3 , 6 C: 1")) == .step(2, .result))
        #expect(judge(Self.edited(p, step: 2, line: "4 + 2 , 5 C: 1")) == .step(2, .copy))
        #expect(judge(Self.edited(p, step: 1, line: "4 7 + 3 9 , C: 0")) == .step(1, .copy))
        #expect(judge(Self.edited(p, step: 3, line: ", 8 5 5 C: 0")) == .step(3, .shape))
        #expect(judge(Self.edited(p, step: 4, line: "8 6")) == .step(4, .result))      // the result line has no separator
        #expect(judge(Self.edited(p, dropLastStep: true)) == .step(4, .shape))          // a step too few
        #expect(judge(Self.edited(p, answer: "8 6")) == .answer)
        #expect(judge("8 5") == .form && judge("") == .form)
        // Only the first wrong step is named.
        var twice = Self.task.solve(p)
        twice.rationale[1] = "4 + 3 , 5 C: 0"; twice.rationale[2] = ", 9 5 C: 0"
        #expect(judge("<scratch>\n" + twice.rationale.joined(separator: "\n") + "\n</scratch>\n9 5") == .step(2, .carry))
        // The modular chain's steps split at "=": operands are copied, the value is the result.
        let chain = ModularChainTask()
        #expect(chain.fault(of: "3 + 5 = 0", against: "3 + 4 = 0") == .copy && chain.fault(of: "3 + 4 = 1", against: "3 + 4 = 0") == .result)
    }

    /// A response and its feedback request are read but not scored; the feedback and the
    /// refinement are.
    @Test func theResponseIsReadButNotTrainedOn() throws {
        let p = try Self.task.problem(parsing: "47+38")
        let response = Self.edited(p, step: 2, line: "4 + 3 , 5 C: 0")
        let example = try TrainingExample(task: Self.task, problem: p, vocabulary: Self.vocabulary,
                                          completion: Feedback.continuation(.step(2, .carry), refinement: Self.task.target(p)),
                                          distilledPrefix: response, unscoredPrefix: Feedback.requestLine)
        let question = try Self.vocabulary.encode(Self.task.prompt(p)), answer = try Self.vocabulary.encode(response)
        let prompt = try Self.vocabulary.encode(Self.task.prompt(p) + Feedback.request(after: response))
        #expect(example.promptLength == prompt.count && Array(example.tokens.prefix(prompt.count)) == prompt)
        // The response's tokens are distilled, and the token after it (where the response would end).
        #expect(example.distilled == question.count..<(question.count + answer.count + 1))
        let (_, targets) = TrainingExample.batch([example], length: example.tokens.count - 1, pad: Self.vocabulary.pad)
        let scored = targets.filter { $0 >= 0 }.map(Int.init)
        #expect(scored == Array(example.tokens[prompt.count...]) && scored.last == Self.vocabulary.eos)
        #expect(Self.vocabulary.decode(Array(scored.dropLast())) == "step 2 carry\n<refine>\n" + Self.task.target(p))
    }

    /// Distillation by hand: a reference from the model itself adds nothing (the KL and its
    /// gradient are zero, so a step matches plain cross-entropy's); a reference from another
    /// model is approached step by step.
    @Test func distillationPullsTheDistilledPredictionsTowardsTheReference() throws {
        let p = try Self.task.problem(parsing: "4+3")
        let configuration = ModelConfiguration(vocabularySize: Self.vocabulary.count, contextLength: 64, width: 16, depth: 1, heads: 2)
        let student = try TransformerModel(configuration: configuration, seed: 1), teacher = try TransformerModel(configuration: configuration, seed: 2)
        let example = try TrainingExample(task: Self.task, problem: p, vocabulary: Self.vocabulary, completion: "accept",
                                          distilledPrefix: Self.task.target(p), unscoredPrefix: Feedback.requestLine)
        func step(_ model: TransformerModel, references: TransformerModel?) throws -> (SupervisedTrainer.StepReport, TransformerModel) {
            let trainer = SupervisedTrainer(model: model, schedule: LearningRateSchedule(peak: 1e-2, warmupSteps: 0, totalSteps: 100), batchSize: 1,
                                            vocabulary: Self.vocabulary)
            let batch = try references.map { try TrainingExample.attachingReferences([example], from: $0, pad: Self.vocabulary.pad) } ?? [example]
            var none: RandomStream? = nil
            let report = try trainer.step(batch, dropout: &none)
            return (report, trainer.model)
        }
        let (plain, plainModel) = try step(student, references: nil)
        let (own, ownModel) = try step(student, references: student)
        #expect(abs(own.loss - plain.loss) < 1e-6 && ownModel.parameters == plainModel.parameters)
        // KL(teacher ‖ student) over the distilled predictions, before and after 40 steps.
        func divergence(_ model: TransformerModel) throws -> Double {
            let q = try TrainingExample.attachingReferences([example], from: teacher, pad: Self.vocabulary.pad)[0].reference!
            let p = try TrainingExample.attachingReferences([example], from: model, pad: Self.vocabulary.pad)[0].reference!
            return zip(q, p).reduce(0) { $0 + (Double($1.0) > 0 ? Double($1.0) * (log(Double($1.0)) - log(max(Double($1.1), 1e-30))) : 0) }
        }
        let trainer = SupervisedTrainer(model: student, schedule: LearningRateSchedule(peak: 3e-3, warmupSteps: 0, totalSteps: 40), batchSize: 1,
                                        vocabulary: Self.vocabulary)
        let batch = try TrainingExample.attachingReferences([example], from: teacher, pad: Self.vocabulary.pad)
        var none: RandomStream? = nil
        for _ in 0..<40 { _ = try trainer.step(batch, dropout: &none) }
        #expect(try divergence(trainer.model) < 0.5 * divergence(student))
        #expect(try divergence(teacher) < 1e-9)
    }

    static func context(_ pool: [Problem], task: any ReasoningTask, iteration: Int, responses: @escaping (Problem) -> [String],
                        feedback: @escaping (Problem, String) -> SelfRefinement.Outcome) throws -> IterationContext {
        let configuration = ModelConfiguration(vocabularySize: vocabulary.count, contextLength: 64, width: 16, depth: 1, heads: 2)
        var context = IterationContext(iteration: iteration, model: try TransformerModel(configuration: configuration, seed: 1), task: task,
                                       pool: pool, vocabulary: vocabulary, seed: 5)
        context.script = { problems, k, _, _ in problems.map { p in responses(p).prefix(k).map { Attempt(completion: $0, task: task) } } }
        context.refinementScript = { problems, texts in zip(problems, texts).map { feedback($0, $1) } }
        return context
    }

    /// The meta-skill stage: every distinct response gets the gold feedback and, after a fault,
    /// the gold solution, after the response it reads.
    @Test func theMetaSkillStageTeachesTheGoldFeedback() throws {
        let p = try Self.task.problem(parsing: "47+38"), q = try Self.task.problem(parsing: "12+34")
        let wrong = Self.edited(p, step: 2, line: "4 + 3 , 5 C: 0")
        let context = try Self.context([p, q], task: Self.task, iteration: 1, responses: { problem in
            problem == p ? [wrong, wrong, Self.task.target(p), wrong] : [Self.task.target(q), Self.task.target(q), Self.task.target(q), "9"]
        }, feedback: { _, _ in Issue.record("the meta-skill stage asks the model for no feedback"); return .init(tokens: 0) })
        var method = SelfEvolution()
        method.keepPerProblem = 2
        #expect(method.goldLabels(iteration: 1) == .annotated)
        let all = try method.collect(context)
        // Each problem's gold answer first, as plain question-answer data.
        #expect(all.examples.count == 6)
        #expect(all.examples[0].completion == Self.task.target(p) && all.examples[0].unscoredPrefix == nil)
        #expect(all.examples[3].completion == Self.task.target(q) && all.examples[3].unscoredPrefix == nil)
        let triples = all.examples.filter { $0.unscoredPrefix != nil }
        #expect(triples.count == 4)
        #expect(triples[0].distilledPrefix == wrong && triples[0].unscoredPrefix == Feedback.requestLine)
        #expect(triples[0].completion == "step 2 carry\n<refine>\n" + Self.task.target(p))
        #expect(triples[1].completion == "accept" && triples[1].distilledPrefix == Self.task.target(p))
        #expect(triples[2].completion == "accept" && triples[3].completion == "form\n<refine>\n" + Self.task.target(q))
        #expect(all.notes.map(\.1) == ["meta-skills", "4", "2"])
    }

    /// Self-evolution keeps what the model's own feedback accepts: answers it accepts, and
    /// refinements it accepts in turn, whatever the gold answer (which it is never shown).
    @Test func selfEvolutionKeepsWhatItsOwnFeedbackAccepts() throws {
        let p = UnlabeledTask.strip(try Self.task.problem(parsing: "47+38")), q = UnlabeledTask.strip(try Self.task.problem(parsing: "12+34"))
        let task = UnlabeledTask(Self.task)
        let a = "<scratch>\n</scratch>\n1", b = "<scratch>\n</scratch>\n2", fixed = "<scratch>\n</scratch>\n3", c = "<scratch>\n</scratch>\n4"
        let context = try Self.context([p, q], task: task, iteration: 2, responses: { problem in problem == p ? [a, b, a] : [c, c, c] },
                                       feedback: { problem, text in
            #expect(problem.answer.isEmpty)
            switch text {
            case a, fixed: return .init(feedback: .accept, acceptProbability: 0.9, refinement: nil, tokens: 1)
            case b: return .init(feedback: .step(1, .result), acceptProbability: 0.2, refinement: fixed, tokens: 5)
            default: return .init(feedback: .answer, acceptProbability: 0.1, refinement: nil, tokens: 1)       // c: flagged, no refinement
            }
        })
        var method = SelfEvolution()
        method.samplesPerProblem = 3; method.keepPerProblem = 4
        #expect(method.goldLabels(iteration: 2) == .none && method.goldLabels(iteration: 9) == .none)
        let data = try method.collect(context)
        let kept = data.examples.filter { $0.distilledPrefix == nil }
        #expect(kept.map(\.completion) == [a, fixed])          // a once (distinct), b's accepted refinement; nothing of q
        #expect(kept.allSatisfy { $0.problem == p && $0.unscoredPrefix == nil })
        // The meta-skills kept by distillation: p's first response with the feedback the model wrote
        // on it; q's first has a fault without a refinement, so nothing to keep.
        let retained = data.examples.filter { $0.distilledPrefix != nil }
        #expect(retained.count == 1 && retained[0].problem == p && retained[0].completion.isEmpty)
        #expect(retained[0].distilledPrefix == Feedback.request(after: a) + "accept")
        #expect(Dictionary(uniqueKeysWithValues: data.notes)["accepted"] == "2/6" && Dictionary(uniqueKeysWithValues: data.notes)["kept_refinements"] == "1")
    }

    /// The label-free guarantee through the loop: in self-evolution the method is handed the
    /// pool with blank answers and a task that cannot solve, and in the meta-skill stage only
    /// the annotated problems.
    @Test func theLoopHandsSelfEvolutionNoGoldAnswer() throws {
        var setup = SelfImprovementSetup(task: Self.task, difficulties: [2], iterations: 3, seed: 1, seedSet: [5])
        setup.poolPerDifficulty = 6
        let loop = SelfImprovementLoop(method: SelfEvolution(), setup: setup)
        #expect(loop.vocabulary == Self.vocabulary && loop.annotated.count == 6)
        #expect(Set(loop.annotated.map(\.key)).isDisjoint(with: loop.pool.map(\.key)))
        // Only the first iteration reads labels; the loop hands `.none` iterations blank answers
        // and an UnlabeledTask (the Spy of labelFreeMethodsNeverSeeGoldAnswers), on which the
        // method's collect runs.
        #expect((1...3).map(SelfEvolution().goldLabels(iteration:)) == [.annotated, .none, .none])
        let unlabeled = loop.pool.map(UnlabeledTask.strip)
        let context = try Self.context(unlabeled, task: UnlabeledTask(Self.task), iteration: 2, responses: { _ in ["<scratch>\n</scratch>\n1"] },
                                       feedback: { problem, _ in
            #expect(problem.answer.isEmpty && UnlabeledTask(Self.task).solve(problem).answer.isEmpty)
            return .init(feedback: .accept, acceptProbability: 1, refinement: nil, tokens: 1)
        })
        var method = SelfEvolution()
        method.samplesPerProblem = 1
        #expect(try method.collect(context).examples.count == 6 + 6)      // each answer, and its feedback kept
    }
}
