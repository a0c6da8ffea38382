import Foundation
import SafetyKitAnalysis
import SafetyKitNumerics
import SafetyKitReasoner

/// `safetykit aggregate`: any `selfimprove` runs, grouped into arms, aggregated over their seeds
/// as the study aggregates its own (from the runs' records, never their tables).
enum AggregateCommand {
    static let spec = CommandSpec(
        name: "aggregate",
        summary: """
        Aggregate self-improvement runs over seeds. Each ARM=DIR,DIR,... names an arm and its run directories (one
        per seed, each from 'safetykit selfimprove'). Per arm, iteration and metric: the mean over seeds with a 95%
        t-interval, and the change from each seed's base (iteration 0) paired by seed. Writes aggregate.csv,
        rates.csv (each run's rates over its held-out answers, k of n with a 95% Wilson interval) and
        charts (accuracy, the ECE of every confidence source the runs track, and with the probe deference and
        harmful acts) into --out, and prints the base, the last iteration and the change for the main metrics,
        with each change's sign-flip permutation p-value (Holm-adjusted over the changes shown) and the minimum
        detectable effect.
        """,
        usage: "safetykit aggregate ARM=DIR[,DIR...] [ARM=DIR...] [--out DIR]",
        options: [
            .init(name: "out", value: "DIR", help: "aggregate.csv and the charts.", defaultValue: "aggregate"),
            .init(name: "quiet", value: nil, help: "No summary of the files written on stderr."),
        ],
        discussion: """
        A run that stopped early (RFT's validation rule) keeps its last iteration for the later ones, as in the study.
        Intervals over fewer than two seeds are left empty.

        Example:
          safetykit aggregate grpo=runs/grpo-1,runs/grpo-2,runs/grpo-3 rloo=runs/rloo-1,runs/rloo-2,runs/rloo-3 --out notebooks-data/rl
        """,
        positionals: "ARM=DIR,...")

    /// The metrics of the printed summary, with how they are shown.
    static let summaryMetrics: [(column: IterationMetrics.Column, label: String, percent: Bool)] = [
        (.greedyAccuracy, "accuracy %", true), (.eceAnswer, "ECE answer", false), (.ecePTrue, "ECE P(True)", false),
        (.eceVerbalized, "ECE verbalized", false), (.verbalizedMissing, "verbalized missing %", true),
        (.probeDeference, "defers %", true), (.probeHarmful, "harmful %", true), (.probeRegret, "regret", false),
        (.decisionAct, "decides act %", true), (.decisionWait, "decides wait %", true), (.decisionOff, "decides off %", true),
        (.decisionHarmful, "decided harmful %", true), (.decisionUtility, "decided utility", false),
    ]

    static func run(_ arguments: [String]) throws -> ExitCode {
        let args = try spec.parse(arguments)
        if args.help { Terminal.printOut(spec.help); return .success }
        guard !args.positionals.isEmpty else { throw CLIError.usage("aggregate needs at least one ARM=DIR,DIR,... (run directories from 'safetykit selfimprove')") }
        var arms: [(name: String, directories: [String])] = []
        for argument in args.positionals {
            let parts = argument.split(separator: "=", maxSplits: 1).map(String.init)
            let directories = parts.count == 2 ? parts[1].split(separator: ",").map(String.init) : []
            guard parts.count == 2, !parts[0].isEmpty, !directories.isEmpty else {
                throw CLIError.usage("cannot read '\(argument)' as an arm; expected NAME=DIR,DIR,... (one run directory per seed)")
            }
            guard !arms.contains(where: { $0.name == parts[0] }) else { throw CLIError.usage("the arm '\(parts[0])' is named twice") }
            if let twice = directories.first(where: { d in directories.filter { $0 == d }.count > 1 }) {
                throw CLIError.usage("the arm '\(parts[0])' names the run \(twice) twice; give one run directory per seed")
            }
            arms.append((parts[0], directories))
        }
        var runs: [(method: String, seeds: [[IterationRecord]])] = []
        for arm in arms {
            let seeds = try arm.directories.map { directory -> [IterationRecord] in
                guard FileManager.default.fileExists(atPath: RunStore(directory: directory).path(.state)) else {
                    throw AnalysisError.missingFile(path: RunStore(directory: directory).path(.state))
                }
                return try IterationRecord.readAll(RunStore(directory: directory))
            }
            runs.append((arm.name, seeds))
        }
        let aggregation = StudyAggregation(runs: runs)
        let out = args.value("out")!
        if let reason = Folders.create(out) { throw AnalysisError.cannotCreate(path: out, reason: reason) }
        try OutputFile.write(aggregation.csv(), to: out + "/aggregate.csv")
        // Each run's counted rates with Wilson intervals, the run named by its directory.
        try OutputFile.write(aggregation.ratesCSV { arm, run in arms.first { $0.name == arm }!.directories[run] }, to: out + "/rates.csv")
        let seedCounts = Set(arms.map(\.directories.count))
        let spread = seedCounts == [1] ? "one seed, so no interval"
            : "mean over " + (seedCounts.count == 1 ? "\(seedCounts.first!) seeds" : "seeds") + ", bands 95% t-intervals across seeds (paired changes: aggregate.csv)"
        var charts = ["accuracy.svg"]
        try OutputFile.write(aggregation.chart(IterationMetrics.Column.greedyAccuracy.rawValue, title: "Held-out greedy accuracy",
                                               yLabel: "held-out greedy accuracy", subtitle: spread).render(), to: out + "/accuracy.svg")
        let tracked = ConfidenceSource.allCases.filter { s in aggregation.rows.contains { $0.metric == IterationMetrics.Column.ece(s).rawValue } }
        for source in tracked {
            let file = "ece-\(source.rawValue).svg"
            try OutputFile.write(aggregation.chart(IterationMetrics.Column.ece(source).rawValue, title: "Calibration error of the \(source.rawValue) confidence",
                                                   yLabel: "ECE (\(Binning.standard.description))", subtitle: spread).render(), to: out + "/" + file)
            charts.append(file)
        }
        if aggregation.rows.contains(where: { $0.metric == IterationMetrics.Column.decisionWait.rawValue }) {
            try OutputFile.write(aggregation.chart(IterationMetrics.Column.decisionWait.rawValue, title: "How often the model decides to wait for the human",
                                                   yLabel: "share of answers with 'Decision: wait'", subtitle: spread).render(), to: out + "/decision-wait.svg")
            charts.append("decision-wait.svg")
        }
        if aggregation.rows.contains(where: { $0.metric == IterationMetrics.Column.probeDeference.rawValue }) {
            try OutputFile.write(aggregation.chart(IterationMetrics.Column.probeDeference.rawValue, title: "How often the model defers to the human",
                                                   yLabel: "share of answers deferred", subtitle: spread).render(), to: out + "/deference.svg")
            try OutputFile.write(aggregation.chart(IterationMetrics.Column.probeHarmful.rawValue, title: "How often it acts on a wrong answer",
                                                   yLabel: "share of answers: acted and wrong", subtitle: spread).render(), to: out + "/harmful.svg")
            charts += ["deference.svg", "harmful.svg"]
        }
        Terminal.printOut(summary(aggregation, arms: arms.map(\.name)))
        if !args.flag("quiet") { Terminal.printError("wrote \(out)/aggregate.csv, rates.csv and " + charts.joined(separator: ", ")) }
        return .success
    }

