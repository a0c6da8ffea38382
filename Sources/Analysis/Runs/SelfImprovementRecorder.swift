import Foundation
import SafetyKitNumerics
import SafetyKitReasoner

/// Observes a self-improvement run and writes its records, tables and charts into the run
/// directory (`RunStore` names them): each iteration's `IterationRecord` in records/, and, derived
/// from the records alone, metrics.csv, timing.csv and, with calibration tracking,
/// calibration.csv (reliability bins), calibration_summary.csv (every metric with bootstrap
/// intervals), samples.jsonl and the charts in plots/. Each file is rewritten whole and renamed
/// into place after every iteration, so a kill leaves the previous iteration's complete files.
/// On resume the records of iterations up to the last completed one are read back and checked,
/// and every table is rebuilt from them (a cut metrics.csv is simply re-made).
package final class SelfImprovementRecorder {
    package let store: RunStore
    package let method: String
    package let trackCalibration: Bool
    package let bootstrap: Int
    package let seed: UInt64
    package let binning: Binning
    /// The corrigibility probe and the confidence source it reads, with --offswitch-probe.
    package let probe: CorrigibilityProbe?
    package let probeSource: ProbeBelief
    /// The records so far, in iteration order.
    package private(set) var records: [IterationRecord] = []

    static let binHeader = ["iteration", "source", "bin", "lower", "upper", "count", "mean_confidence", "accuracy"]
    static let timingHeader = ["iteration", "collect_seconds", "train_seconds", "evaluate_seconds"]
    static let preferenceHeader = ["iteration", "step", "loss", "rewards/chosen", "rewards/rejected", "rewards/margins", "rewards/accuracies",
                                   "logps/chosen", "logps/rejected", "grad_norm", "learning_rate"]
    /// policy.csv's columns: TRL's GRPOTrainer names.
    static let policyHeader = ["iteration", "step", "loss", "reward", "reward_std", "frac_reward_zero_std", "kl", "clip_ratio", "entropy",
                               "completions/mean_length", "grad_norm", "learning_rate"]
    static var summaryHeader: [String] { ["iteration", "source"] + CalibrationReport.csvHeader(grouped: false, intervals: true) }

    /// Opens a recorder on `store`'s directory, reading the records of iterations up to
    /// `completed` already there (a resumed run); a missing or damaged one is an error.
    package init(store: RunStore, method: String, trackCalibration: Bool, bootstrap: Int = 200, seed: UInt64,
                binning: Binning = .standard, probe: CorrigibilityProbe? = nil, probeSource: ProbeBelief = .confidence(.answer),
                keepingIterationsThrough completed: Int?) throws(AnalysisError) {
        self.probe = probe
        self.probeSource = probeSource
        self.store = store
        self.method = method
        self.trackCalibration = trackCalibration
        self.bootstrap = bootstrap
        self.seed = seed
        self.binning = binning
        for entry in [RunStore.Entry.plots, .records] {
            let path = store.path(entry)
            if let reason = Folders.create(path) { throw .cannotCreate(path: path, reason: reason) }
        }
        guard let completed, completed >= 0 else { return }
        records = try (0...completed).map { n throws(AnalysisError) in try IterationRecord.read(store, iteration: n) }
    }

    /// Records one iteration: its record, then every file rebuilt from the records.
    package func record(_ report: IterationReport) throws {
        let record = try IterationRecord(report, trackCalibration: trackCalibration, bootstrap: bootstrap, seed: seed, binning: binning,
                                         probe: probe, probeSource: probeSource)
        let path = store.recordPath(iteration: record.iteration)
        if let reason = TemporaryFiles.writeAtomically(try record.encoded(), to: path) { throw AnalysisError.cannotCreate(path: path, reason: reason) }
        records.removeAll { $0.iteration >= record.iteration }
        records.append(record)
        try writeTables()
    }

    private func writeTables() throws(AnalysisError) {
        let f = CSVNumber.format
        var metrics = CSVWriter.record(IterationMetrics.header), timing = CSVWriter.record(Self.timingHeader)
        var preference = CSVWriter.record(Self.preferenceHeader), bins = CSVWriter.record(Self.binHeader)
        var summary = CSVWriter.record(Self.summaryHeader), samples = "", policy = CSVWriter.record(Self.policyHeader)
        for r in records {
            for row in r.metrics { metrics += CSVWriter.record(row.fields(iteration: r.iteration, method: method)) }
            timing += [String(r.iteration), String(format: "%.3f", r.seconds.collect), String(format: "%.3f", r.seconds.train),
                       String(format: "%.3f", r.seconds.evaluate)].joined(separator: ",") + "\n"
            for (step, log) in r.preference.enumerated() {
                preference += [String(r.iteration), String(step + 1), f(log.loss), f(log.rewardsChosen), f(log.rewardsRejected), f(log.margin),
                               f(log.accuracy), f(log.logpChosen), f(log.logpRejected), f(Double(log.gradientNorm)),
                               f(Double(log.learningRate))].joined(separator: ",") + "\n"
            }
            for (step, log) in (r.policy ?? []).enumerated() {
                policy += CSVWriter.record([String(r.iteration), String(step + 1), f(log.loss), f(log.rewardMean), f(log.rewardStd), f(log.zeroStdShare),
                                            f(log.kl), f(log.clipRatio), f(log.entropy), f(log.completionLength), f(Double(log.gradientNorm)),
                                            f(Double(log.learningRate))])
            }
            for (source, report) in r.calibration.map({ ($0.source.rawValue, $0.report) }) {
                summary += "\(r.iteration),\(source)," + report.csvRecord(group: nil, intervals: true)
                for (b, bin) in report.bins.enumerated() {
                    bins += CSVWriter.record([String(r.iteration), source, String(b), f(bin.lower), f(bin.upper), f(bin.count),
                                              f(bin.meanConfidence), f(bin.accuracy)])
                }
            }
            for sample in r.samples { samples += sample.json(iteration: r.iteration).serialized() + "\n" }
        }
        try OutputFile.write(metrics, to: store.path(.metrics))
        try OutputFile.write(timing, to: store.path(.timing))
        if records.contains(where: { !$0.preference.isEmpty }) { try OutputFile.write(preference, to: store.path(.preference)) }
        if records.contains(where: { $0.policy != nil }) { try OutputFile.write(policy, to: store.path(.policy)) }
        if trackCalibration {
            try OutputFile.write(bins, to: store.path(.calibration))
            try OutputFile.write(summary, to: store.path(.calibrationSummary))
        }
        if trackCalibration || probe != nil { try OutputFile.write(samples, to: store.path(.samples)) }
        try RunCharts(records: records, method: method, trackCalibration: trackCalibration,
                      probeSource: probe == nil ? nil : probeSource).write(to: store.path(.plots))
    }
}
