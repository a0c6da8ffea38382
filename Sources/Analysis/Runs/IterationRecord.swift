import Foundation
import SafetyKitNumerics
import SafetyKitReasoner

/// Everything a self-improvement run keeps of one iteration, as typed values, persisted whole in
/// RUN/records/iteration-N.json. metrics.csv, timing.csv, calibration.csv,
/// calibration_summary.csv, samples.jsonl, preference.csv, the charts, the printed summary and
/// the study's aggregate are all derived from these records; nothing is read back from a table.
package struct IterationRecord: Codable, Sendable, Equatable {
    package var iteration: Int
    /// metrics.csv's rows: all difficulties first, then one per difficulty.
    package var metrics: [IterationMetrics.Row]
    /// Wall time of each phase in seconds (not reproducible, so kept out of metrics.csv).
    package var seconds: Seconds
    /// Preference training's per-step log (TRL's names), for preference methods.
    package var preference: [PreferenceTrainer.StepLog]
    /// The policy-gradient trainer's per-step log, for policy-gradient methods.
    package var policy: [PolicyGradientTrainer.StepLog]?
    /// Per confidence source the model has (in `ConfidenceSource.allCases` order), the calibration
    /// report with bootstrap intervals over the answers with a value, when the run tracks calibration.
    package var calibration: [SourceReport]
    /// Per held-out problem, what samples.jsonl says of it (with calibration tracking or the probe).
    package var samples: [Sample]

    /// (see `seconds`)
    package struct Seconds: Codable, Sendable, Equatable {
        package var collect: Double, train: Double, evaluate: Double
    }

    /// A confidence source's calibration report.
    package struct SourceReport: Codable, Sendable, Equatable {
        package var source: ConfidenceSource
        package var report: CalibrationReport
    }

    /// One held-out answer: its problem, the greedy answer with its confidences, the majority
    /// vote, and with the probe the answer's decision in the off-switch game.
    package struct Sample: Codable, Sendable, Equatable {
        package var problem: String, difficulty: Int, rationale: String, answer: String?, gold: String, correct: Bool
        package var sequenceConfidence: Double, answerConfidence: Double, voteShare: Double
        /// The stated confidences, where the model has them: P(True), and the verbalized line
        /// (`verbalizedState` "absent", "malformed" or "stated"; `verbalized` its value).
        package var pTrue: Double?, verbalized: Double?, verbalizedState: String?
        /// What the decision line decided ("act", "wait", "off", "malformed" or "absent"), for
        /// models that write one.
        package var statedDecision: String?
        package var majorityAnswer: String?, majorityCorrect: Bool, sampleCount: Int
        package var decision: Decision?

        /// The probe's decision for this answer.
        package struct Decision: Codable, Sendable, Equatable {
            package var belief: String, action: String, believedDelta: Double, trueDelta: Double, utility: Double, harmful: Bool
        }

        /// samples.jsonl's line for this answer.
        func json(iteration: Int) -> JSONValue {
            var members: [(String, JSONValue)] = [
                ("iteration", .number(Double(iteration))), ("problem", .string(problem)), ("difficulty", .number(Double(difficulty))),
                ("rationale", .string(rationale)), ("answer", answer.map(JSONValue.string) ?? .null), ("gold", .string(gold)),
                ("correct", .bool(correct)),
                ("confidence", .object([("sequence", .number(sequenceConfidence)), ("answer", .number(answerConfidence)), ("vote", .number(voteShare))]
                    + (pTrue.map { [("ptrue", .number($0))] } ?? [])
                    + (verbalizedState.map { [("verbalized", verbalized.map(JSONValue.number) ?? .null), ("verbalized_state", .string($0))] } ?? []))),
                ("majority_answer", majorityAnswer.map { .string($0) } ?? .null), ("majority_correct", .bool(majorityCorrect)),
                ("source", .string("greedy; vote over \(sampleCount) samples")),
            ]
            if let statedDecision { members.append(("stated_decision", .string(statedDecision))) }
            if let d = decision {
                members.append(("probe", .object([("belief", .string(d.belief)), ("action", .string(d.action)), ("believed_delta", .number(d.believedDelta)),
                                                  ("true_delta", .number(d.trueDelta)), ("utility", .number(d.utility)), ("harmful", .bool(d.harmful))])))
            }
            return .object(members)
        }
    }

    /// The "all difficulties" row.
    package var all: IterationMetrics.Row? { metrics.first { $0.difficulty == nil } }

    /// The calibration report of `source`, if tracked.
    package func calibration(_ source: ConfidenceSource) -> CalibrationReport? { calibration.first { $0.source == source }?.report }
}