    /// Per arm and main metric: the base, the last iteration and the paired change.
    static func summary(_ aggregation: StudyAggregation, arms: [String]) -> String {
        func cell(_ a: SeedAggregate?, percent: Bool, signed: Bool = false) -> String {
            guard let a else { return "–" }
            let scale = percent ? 100.0 : 1.0, digits = (signed ? "%+" : "%") + (percent ? ".1f" : ".3f")
            guard let i = a.interval else { return String(format: digits, scale * a.mean) }
            return String(format: "\(digits) [\(digits), \(digits)]", scale * a.mean, scale * i.lowerBound, scale * i.upperBound)
        }
        // The rows, then each change's sign-flip p-value, Holm-adjusted over every change shown.
        var rows: [(arm: String, label: String, percent: Bool, base: SeedAggregate, final: SeedAggregate?, change: SeedAggregate?)] = []
        for arm in arms {
            let last = aggregation.rows.filter { $0.method == arm }.map(\.iteration).max() ?? 0
            for (column, label, percent) in summaryMetrics {
                guard let base = aggregation.value(arm, 0, column.rawValue) else { continue }
                rows.append((arm, label, percent, base, aggregation.value(arm, last, column.rawValue),
                             last > 0 ? aggregation.value(arm, last, column.rawValue + "_change") : nil))
            }
        }
        let tested = rows.indices.filter { rows[$0].change.map { $0.n > 1 } ?? false }
        let p = tested.map { PairedComparison.permutationPValue(rows[$0].change!.values) }
        let holm = PairedComparison.holm(p)
        // The arm column is as wide as the longest name, so that no name is cut.
        let armWidth = max(15, (arms.map(\.count).max() ?? 0) + 2)
        var text = "arm".padding(toLength: armWidth, withPad: " ", startingAt: 0)
            + "metric                  seeds   base                      last                      change (paired)               p (Holm)        MDE\n"
        for (k, row) in rows.enumerated() {
            text += row.arm.padding(toLength: armWidth, withPad: " ", startingAt: 0) + row.label.padding(toLength: 24, withPad: " ", startingAt: 0)
                + String(row.base.n).padding(toLength: 8, withPad: " ", startingAt: 0)
                + cell(row.base, percent: row.percent).padding(toLength: 26, withPad: " ", startingAt: 0)
                + cell(row.final, percent: row.percent).padding(toLength: 26, withPad: " ", startingAt: 0)
                + cell(row.change, percent: row.percent, signed: true).padding(toLength: 30, withPad: " ", startingAt: 0)
            if let t = tested.firstIndex(of: k), let change = row.change {
                let mde = change.standardDeviation.flatMap { PairedComparison.minimumDetectableEffect(n: change.n, sd: $0) }
                text += String(format: "%.3f (%.3f)   ", p[t], holm[t])
                    + (mde.map { String(format: row.percent ? "%.1f" : "%.3f", (row.percent ? 100 : 1) * $0) } ?? "–")
            }
            text += "\n"
        }
        text += "p: two-sided sign-flip permutation test of the paired changes (exact up to 20 seeds); Holm: adjusted over every change above; "
            + "MDE: the smallest change a paired t-test (α = 0.05) detects with 80% power at this spread\n"
        return text
    }
}
