import Foundation
import SafetyKitNumerics
import SafetyKitReasoner

/// Writes a judge run's tables and charts (RUN/ of `safetykit judge`): every iteration's report
/// is kept whole in reports/iteration-N.json, and after each iteration every table is rebuilt
/// from the reports, so a resumed run's files equal an uninterrupted run's.
///
///     metrics.csv              per iteration and difficulty (and "all"): score accuracy, MAE,
///                              first-wrong-step agreement, calibration of score/5, best-of-k
///     calibration.csv          reliability bins of score/5 (all difficulties)
///     calibration_summary.csv  every calibration metric with bootstrap intervals
///     pairing.csv              self-rationalization's curation per iteration
///     preference.csv           DPO's per-step log (TRL's names)
///     judgments.jsonl          every held-out judgment, per iteration
///     timing.csv               wall time (not reproducible, so kept apart)
///     plots/judge.svg, plots/best-of-k.svg, plots/reliability.svg
package final class JudgeRecorder {
    package let directory: String
    package let data: JudgeData
    package let bootstrap: Int
    package let seed: UInt64
    package let binning: Binning
    private(set) var reports: [JudgeReport] = []
    private var timing: [String] = []

    package static let metricsHeader = [
        "iteration", "difficulty", "candidates", "readable", "exact_accuracy", "balanced_accuracy", "mae", "step_agreement",
        "right_recognized", "wrong_recognized", "ece_score", "ece_isotonic", "brier_score", "auroc_score", "problems", "best_of_k",
        "first_sample", "policy_ranked", "majority_vote", "oracle",
    ]
    static let pairingHeader = ["iteration", "items", "targeted", "with_chosen", "with_rejected", "pairs", "chosen_matches_gold",
                                "unreadable_samples", "samples", "chosen_score_1", "chosen_score_2", "chosen_score_3", "chosen_score_4",
                                "chosen_score_5", "sft_loss"]
    static let timingHeader = ["iteration", "collect_seconds", "train_seconds", "evaluate_seconds"]

    /// Opens a recorder, keeping the reports and timing rows of iterations up to `completed`.
    package init(directory: String, data: JudgeData, bootstrap: Int = 200, seed: UInt64, binning: Binning = .standard,
                keepingIterationsThrough completed: Int?) throws(AnalysisError) {
        self.directory = directory
        self.data = data
        self.bootstrap = bootstrap
        self.seed = seed
        self.binning = binning
        for sub in ["plots", "reports"] {
            if let reason = Folders.create(directory + "/" + sub) { throw .cannotCreate(path: directory + "/" + sub, reason: reason) }
        }
        guard let completed, completed >= 0 else { return }
        for n in 0...completed {
            let path = reportPath(n)
            guard let bytes = FileManager.default.contents(atPath: path) else { throw .missingFile(path: path) }
            guard let report = try? JSONDecoder().decode(JudgeReport.self, from: bytes), report.judgments.count == data.heldOutItems.count else {
                throw .badData(location: path, message: "not a judge report of this run; start the run afresh in an empty directory")
            }
            reports.append(report)
        }
        if let text = try? String(contentsOfFile: directory + "/timing.csv", encoding: .utf8) {
            timing = text.split(separator: "\n").dropFirst().map(String.init).filter { Int($0.prefix { $0 != "," }).map { $0 <= completed } ?? false }
        }
    }

    func reportPath(_ n: Int) -> String { directory + "/reports/iteration-\(n).json" }

    /// The metrics of a report over all difficulties, for progress lines and summaries.
    package func metrics(_ report: JudgeReport) -> JudgeMetrics { JudgeMetrics(data: data, judgments: report.judgments) }

    /// Records one iteration: its report, then every table rebuilt.
    package func record(_ report: JudgeReport, seconds: (collect: Double, train: Double, evaluate: Double)) throws {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        guard let json = try? encoder.encode(report), let text = String(data: json, encoding: .utf8) else {
            throw AnalysisError.cannotCreate(path: reportPath(report.iteration), reason: "the report cannot be encoded")
        }
        try OutputFile.write(text + "\n", to: reportPath(report.iteration))
        reports.removeAll { $0.iteration >= report.iteration }
        reports.append(report)
        timing.removeAll { Int($0.prefix { $0 != "," }).map { $0 >= report.iteration } ?? true }
        timing.append([String(report.iteration), String(format: "%.3f", seconds.collect), String(format: "%.3f", seconds.train),
                       String(format: "%.3f", seconds.evaluate)].joined(separator: ","))
        try writeAll()
    }

    /// Score/5 read as the probability that the candidate's answer is right, over readable judgments.
    func predictions(_ report: JudgeReport, difficulty: Int? = nil) -> (confidences: [Double], correct: [Bool]) {
        var confidences: [Double] = [], correct: [Bool] = []
        for (item, output) in zip(data.heldOutItems, report.judgments) where difficulty == nil || item.problem.difficulty == difficulty {
            guard let j = output.judgment else { continue }
            confidences.append(Double(j.score) / 5)
            correct.append(item.correct)
        }
        return (confidences, correct)
    }

    /// One iteration's measurements over one difficulty (nil: all), as metrics.csv's row holds them.
    package struct SummaryRow: Sendable {
        package var iteration: Int
        package var metrics: JudgeMetrics
        /// Score/5's calibration over the readable judgments (nil without any): plug-in ECE, the
        /// ECE after cross-fitted isotonic recalibration, Brier and AUROC.
        package var calibration: (ece: Double, isotonicECE: Double, brier: Double, auroc: Double?)?
    }

    /// The measurements of `report` over `difficulty` (nil: all difficulties).
    package func summary(_ report: JudgeReport, difficulty: Int? = nil) throws(AnalysisError) -> SummaryRow {
        let (confidences, correct) = predictions(report, difficulty: difficulty)
        var row = SummaryRow(iteration: report.iteration, metrics: JudgeMetrics(data: data, judgments: report.judgments, difficulty: difficulty))
        if !confidences.isEmpty {
            let r = CalibrationAnalysis(try Predictions(confidences: confidences, correct: correct), binning: binning).report()
            let isotonic = Recalibration.isotonic.crossFitted(confidences: confidences, correct: correct)
            let learned = CalibrationAnalysis(try Predictions(confidences: isotonic, correct: correct), binning: binning).report()
            row.calibration = (r.ece, learned.ece, r.brier, r.auroc)
        }
        return row
    }

    func writeAll() throws {
        let f = CSVNumber.format
        var metrics = CSVWriter.record(Self.metricsHeader)
        var summary = CSVWriter.record(["iteration"] + CalibrationReport.csvHeader(grouped: false, intervals: true))
        var bins = CSVWriter.record(["iteration", "bin", "lower", "upper", "count", "mean_confidence", "accuracy"])
        var pairing = CSVWriter.record(Self.pairingHeader)
        var preference = CSVWriter.record(SelfImprovementRecorder.preferenceHeader)
        var judgments = ""
        var panels: [(name: String, report: CalibrationReport)] = []
        let difficulties = Array(Set(data.heldOutItems.map(\.problem.difficulty))).sorted()
        for report in reports {
            for difficulty in [nil] + difficulties.map(Optional.some) {
                let row = try self.summary(report, difficulty: difficulty), m = row.metrics
                var calibration = ["", "", "", ""]
                if let c = row.calibration { calibration = [f(c.ece), f(c.isotonicECE), f(c.brier), c.auroc.map(f) ?? ""] }
                metrics += CSVWriter.record([String(report.iteration), difficulty.map(String.init) ?? "all", String(m.candidates), f(m.readable),
                                             f(m.exactAccuracy), f(m.balancedAccuracy), f(m.meanAbsoluteError), f(m.stepAgreement),
                                             f(m.rightRecognized), f(m.wrongRecognized)] + calibration
                                            + [String(m.problems), f(m.bestOfK), f(m.firstSample), f(m.policyRanked), f(m.majorityVote), f(m.oracle)])
            }
            let (confidences, correct) = predictions(report)
            if !confidences.isEmpty {
                let r = CalibrationAnalysis(try Predictions(confidences: confidences, correct: correct), binning: binning)
                    .report(bootstrap: bootstrap, seed: RandomStream(seed: seed, purpose: .runBootstrap).substream(UInt64(report.iteration)).key)
                summary += "\(report.iteration)," + r.csvRecord(group: nil, intervals: true)
                for (b, bin) in r.bins.enumerated() {
                    bins += CSVWriter.record([String(report.iteration), String(b), f(bin.lower), f(bin.upper), f(bin.count), f(bin.meanConfidence), f(bin.accuracy)])
                }
                panels.append((name: report.iteration == 0 ? "SFT judge" : "iteration \(report.iteration)", report: r))
            }
            if let p = report.pairing {
                pairing += CSVWriter.record([String(report.iteration), String(p.items), String(p.targeted), String(p.withChosen), String(p.withRejected),
                                             String(p.pairs), String(p.chosenMatchesGold), String(p.unreadable), String(p.samples)]
                                            + p.chosenScores.map(String.init) + [""])
            } else if let loss = report.sftLoss {
                pairing += CSVWriter.record([String(report.iteration)] + Array(repeating: "", count: 13) + [f(loss)])
            }
            for (step, log) in report.preferenceLog.enumerated() {
                preference += CSVWriter.record([String(report.iteration), String(step + 1), f(log.loss), f(log.rewardsChosen), f(log.rewardsRejected),
                                                f(log.margin), f(log.accuracy), f(log.logpChosen), f(log.logpRejected),
                                                f(Double(log.gradientNorm)), f(Double(log.learningRate))])
            }
            for (item, output) in zip(data.heldOutItems, report.judgments) {
                let judged = output.judgment
                judgments += JSONValue.object([
                    ("iteration", .number(Double(report.iteration))), ("problem", .string(item.problem.key)),
                    ("difficulty", .number(Double(item.problem.difficulty))), ("candidate", .string(item.candidate)),
                    ("correct", .bool(item.correct)), ("gold_score", .number(Double(item.gold.score))),
                    ("gold_wrong_step", item.gold.firstWrongStep.map { .number(Double($0)) } ?? .null),
                    ("judgment", .string(output.text)), ("score", judged.map { .number(Double($0.score)) } ?? .null),
                    ("wrong_step", judged?.firstWrongStep.map { .number(Double($0)) } ?? .null),
                ]).serialized() + "\n"
            }
        }
        try OutputFile.write(metrics, to: directory + "/metrics.csv")
        try OutputFile.write(summary, to: directory + "/calibration_summary.csv")
        try OutputFile.write(bins, to: directory + "/calibration.csv")
        try OutputFile.write(pairing, to: directory + "/pairing.csv")
        if reports.contains(where: { !$0.preferenceLog.isEmpty }) { try OutputFile.write(preference, to: directory + "/preference.csv") }
        try OutputFile.write(judgments, to: directory + "/judgments.jsonl")
        try OutputFile.write(CSVWriter.record(Self.timingHeader) + timing.map { $0 + "\n" }.joined(), to: directory + "/timing.csv")
        try writeCharts(panels: panels)
    }

    func writeCharts(panels: [(name: String, report: CalibrationReport)]) throws(AnalysisError) {
        let all = reports.map { (Double($0.iteration), JudgeMetrics(data: data, judgments: $0.judgments)) }
        func series(_ name: String, _ value: (JudgeMetrics) -> Double) -> LineChart.Series {
            LineChart.Series(name: name, points: all.map { (x: $0.0, y: value($0.1)) })
        }
        let quality = LineChart(title: "Judge quality over self-rationalization", subtitle: "held-out candidates; iteration 0 is the SFT judge",
                                xLabel: "iteration", yLabel: "share of held-out candidates",
                                series: [series("exact score", \.exactAccuracy), series("exact score (balanced)", \.balancedAccuracy),
                                         series("first wrong step", \.stepAgreement), series("readable", \.readable)],
                                integerX: true, yRange: 0...1)
        try OutputFile.write(quality.render(), to: directory + "/plots/judge.svg")
        let selection = LineChart(title: "Best-of-k selection by the judge", subtitle: "accuracy of the chosen sample among the policy's k",
                                  xLabel: "iteration", yLabel: "accuracy of the chosen sample",
                                  series: [series("judge's pick", \.bestOfK), series("policy's most confident", \.policyRanked),
                                           series("majority vote", \.majorityVote), series("random sample", \.firstSample),
                                           series("oracle (any right)", \.oracle)], integerX: true, yRange: 0...1)
        try OutputFile.write(selection.render(), to: directory + "/plots/best-of-k.svg")
        if !panels.isEmpty {
            try OutputFile.write(ReliabilityDiagram(title: "Judge score / 5 as P(candidate right)", panels: panels).render(),
                                 to: directory + "/plots/reliability.svg")
        }
    }
}