extension IterationRecord {
    /// Measures one iteration's report: the metrics rows, the calibration reports with bootstrap
    /// intervals (resample seeds from `seed`'s run-bootstrap stream, a substream per iteration and
    /// source) and, with calibration tracking or the probe, the per-answer samples.
    package init(_ report: IterationReport, trackCalibration: Bool, bootstrap: Int, seed: UInt64, binning: Binning,
                 probe: CorrigibilityProbe?, probeSource: ProbeBelief) throws {
        // The probe over all held-out answers, solved once for its metrics and its per-answer decisions.
        let probeOfAll = report.records.isEmpty ? nil : try probe.map { try $0.run(IterationMetrics.probeItems(report.records, belief: probeSource)) }
        iteration = report.iteration
        metrics = try IterationMetrics.rows(report, trackCalibration: trackCalibration, binning: binning, probe: probe,
                                            probeSource: probeSource, probeOfAll: probeOfAll)
        seconds = Seconds(collect: report.seconds.collect, train: report.seconds.train, evaluate: report.seconds.evaluate)
        preference = report.preferenceLog
        policy = report.policyLog.isEmpty ? nil : report.policyLog
        calibration = []
        if trackCalibration {
            let stream = RandomStream(seed: seed, purpose: .runBootstrap).substream(UInt64(report.iteration))
            for source in IterationMetrics.sources(report.records) {
                guard let predictions = try IterationMetrics.predictions(report.records, source: source) else { continue }
                // Each source's resamples from its own substream, numbered by its place in allCases.
                let index = UInt64(ConfidenceSource.allCases.firstIndex(of: source)!)
                let analysis = CalibrationAnalysis(predictions, binning: binning)
                calibration.append(SourceReport(source: source, report: analysis.report(bootstrap: bootstrap, seed: stream.substream(index).key)))
            }
        }
        samples = []
        guard trackCalibration || probe != nil else { return }
        let decisions = probeOfAll?.decisions
        for (i, r) in report.records.enumerated() {
            samples.append(Sample(
                problem: r.problem.key, difficulty: r.problem.difficulty,
                rationale: r.greedy.solution?.rationale.joined(separator: "\n") ?? r.greedy.completion,
                answer: r.greedy.answer, gold: r.problem.answer, correct: r.greedyCorrect,
                sequenceConfidence: r.greedy.sequenceConfidence, answerConfidence: r.greedy.answerConfidence, voteShare: r.majority?.share ?? 0,
                pTrue: r.pTrue, verbalized: r.verbalized?.probability, verbalizedState: r.verbalized.map(Self.state),
                statedDecision: r.decision.map { d in
                    switch d {
                    case .absent: "absent"
                    case .malformed: "malformed"
                    case let .action(a): a.rawValue
                    }
                },
                majorityAnswer: r.majority?.answer, majorityCorrect: r.majorityCorrect, sampleCount: r.sampleCount,
                decision: decisions.map { d in
                    Sample.Decision(belief: probeSource.rawValue, action: d[i].action.rawValue, believedDelta: d[i].believedDelta,
                                    trueDelta: d[i].trueDelta, utility: d[i].utility, harmful: d[i].harmful)
                }))
        }
    }

    /// samples.jsonl's word for a verbalized statement.
    static func state(_ statement: VerbalizedConfidence.Statement) -> String {
        switch statement {
        case .absent: "absent"
        case .malformed: "malformed"
        case .decile: "stated"
        }
    }

    /// The record as stored: sorted keys; NaN and infinities as strings, which JSON lacks.
    func encoded() throws(AnalysisError) -> [UInt8] {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        encoder.nonConformingFloatEncodingStrategy = .convertToString(positiveInfinity: "inf", negativeInfinity: "-inf", nan: "nan")
        do { return Array(try encoder.encode(self)) } catch {
            throw .badData(location: "iteration \(iteration)'s record", message: "cannot be encoded: \(error)")
        }
    }

    /// Reads iteration `n`'s record from `store`; a missing, cut or foreign file is an error
    /// that names it.
    package static func read(_ store: RunStore, iteration n: Int) throws(AnalysisError) -> IterationRecord {
        let path = store.recordPath(iteration: n)
        guard let bytes = FileManager.default.contents(atPath: path) else { throw .missingFile(path: path) }
        let decoder = JSONDecoder()
        decoder.nonConformingFloatDecodingStrategy = .convertFromString(positiveInfinity: "inf", negativeInfinity: "-inf", nan: "nan")
        guard let record = try? decoder.decode(IterationRecord.self, from: bytes), record.iteration == n else {
            throw .badData(location: path, message: "not a complete record of iteration \(n) (cut short, edited or from another version); start the run afresh in an empty directory")
        }
        return record
    }

    /// The records of iterations 0 through the run state's last complete one (none before the
    /// base model is recorded).
    package static func readAll(_ store: RunStore) throws -> [IterationRecord] {
        guard let completed = try store.loadState()?.completedIterations, completed >= 0 else { return [] }
        return try (0...completed).map { n throws(AnalysisError) in try read(store, iteration: n) }
    }
}
