import Foundation
import Testing
@testable import SafetyKitAnalysis

/// Evaluation logs in the formats of lm-evaluation-harness, inspect_ai and OpenAI/TRL
/// completions, read into (confidence, correct, group). The fixtures are small files of our own,
/// written in each tool's format (field names and nesting as the tools write them).
@Suite("Evaluation logs")
struct EvaluationLogTests {
    static let fixtures = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Fixtures")
    static func path(_ name: String) -> String { fixtures.appendingPathComponent(name).path }
    static func bytes(_ name: String) throws -> [UInt8] { Array(try Data(contentsOf: fixtures.appendingPathComponent(name))) }

    static func close(_ a: [Double], _ b: [Double]) -> Bool { a.count == b.count && zip(a, b).allSatisfy { abs($0 - $1) < 1e-9 } }

    @Test func formatsAreDetectedFromTheContent() throws {
        #expect(EvaluationLog.Format.detect(try Self.bytes("lm-eval-samples.jsonl")) == .lmEval)
        #expect(EvaluationLog.Format.detect(try Self.bytes("inspect-log.json")) == .inspect)
        #expect(EvaluationLog.Format.detect(try Self.bytes("completions.jsonl")) == .completions)
        #expect(EvaluationLog.Format.detect(Array("confidence,correct\n0.5,1\n".utf8)) == .csv)
    }

    /// SafetyKit's own samples.jsonl: any confidence source by name, the vote share paired with the
    /// majority's correctness, an answer without a verbalized value left out, an absent source an
    /// error that lists the run's sources.
    @Test func safetyKitSamples() throws {
        let lines = [
            #"{"iteration":0,"problem":"1+2","correct":true,"confidence":{"sequence":0.9,"answer":0.8,"vote":0.75,"ptrue":0.7,"verbalized":0.6,"verbalized_state":"stated"},"majority_correct":false}"#,
            #"{"iteration":1,"problem":"3+4","correct":false,"confidence":{"sequence":0.5,"answer":0.4,"vote":1,"ptrue":0.2,"verbalized":null,"verbalized_state":"malformed"},"majority_correct":true}"#,
        ]
        let data = Data((lines.joined(separator: "\n") + "\n").utf8)
        #expect(EvaluationLog.Format.detect(Array(data)) == .samples)
        let ptrue = try EvaluationLog.parse(data, source: "s.jsonl", format: .samples, group: "iteration", confidenceSource: "ptrue")
        #expect(ptrue.groups.map(\.name) == ["0", "1"] && ptrue.groups.map(\.predictions.confidences) == [[0.7], [0.2]])
        let vote = try EvaluationLog.parse(data, source: "s.jsonl", format: .samples, confidenceSource: "vote")
        #expect(vote.groups[0].predictions.confidences == [0.75, 1] && vote.groups[0].predictions.correct == [false, true])
        let verbalized = try EvaluationLog.parse(data, source: "s.jsonl", format: .samples, confidenceSource: "verbalized")
        #expect(verbalized.groups[0].predictions.confidences == [0.6] && verbalized.groups[0].predictions.correct == [true])
        let plain = Data(#"{"iteration":0,"correct":true,"confidence":{"sequence":0.9,"answer":0.8,"vote":0.75},"majority_correct":true}"#.utf8)
        #expect(throws: AnalysisError.badData(location: "s.jsonl:1", message: "no 'ptrue' confidence; this run has answer, sequence, vote")) {
            _ = try EvaluationLog.parse(plain, source: "s.jsonl", format: .samples, confidenceSource: "ptrue")
        }
    }

    /// Multiple choice: the softmax probability of the most likely choice (by hand:
    /// e^−0.3 / (e^−1.2 + e^−0.3 + e^−2 + e^−2.5) = 0.588215799208), correct from `acc`; log-likelihoods
    /// as numbers and as strings; grouped by doc.subject.
    @Test func lmEvaluationHarnessSamples() throws {
        let table = try EvaluationLog.read(path: Self.path("lm-eval-samples.jsonl"), format: .lmEval, group: "doc.subject")
        #expect(table.groups.map(\.name) == ["anatomy", "nutrition"])
        #expect(Self.close(table.groups[0].predictions.confidences, [0.588215799208, 0.884729988256, 0.364944744089, 0.737649502197]))
        #expect(table.groups[0].predictions.correct == [true, true, false, false])
        #expect(Self.close(table.groups[1].predictions.confidences, [0.483323545683, 0.889731869364, 0.269214349446, 0.750320812034]))
        #expect(table.groups[1].predictions.correct == [true, true, false, true])
    }

    @Test func inspectLogs() throws {
        let table = try EvaluationLog.read(path: Self.path("inspect-log.json"), format: .inspect, group: "metadata.level")
        #expect(table.groups.map(\.name) == ["easy", "hard"])
        // exp(mean token log-probability), or metadata.confidence where given; C/I and 1/0 scores.
        #expect(Self.close(table.groups[0].predictions.confidences, [exp(-0.2), exp(-1.0)]))
        #expect(Self.close(table.groups[1].predictions.confidences, [0.25, exp(-0.4)]))
        #expect(table.groups.flatMap(\.predictions.correct) == [true, false, true, false])
    }

    @Test func completionLogs() throws {
        let table = try EvaluationLog.read(path: Self.path("completions.jsonl"), format: .completions)
        #expect(Self.close(table.groups[0].predictions.confidences, [exp(-0.05), exp(-0.7), exp(-0.2), 0.6]))
        #expect(table.groups[0].predictions.correct == [true, false, true, false])
    }

    /// Records without what calibration needs are errors that name the record.
    @Test(arguments: [
        (EvaluationLog.Format.lmEval, #"{"doc_id": 0, "filtered_resps": [["the answer is 4"]], "exact_match": 1.0}"#, "only multiple-choice records"),
        (.lmEval, #"{"doc_id": 0, "filtered_resps": [[-1, false], [-2, false]]}"#, "no 'acc' metric"),
        (.completions, #"{"choices": [{"message": {"content": "4"}}], "correct": true}"#, "no confidence"),
        (.completions, #"{"confidence": 0.7}"#, "no 'correct', 'reward' or 'score'"),
        (.completions, #"{"confidence": 0.7, "reward": 0.5}"#, "'reward' is 0.5"),
        (.completions, #"{"confidence": 1.5, "correct": 1}"#, "outside [0, 1]"),
        (.inspect, #"{"eval": {}, "samples": [{"scores": {"match": {"value": "P"}}, "metadata": {"confidence": 0.5}}]}"#, "partial credit"),
        (.inspect, #"{"eval": {}, "samples": [{"scores": {"match": {"value": "C"}}}]}"#, "no confidence"),
    ])
    func recordsMissingWhatIsNeededAreErrors(format: EvaluationLog.Format, text: String, message: String) throws {
        let path = NSTemporaryDirectory() + "log-\(UInt32.random(in: 0...UInt32.max))"
        try (text + "\n").write(toFile: path, atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(atPath: path) }
        do {
            _ = try EvaluationLog.read(path: path, format: format)
            Issue.record("expected an error containing \(message)")
        } catch {
            #expect("\(error)".contains(message), "\(error)")
            #expect("\(error)".contains(path), "the error names the file")
        }
    }
}
