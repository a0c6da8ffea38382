import Foundation
import SafetyKitNumerics
import SafetyKitReasoner

/// Observes a self-improvement run and writes its tables and charts into the run directory:
/// metrics.csv, timing.csv and, with calibration tracking, calibration.csv (reliability bins),
/// calibration_summary.csv (every metric with bootstrap intervals), samples.jsonl and the charts
/// in plots/. Each file is rewritten whole and renamed into place after every iteration, so a
/// kill leaves the previous iteration's complete files. On resume, rows of iterations after the
/// last completed one (written before the kill reached the run state) are dropped.
package final class SelfImprovementRecorder {
    package let directory: String
    package let method: String
    package let trackCalibration: Bool
    package let bootstrap: Int
    package let seed: UInt64
    package let binning: Binning
    /// The corrigibility probe and the confidence source it reads, with --offswitch-probe.
    package let probe: CorrigibilityProbe?
    package let probeSource: String
    private var metrics: [String] = [], timing: [String] = [], bins: [String] = [], summary: [String] = [], samples: [String] = []
    /// Preference training's per-step log (TRL's names), for preference methods.
    private var preference: [String] = []
    /// Per iteration and source, the calibration report (for the charts).
    private var reports: [Int: [String: CalibrationReport]] = [:]

    static let binHeader = ["iteration", "source", "bin", "lower", "upper", "count", "mean_confidence", "accuracy"]
    static let timingHeader = ["iteration", "collect_seconds", "train_seconds", "evaluate_seconds"]
    static let preferenceHeader = ["iteration", "step", "loss", "rewards/chosen", "rewards/rejected", "rewards/margins", "rewards/accuracies",
                                   "logps/chosen", "logps/rejected", "grad_norm", "learning_rate"]
    static var summaryHeader: [String] { ["iteration", "source"] + CalibrationReport.csvHeader(grouped: false, intervals: true) }

    /// Opens a recorder on `directory`, keeping the rows of iterations up to `completed` already
    /// there (a resumed run), and dropping everything after.
    package init(directory: String, method: String, trackCalibration: Bool, bootstrap: Int = 200, seed: UInt64,
                binning: Binning = .standard, probe: CorrigibilityProbe? = nil, probeSource: String = "answer",
                keepingIterationsThrough completed: Int?) throws(AnalysisError) {
        self.probe = probe
        self.probeSource = probeSource
        self.directory = directory
        self.method = method
        self.trackCalibration = trackCalibration
        self.bootstrap = bootstrap
        self.seed = seed
        self.binning = binning
        if let reason = Folders.create(directory + "/plots") { throw .cannotCreate(path: directory + "/plots", reason: reason) }
        guard let completed else { return }
        func kept(_ name: String, json: Bool = false) -> [String] {
            guard let text = try? String(contentsOfFile: directory + "/" + name, encoding: .utf8) else { return [] }
            return text.split(separator: "\n").dropFirst(json ? 0 : 1).map(String.init).filter { line in
                Self.iteration(of: line, json: json).map { $0 <= completed } ?? false
            }
        }
        metrics = kept("metrics.csv"); timing = kept("timing.csv"); bins = kept("calibration.csv")
        summary = kept("calibration_summary.csv"); samples = kept("samples.jsonl", json: true); preference = kept("preference.csv")
        reports = Self.reports(fromBins: bins, summary: summary, binning: binning)
    }

    /// The iteration a CSV row or a JSON line belongs to (its first field).
    static func iteration(of line: String, json: Bool) -> Int? {
        if json {
            guard let range = line.range(of: "\"iteration\":") else { return nil }
            return Int(line[range.upperBound...].prefix { $0.isNumber })
        }
        return Int(line.prefix { $0 != "," })
    }

    /// Records one iteration and rewrites every file.
    package func record(_ report: IterationReport) throws {
        // The probe over all held-out answers, solved once for its metrics and its per-answer decisions.
        let probeOfAll = report.records.isEmpty ? nil : try probe.map { try $0.run(IterationMetrics.probeItems(report.records, source: probeSource)) }
        for row in try IterationMetrics.rows(report, method: method, trackCalibration: trackCalibration, binning: binning,
                                             probe: probe, probeSource: probeSource, probeOfAll: probeOfAll) {
            metrics.append(CSVWriter.record(row).dropLast().description)
        }
        let f = CSVNumber.format
        for (step, log) in report.preferenceLog.enumerated() {
            preference.append([String(report.iteration), String(step + 1), f(log.loss), f(log.rewardsChosen), f(log.rewardsRejected), f(log.margin),
                               f(log.accuracy), f(log.logpChosen), f(log.logpRejected), f(Double(log.gradientNorm)),
                               f(Double(log.learningRate))].joined(separator: ","))
        }
        timing.append([String(report.iteration), String(format: "%.3f", report.seconds.collect), String(format: "%.3f", report.seconds.train),
                       String(format: "%.3f", report.seconds.evaluate)].joined(separator: ","))
        if trackCalibration {
            var perSource: [String: CalibrationReport] = [:]
            for (index, source) in IterationMetrics.sources.enumerated() {
                let analysis = CalibrationAnalysis(try IterationMetrics.predictions(report.records, source: source), binning: binning)
                let r = analysis.report(bootstrap: bootstrap, seed: RandomStream(seed: seed, purpose: .runBootstrap).substream(UInt64(report.iteration)).substream(UInt64(index)).key)
                perSource[source] = r
                summary.append("\(report.iteration),\(source)," + r.csvRecord(group: nil, intervals: true).dropLast())
                for (b, bin) in r.bins.enumerated() {
                    bins.append(CSVWriter.record([String(report.iteration), source, String(b), CSVNumber.format(bin.lower), CSVNumber.format(bin.upper),
                                                  CSVNumber.format(bin.count), CSVNumber.format(bin.meanConfidence),
                                                  CSVNumber.format(bin.accuracy)]).dropLast().description)
                }
            }
            reports[report.iteration] = perSource
        }
        if trackCalibration || probe != nil {
            // Per-sample records; with the probe, each answer's decision in the off-switch game.
            let decisions = probeOfAll?.decisions
            for (i, r) in report.records.enumerated() {
                var members: [(String, JSONValue)] = [
                    ("iteration", .number(Double(report.iteration))), ("problem", .string(r.problem.key)),
                    ("difficulty", .number(Double(r.problem.difficulty))), ("rationale", .string(r.greedy.solution?.rationale.joined(separator: "\n") ?? r.greedy.completion)),
                    ("answer", r.greedy.answer.map(JSONValue.string) ?? .null), ("gold", .string(r.problem.answer)),
                    ("correct", .bool(r.greedyCorrect)),
                    ("confidence", .object([("sequence", .number(r.greedy.sequenceConfidence)), ("answer", .number(r.greedy.answerConfidence)),
                                            ("vote", .number(r.majority?.share ?? 0))])),
                    ("majority_answer", r.majority.map { .string($0.answer) } ?? .null), ("majority_correct", .bool(r.majorityCorrect)),
                    ("source", .string("greedy; vote over \(r.sampleCount) samples")),
                ]
                if let d = decisions?[i] {
                    members.append(("probe", .object([("belief", .string(probeSource)), ("action", .string(d.action.rawValue)),
                                                      ("believed_delta", .number(d.believedDelta)), ("true_delta", .number(d.trueDelta)),
                                                      ("utility", .number(d.utility)), ("harmful", .bool(d.harmful))])))
                }
                samples.append(JSONValue.object(members).serialized())
            }
        }
        try writeAll()
    }

    private func writeAll() throws(AnalysisError) {
        func write(_ name: String, header: [String]?, _ lines: [String]) throws(AnalysisError) {
            var text = header.map { CSVWriter.record($0) } ?? ""
            for line in lines { text += line; text += "\n" }
            try OutputFile.write(text, to: directory + "/" + name)
        }
        try write("metrics.csv", header: IterationMetrics.header, metrics)
        try write("timing.csv", header: Self.timingHeader, timing)
        if !preference.isEmpty { try write("preference.csv", header: Self.preferenceHeader, preference) }
        if trackCalibration {
            try write("calibration.csv", header: Self.binHeader, bins)
            try write("calibration_summary.csv", header: Self.summaryHeader, summary)
        }
        if trackCalibration || probe != nil { try write("samples.jsonl", header: nil, samples) }
        try RunCharts(metricsRows: metrics, reports: reports, method: method, trackCalibration: trackCalibration,
                      probeSource: probe == nil ? nil : probeSource).write(to: directory + "/plots")
    }

    /// Rebuilds calibration reports (bins and ECE) from the kept rows, for the charts of a resumed run.
    static func reports(fromBins bins: [String], summary: [String], binning: Binning) -> [Int: [String: CalibrationReport]] {
        var result: [Int: [String: CalibrationReport]] = [:]
        let eceColumn = summaryHeader.firstIndex(of: "ece")!, nColumn = summaryHeader.firstIndex(of: "n")!
        for line in summary {
            let f = line.split(separator: ",", omittingEmptySubsequences: false).map(String.init)
            guard let i = Int(f[0]), f.count > eceColumn, let ece = Double(f[eceColumn]), let n = Double(f[nColumn]) else { continue }
            result[i, default: [:]][f[1]] = CalibrationReport(n: n, accuracy: 0, meanConfidence: 0, ece: ece, mce: 0, rmsce: 0, eceDebiased: .nan, brier: 0,
                                                              reliability: 0, resolution: 0, uncertainty: 0, nll: 0, auroc: nil, bins: [],
                                                              binning: binning)
        }
        for line in bins {
            let f = line.split(separator: ",").map(String.init)
            guard f.count == 8, let i = Int(f[0]), let lower = Double(f[3]), let upper = Double(f[4]), let count = Double(f[5]),
                  let confidence = Double(f[6]), let accuracy = Double(f[7]) else { continue }
            result[i]?[f[1]]?.bins.append(ReliabilityBin(lower: lower, upper: upper, count: count, meanConfidence: confidence, accuracy: accuracy))
        }
        return result
    }
}
