import Foundation
import Testing
@testable import SafetyKitNumerics
@testable import SafetyKitReasoner

@Suite("S^3c-Math: the splice, the mask, the step audit and the method's data")
struct SelfCorrectionTests {
    static let task = AdditionTask()
    static let marker = SelfCorrection.marker

    /// The splice puts the wrong step and the marker before the right step, and the kept steps
    /// of the result are the solution's own.
    @Test func theSpliceKeepsTheRightSteps() throws {
        let problem = try Self.task.problem(parsing: "457+386")
        let gold = Self.task.solve(problem)
        let (completion, wrongLine) = SelfCorrection.splice(gold, at: 1, wrong: "5 + 8 , 2 C: 1")
        let lines = completion.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        #expect(lines[0] == "<scratch>" && lines[1] == gold.rationale[0] && lines[wrongLine] == "5 + 8 , 2 C: 1" && wrongLine == 2)
        #expect(lines[3] == Self.marker && lines[4] == gold.rationale[1] && lines.last == gold.answer)
        let parsed = try #require(Self.task.parse(completion))
        #expect(SelfCorrection.keptSteps(parsed.rationale) == gold.rationale)
        #expect(Self.task.isCorrect(completion, for: problem))
        #expect(SelfCorrection.vocabulary(extending: .standard).count == Vocabulary.standard.count + 1)
        #expect(SelfCorrection.vocabulary(extending: SelfCorrection.vocabulary(extending: .standard)) == SelfCorrection.vocabulary(extending: .standard))
    }

    /// The mask leaves exactly the wrong step's tokens unscored: its line break, the marker and
    /// everything after are scored.
    @Test func theMaskCoversTheWrongStepOnly() throws {
        let problem = try Self.task.problem(parsing: "57+86")
        let gold = Self.task.solve(problem)
        let v = SelfCorrection.vocabulary(extending: .standard)
        let (completion, wrongLine) = SelfCorrection.splice(gold, at: 1, wrong: "5 + 8 , 9 C: 1")
        let masked = try TrainingExample(task: Self.task, problem: problem, vocabulary: v, completion: completion, unscoredLine: wrongLine)
        let plain = try TrainingExample(task: Self.task, problem: problem, vocabulary: v, completion: completion)
        #expect(masked.tokens == plain.tokens && plain.unscored == nil)
        let range = try #require(masked.unscored)
        #expect(v.decode(Array(masked.tokens[range])) == "5 + 8 , 9 C: 1")
        #expect(v.decode([masked.tokens[range.upperBound], masked.tokens[range.upperBound + 1]]) == "\n" + Self.marker)
        let (_, targets) = TrainingExample.batch([masked], length: masked.tokens.count, pad: v.pad)
        let (_, all) = TrainingExample.batch([plain], length: plain.tokens.count, pad: v.pad)
        for t in 0..<(masked.tokens.count - 1) {
            let isWrongStep = range.contains(t + 1)
            #expect((targets[t] < 0) == (t + 1 < masked.promptLength || isWrongStep), "position \(t)")
            if !isWrongStep { #expect(targets[t] == all[t]) }
        }
    }

    /// The audit by hand: a wrong step taken back and replaced by the right one is a corrected
    /// error; a right step taken back is a false correction; a wrong step left standing is an
    /// error that ends the reading.
    @Test func theAuditCountsErrorsCorrectionsAndFalseCorrections() {
        let gold = ["a", "b", "c"]
        let m = Self.marker
        func audit(_ r: [String]) -> SelfCorrection.StepAudit { SelfCorrection.audit(r, gold: gold) }
        let clean = audit(gold)
        #expect(clean.errors == 0 && clean.rightSteps == 3 && clean.falseCorrections == 0 && clean.keptStepsRight)
        let fixed = audit(["a", "x", m, "b", "c"])
        #expect(fixed.errors == 1 && fixed.corrected == 1 && fixed.rightSteps == 3 && fixed.keptStepsRight)
        let badFix = audit(["a", "x", m, "y", "c"])
        #expect(badFix.errors == 2 && badFix.corrected == 0 && badFix.rightSteps == 1 && !badFix.keptStepsRight)
        let falseAlarm = audit(["a", m, "a", "b", "c"])
        #expect(falseAlarm.falseCorrections == 1 && falseAlarm.rightSteps == 4 && falseAlarm.errors == 0 && falseAlarm.keptStepsRight)
        let standing = audit(["x", "b", "c"])
        #expect(standing.errors == 1 && standing.rightSteps == 0 && !standing.keptStepsRight)
        let stray = audit([m, "a", "b", "c"])
        #expect(stray.errors == 0 && stray.rightSteps == 3 && stray.keptStepsRight)
    }

    /// The method's data from scripted samples: a right solution for one problem (kept, and the
    /// source of corrections at two of its steps) and a wrong one for the other (nothing); the
    /// scripted alternative step is wrong everywhere, so each site gives one masked correction.
    @Test func theMethodSplicesTheModelsWrongStepsIntoRightSolutions() throws {
        let v = SelfCorrection.vocabulary(extending: .standard)
        let right = try Self.task.problem(parsing: "57+86"), wrong = try Self.task.problem(parsing: "12+34")
        let configuration = ModelConfiguration(vocabularySize: v.count, contextLength: 64, width: 16, depth: 1, heads: 2)
        var context = IterationContext(iteration: 1, model: try TransformerModel(configuration: configuration, seed: 1), task: Self.task,
                                       pool: [right, wrong], vocabulary: v, seed: 5)
        context.script = { problems, k, _, _ in
            problems.map { p in (0..<k).map { _ in Attempt(completion: p.key == right.key ? Self.task.target(p) : "<scratch>\n</scratch>\n4 6", task: Self.task) } }
        }
        let bad = try v.encode("9 + 9 , 9 C: 9")
        context.continuationScript = { prompts in prompts.map { _ in Sampler.Sample(tokens: bad, finished: true, logProbabilities: [0]) } }
        for mask in [true, false] {
            let method = StepLevelSelfCorrection(maskWrongStep: mask)
            let data = try method.collect(context)
            #expect(data.examples.count == 1 + method.positionsPerProblem)
            #expect(data.examples[0].completion == Self.task.target(right) && data.examples[0].unscoredLine == nil)
            for e in data.examples.dropFirst() {
                #expect(e.problem == right && e.completion.contains("9 + 9 , 9 C: 9\n\(Self.marker)\n"))
                let lines = e.completion.split(separator: "\n").map(String.init)
                let wrongLine = try #require(lines.firstIndex(of: "9 + 9 , 9 C: 9"))
                #expect(e.unscoredLine == (mask ? wrongLine : nil))
                #expect(SelfCorrection.keptSteps(Array(lines[1..<(lines.count - 2)])) == Self.task.solve(right).rationale)
            }
            #expect(data.notes.map(\.1) == ["1", String(method.positionsPerProblem)])
            #expect(method.name == (mask ? "s3c" : "s3c-unmasked"))
        }
    }
}
