import Foundation
import Testing
@testable import SafetyKitAnalysis
@testable import SafetyKitReasoner

@Suite("Self-improvement run records")
struct RunRecorderTests {
    static let task = AdditionTask()

    /// A report of one iteration over two held-out problems: one right, one wrong.
    static func report(_ iteration: Int) throws -> IterationReport {
        let evaluation = HeldOutEvaluation(samples: 2, passK: 1, uniqueCorrect: 1)
        func attempt(_ text: String, _ p: Float) -> Attempt {
            Attempt(completion: text, solution: task.parse(text), logProbabilities: [log(p), log(p)], entropies: [0.1, 0.2], answerTokenCount: 1)
        }
        let right = try task.problem(parsing: "1+2"), wrong = try task.problem(parsing: "3+4")
        let records = [
            HeldOutRecord(problem: right, greedy: attempt(task.target(right), 0.9), samples: [attempt(task.target(right), 0.9), attempt("x", 0.5)], evaluation: evaluation),
            HeldOutRecord(problem: wrong, greedy: attempt(task.target(right), 0.8), samples: [attempt(task.target(right), 0.8), attempt(task.target(right), 0.7)], evaluation: evaluation),
        ]
        var data = TrainingDataSummary()
        data.poolProblems = 10; data.selected = 4; data.selectedCorrect = 3; data.selectedStepsCorrect = 2; data.coveredByGeneration = 3
        return IterationReport(iteration: iteration, records: records, validationAccuracy: 0.5, trainingData: iteration == 0 ? [:] : [1: data],
                               tokensSampled: 100, tokensTrained: 50, trainingSteps: iteration == 0 ? 0 : 7, notes: [], stoppedEarly: false,
                               seconds: (1, 2, 3))
    }

    @Test func metricsRowsHoldTheIterationsNumbers() throws {
        let rows = try IterationMetrics.rows(try Self.report(1), method: "star", trackCalibration: true)
        #expect(rows.count == 2)                      // all, and difficulty 1
        let all = Dictionary(uniqueKeysWithValues: zip(IterationMetrics.header, rows[0]))
        #expect(all["greedy_accuracy"] == "0.5" && all["maj_at_k"] == "0.5" && all["selected"] == "4")
        #expect(all["selected_correct_share"] == "0.75" && all["coverage_generation"] == "0.3" && all["training_steps"] == "7")
        #expect(all["diversity"] == "0.75")           // 3 distinct of 4 samples
        #expect(all["mean_token_entropy"].flatMap(Double.init).map { abs($0 - 0.15) < 1e-6 } == true, "\(all["mean_token_entropy"]!)")
        // Sequence confidence: 0.9 (right) and 0.8 (wrong) fall in two bins: ECE = (0.1 + 0.8)/2.
        #expect(all["ece_sequence"].flatMap(Double.init).map { abs($0 - 0.45) < 1e-6 } == true, "\(all["ece_sequence"]!)")
    }

    @Test func resumingDropsRowsOfUnfinishedIterations() throws {
        let directory = NSTemporaryDirectory() + "safetykit-recorder-\(UUID().uuidString)"
        let first = try SelfImprovementRecorder(directory: directory, method: "star", trackCalibration: true, bootstrap: 40, seed: 1,
                                                keepingIterationsThrough: nil)
        for i in 0...2 { try first.record(try Self.report(i)) }
        let whole = try String(contentsOfFile: directory + "/metrics.csv", encoding: .utf8)
        // As if the kill came after iteration 2's tables but before its state: keep 0 and 1, redo 2.
        let resumed = try SelfImprovementRecorder(directory: directory, method: "star", trackCalibration: true, bootstrap: 40, seed: 1,
                                                  keepingIterationsThrough: 1)
        try resumed.record(try Self.report(2))
        #expect(try String(contentsOfFile: directory + "/metrics.csv", encoding: .utf8) == whole)
        let samples = try String(contentsOfFile: directory + "/samples.jsonl", encoding: .utf8).split(separator: "\n")
        #expect(samples.count == 6 && samples.filter { $0.contains("\"iteration\":2") }.count == 2)
        #expect(FileManager.default.fileExists(atPath: directory + "/plots/reliability-iteration-2.svg"))
    }
}
