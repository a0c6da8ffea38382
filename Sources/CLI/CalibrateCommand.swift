import SafetyKitAnalysis
import Foundation
import SafetyKitNumerics

/// `safetykit calibrate`: calibration metrics for anyone's predictions, from a CSV file.
enum CalibrateCommand {
    static let example = "safetykit calibrate notebooks-data/calibration/two-models.csv --confidence-column confidence --correct-column correct --group-column model --plot reliability.svg"

    static let spec = CommandSpec(
        name: "calibrate",
        summary: """
        Calibration of stated confidences against correctness: ECE, MCE, RMSCE, Brier (with Murphy's
        reliability, resolution and uncertainty), NLL and AUROC, with seeded bootstrap intervals, and a
        reliability diagram. Conventions are those of docs/calibration.md and are stated beside every number.
        """,
        usage: "safetykit calibrate FILE [--input-format FMT] [--confidence-column NAME] [--correct-column NAME] [options]",
        options: [
            EvaluationLogInput.option,
            .init(name: "confidence-column", value: "NAME", help: "CSV: column of confidences, each in [0, 1] (never clipped).", defaultValue: "confidence"),
            .init(name: "correct-column", value: "NAME", help: "CSV: column of correctness: 0/1 or true/false.", defaultValue: "correct"),
            .init(name: "group-column", value: "NAME", help: "Report each value of this column (CSV) or dotted field (JSON logs, e.g. doc.subject) separately."),
            EvaluationLogInput.scorerOption,
            EvaluationLogInput.sourceOption,
            .init(name: "bins", value: "B", help: "Number of bins.", defaultValue: "15", kind: .integer(1...100_000)),
            .init(name: "binning", value: "SCHEME", help: "width (edges k/B, last bin closed) or mass (equal counts, as numpy's array_split; tied confidences never split, each tie goes whole to the bin of its middle rank, so the labels never choose a bin).", defaultValue: "width"),
            .init(name: "bootstrap", value: "N", help: "Bootstrap resamples for 95% intervals (BCa unless --interval percentile); 0 for none, else at least 40.", defaultValue: "1000"),
            .init(name: "interval", value: "METHOD", help: "bca (bias-corrected and accelerated: ECE and its kin are biased upwards, and BCa corrects for it) or percentile.", defaultValue: "bca"),
            .init(name: "seed", value: "S", help: "Seed of the bootstrap (resample r uses stream r).", defaultValue: "1"),
            .init(name: "threads", value: "N", help: "Threads for the bootstrap; results are identical for any N.", shownDefault: "all cores", kind: .integer(1...1024)),
            .init(name: "format", value: "FMT", help: "table, csv or json (one object, or one line per group).", shownDefault: "table on a terminal, else csv"),
            .init(name: "out", value: "FILE", help: "Write the report here instead of stdout (atomically).", defaultValue: "stdout"),
            .init(name: "plot", value: "FILE.svg", help: "Draw reliability diagrams (one panel per group, up to 12)."),
            .init(name: "quiet", value: nil, help: "No progress or notes on stderr."),
        ],
        discussion: """
        Pair every confidence with the correctness of the same answer (a majority-vote share goes with the
        majority answer). ECE is biased upward at small n and a constant predictor at the base rate scores
        about 0, so read it beside Brier, NLL and AUROC. AUROC is reported as missing, not 0.5, when every
        answer is right or every answer is wrong.

        Evaluation logs are read directly. lm-evaluation-harness samples (multiple-choice tasks): the
        confidence is the softmax probability of the most likely choice, correct its `acc`. inspect_ai
        logs: correct from the score (C or I), the confidence from metadata.confidence or the output's
        token log-probabilities. Completions (OpenAI or TRL JSON Lines): confidence from `confidence` or
        the token log-probabilities (exp of their mean), correct from `correct`, `reward` or `score`.

        Example (a file in this repository; two models with the same answers, one overconfident):
          \(example)
          safetykit calibrate Tests/AnalysisTests/Fixtures/lm-eval-samples.jsonl --group-column doc.subject
        """,
        positionals: "FILE")

