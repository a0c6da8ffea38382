import Foundation
import SafetyKitReasoner

/// The rows of RUN/metrics.csv for one iteration: one for all difficulties together ("all"),
/// then one per difficulty. Every column is reproducible from the seed (wall time is kept out,
/// in timing.csv), so a resumed run writes the same file as an uninterrupted one.
package enum IterationMetrics {
    /// The confidence sources tracked for calibration, in column order.
    package static let sources = ["sequence", "answer", "vote"]

    package static let header: [String] = [
        "iteration", "method", "difficulty", "heldout_problems", "greedy_accuracy", "maj_at_k", "pass_at_1", "pass_at_k",
        "pass_at_k_s", "best_of_k", "reward_at_k_s", "diversity", "mean_token_entropy", "validation_accuracy",
        "pool_problems", "selected", "selected_correct_share", "selected_steps_correct_share", "coverage_generation",
        "coverage_rationalization", "training_steps", "tokens_sampled", "tokens_trained",
    ] + sources.map { "ece_\($0)" } + probeColumns + ["notes"]

    /// The corrigibility probe's columns (blank without --offswitch-probe): the model's policy,
    /// the recalibrated one, and the baselines' utilities.
    package static let probeColumns = [
        "probe_deference", "probe_harmful", "probe_utility", "probe_regret", "probe_believed_delta", "probe_true_delta", "probe_delta_gap",
        "probe_recalibrated_deference", "probe_recalibrated_harmful", "probe_recalibrated_utility", "probe_recalibrated_regret",
        "probe_wait_utility", "probe_act_utility", "probe_oracle_utility",
    ]

    /// A confidence source's value for one held-out record and the correctness it goes with:
    /// the greedy answer's sequence or answer probability, or the majority answer's vote share
    /// with the majority's correctness (docs/calibration.md: pair each confidence with its own answer).
    static func confidence(_ r: HeldOutRecord, source: String) -> (confidence: Double, correct: Bool) {
        switch source {
        case "sequence": return (r.greedy.sequenceConfidence, r.greedyCorrect)
        case "vote": return (r.majority?.share ?? 0, r.majorityCorrect)
        default: return (r.greedy.answerConfidence, r.greedyCorrect)
        }
    }

    /// The probe's items for some held-out records, with the k samples' right count for the samples belief.
    package static func probeItems(_ records: [HeldOutRecord], source: String) -> [CorrigibilityProbe.Item] {
        records.map { r in
            let (c, right) = confidence(r, source: source)
            return .init(confidence: c, correct: right, samples: (r.correctSamples, r.sampleCount))
        }
    }

    static func probeFields(_ r: CorrigibilityProbe.Result?) -> [String] {
        guard let r else { return probeColumns.map { _ in "" } }
        let f = CSVNumber.format
        return [f(r.model.deferenceRate), f(r.model.harmfulRate), f(r.model.meanUtility), f(r.model.regret),
                r.model.meanBelievedDelta.map(f) ?? "", r.model.meanTrueDelta.map(f) ?? "", r.model.deltaGap.map(f) ?? "",
                f(r.recalibrated.deferenceRate), f(r.recalibrated.harmfulRate), f(r.recalibrated.meanUtility), f(r.recalibrated.regret),
                f(r.alwaysWait.meanUtility), f(r.alwaysAct.meanUtility), f(r.oracle.meanUtility)]
    }

    /// The predictions of one confidence source over some held-out records.
    package static func predictions(_ records: [HeldOutRecord], source: String) throws(AnalysisError) -> Predictions {
        let pairs = records.map { confidence($0, source: source) }
        return try Predictions(confidences: pairs.map(\.confidence), correct: pairs.map(\.correct))
    }

    /// The metrics rows of a report; ECE columns are filled when `trackCalibration` is set.
    package static func rows(_ report: IterationReport, method: String, trackCalibration: Bool, binning: Binning = .standard,
                            probe: CorrigibilityProbe? = nil, probeSource: String = "answer",
                            probeOfAll: CorrigibilityProbe.Result? = nil) throws -> [[String]] {
        let difficulties = Array(Set(report.records.map(\.problem.difficulty))).sorted()
        var groups: [(String, [HeldOutRecord], TrainingDataSummary?)] = []
        var total = TrainingDataSummary()
        for summary in report.trainingData.values {
            total.poolProblems += summary.poolProblems; total.selected += summary.selected
            total.selectedCorrect += summary.selectedCorrect; total.selectedStepsCorrect += summary.selectedStepsCorrect
            total.coveredByGeneration += summary.coveredByGeneration; total.coveredByRationalization += summary.coveredByRationalization
        }
        groups.append(("all", report.records, report.trainingData.isEmpty ? nil : total))
        for d in difficulties { groups.append((String(d), report.records.filter { $0.problem.difficulty == d }, report.trainingData[d])) }
        func share(_ a: Int, _ b: Int) -> String { b > 0 ? CSVNumber.format(Double(a) / Double(b)) : "" }
        func mean(_ records: [HeldOutRecord], _ value: (HeldOutRecord) -> Double) -> String {
            records.isEmpty ? "" : CSVNumber.format(records.reduce(0.0) { $0 + value($1) } / Double(records.count))
        }
        var rows: [[String]] = []
        for (name, records, data) in groups {
            let samples = records.reduce(0) { $0 + $1.sampleCount }
            let entropy = records.reduce(0.0) { $0 + $1.entropySum }, tokens = records.reduce(0) { $0 + $1.sampledTokens }
            var row = [String(report.iteration), method, name, String(records.count),
                       mean(records) { $0.greedyCorrect ? 1 : 0 }, mean(records) { $0.majorityCorrect ? 1 : 0 },
                       mean(records) { $0.sampleCount > 0 ? Double($0.correctSamples) / Double($0.sampleCount) : 0 },
                       mean(records) { $0.passAtK },
                       mean(records) { $0.passAtKS ? 1 : 0 }, mean(records) { $0.bestOfKCorrect ? 1 : 0 },
                       mean(records) { $0.topSCorrect ? 1 : 0 },
                       share(records.reduce(0) { $0 + $1.distinctCompletions }, samples),
                       tokens > 0 ? CSVNumber.format(entropy / Double(tokens)) : "",
                       name == "all" ? CSVNumber.format(report.validationAccuracy) : ""]
            if let data {
                row += [String(data.poolProblems), String(data.selected), share(data.selectedCorrect, data.selected),
                        share(data.selectedStepsCorrect, data.selected), share(data.coveredByGeneration, data.poolProblems),
                        share(data.coveredByRationalization, data.poolProblems)]
            } else {
                row += ["", "", "", "", "", ""]
            }
            row += name == "all" ? [String(report.trainingSteps), String(report.tokensSampled), String(report.tokensTrained)] : ["", "", ""]
            for source in sources {
                if trackCalibration && !records.isEmpty {
                    row.append(CSVNumber.format(CalibrationAnalysis(try predictions(records, source: source), binning: binning).report().ece))
                } else {
                    row.append("")
                }
            }
            // The all-difficulty probe may come solved already (the recorder also needs its decisions).
            let solved = name == "all" ? probeOfAll : nil
            row += probeFields(try solved ?? probe.flatMap { records.isEmpty ? nil : try $0.run(probeItems(records, source: probeSource)) })
            row.append(name == "all" ? report.notes.map { "\($0.0)=\($0.1)" }.joined(separator: " ") : "")
            rows.append(row)
        }
        return rows
    }
}