    static func run(_ arguments: [String]) throws -> ExitCode {
        let args = try spec.parse(arguments)
        try args.applyThreads()
        if args.help { Terminal.printOut(spec.help); return .success }
        guard let path = args.positionals.first, args.positionals.count == 1 else {
            throw CLIError.usage(args.positionals.isEmpty
                ? "calibrate needs a CSV file with a confidence and a correctness column, e.g.: \(example)"
                : "calibrate takes one file, got \(args.positionals.count)")
        }
        let confidenceColumn = args.string("confidence-column") ?? "confidence"
        let correctColumn = args.string("correct-column") ?? "correct"
        let groupColumn = args.string("group-column")
        let binCount = args.integer("bins")!
        let binning = try Binning(scheme: try args.choice("binning", ["width", "mass"]) ?? "width", count: binCount)
        let resamples = try args.bootstrapResamples(default: 1000)
        let intervalMethod = CalibrationAnalysis.IntervalMethod(rawValue: try args.choice("interval", CalibrationAnalysis.IntervalMethod.allCases.map(\.rawValue)) ?? "bca")!
        let seed = try args.seed()
        let threads = args.integer("threads") ?? Parallel.availableCores
        let format = try args.outputFormat([.table, .csv, .json], piped: .csv)
        let quiet = args.flag("quiet")

        // Open outputs first: a bad path fails before any work.
        let output = try OutputFile(path: args.string("out"))
        let plotOutput = try args.string("plot").map { try OutputFile(path: $0) }

        let start = Date()
        let (table, inputFormat) = try EvaluationLogInput.readWithFormat(args, path: path, group: groupColumn)
        let groups = table.groups
        // What was calibrated: the CSV's columns, or the log's own mapping (EvaluationLog).
        let what: String
        switch inputFormat {
        case .csv: what = "'\(confidenceColumn)' against '\(correctColumn)'"
        case .lmEval: what = "the most likely choice's probability against acc (lm-evaluation-harness samples)"
        case .inspect: what = "the stated or token-probability confidence against the score (inspect_ai log)"
        case .completions: what = "the stated or token-probability confidence against correct/reward (completions)"
        case .samples: what = "the \(args.value("confidence-source")!) confidence against its answer's correctness (SafetyKit samples)"
        }
        let readTime = Date().timeIntervalSince(start)
        let total = groups.reduce(0) { $0 + $1.predictions.count }

        let progress = ResampleCounter(ProgressBar(total: resamples * groups.count, unit: "resamples", quiet: quiet))
        var reports: [(name: String?, report: CalibrationReport)] = []
        let computeStart = Date()
        for group in groups {
            let analysis = CalibrationAnalysis(group.predictions, binning: binning)
            let report = analysis.report(bootstrap: resamples, seed: seed, method: intervalMethod, threads: threads) { _ in progress.tick() }
            if report.auroc == nil && !quiet {
                let which = group.name.map { "group '\($0)': " } ?? ""
                Terminal.printError("note: \(which)AUROC is undefined because every answer is \(report.accuracy == 1 ? "right" : "wrong"); it is reported as missing")
            }
            reports.append((group.name, report))
        }
        progress.bar.finish()
        let computeTime = Date().timeIntervalSince(computeStart)

        switch format {
        case .csv:
            var text = CSVWriter.record(CalibrationReport.csvHeader(grouped: groupColumn != nil, intervals: resamples > 0))
            for (name, report) in reports { text += report.csvRecord(group: name, intervals: resamples > 0) }
            try output.write(text)
        case .json:
            if reports.count == 1 && groupColumn == nil {
                try output.write(reports[0].report.json(group: nil).pretty() + "\n")
            } else {
                let lines = JSONLinesWriter(output)
                for (name, report) in reports { try lines.write(report.json(group: name)) }
            }
        case .table:
            for (name, report) in reports {
                var title = "Calibration of \(what) in \(path)"
                if let name { title += ", \(groupColumn!) = \(name)" }
                title += ": n = \(CSVNumber.format(report.n)), \(binning.description)"
                if resamples > 0 { title += ", \(resamples) bootstrap resamples (seed \(seed))" }
                try output.write(report.table(title: title) + "\n")
            }
        }
        try output.commit()
        if let plotOutput {
            let shown = reports.prefix(12).map { (name: $0.name.map { "\(groupColumn!) = \($0)" } ?? "", report: $0.report) }
            try plotOutput.write(ReliabilityDiagram(title: inputFormat == .csv ? "Reliability: \(confidenceColumn) against \(correctColumn)" : "Reliability: \(path.split(separator: "/").last ?? "")", panels: Array(shown)).render())
            try plotOutput.commit()
        }
        if !quiet {
            var summary = String(format: "calibrated %d predictions in %d group(s): read in %.3f s, metrics%@ in %.3f s",
                                 total, reports.count, readTime, resamples > 0 ? " and \(resamples) resamples" : "", computeTime)
            if let plot = args.string("plot") { summary += "; reliability diagram in \(plot)" + (reports.count > 12 ? " (first 12 groups)" : "") }
            Terminal.printError(summary)
        }
        return .success
    }

    /// Counts finished resamples across threads and draws the progress bar, under a lock.
    final class ResampleCounter: @unchecked Sendable {
        private let lock = NSLock()
        private var count = 0
        let bar: ProgressBar
        init(_ bar: ProgressBar) { self.bar = bar }
        func tick() {
            lock.lock()
            count += 1
            bar.update(count)
            lock.unlock()
        }
    }
}
