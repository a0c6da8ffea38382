import Foundation
import SafetyKitAnalysis
import SafetyKitNumerics
import SafetyKitReasoner

/// `safetykit outcome`: Bereket and Leskovec's stochastic-outcome check of the policy-gradient
/// estimators (`StochasticOutcomeExperiment`), across seeds, to CSV and charts.
enum OutcomeCommand {
    static let spec = CommandSpec(
        name: "outcome",
        summary: """
        GRPO and stochastic outcomes (Bereket and Leskovec 2025): does a policy-gradient estimator keep a stated
        probability calibrated when the outcome is random? The prompt 'a + b' (a, b in 0..5) fixes p = (a+b)/10;
        the model states a decile q; the environment draws o ~ Bernoulli(p) for each response; the reward is a
        proper scoring rule of (q, o), so the best policy states q = p. Each seed trains one base (by default
        nearly calibrated: a decile within one of 10p), then every estimator trains from it with the same streams. Measured exactly
        over the 36 prompts from the policy's own distribution of deciles: ECE, overconfidence
        (E|q - 1/2| - E|p - 1/2|), E|q - p|, Brier and the share on the extreme deciles 0 and 10.
        """,
        usage: "safetykit outcome [--estimators grpo,drgrpo,rloo] [--seeds 10] [--steps 600] [--score brier] [--out DIR] [options]",
        options: [
            CommandSpec.threads,
            .init(name: "estimators", value: "LIST", help: "Estimators, comma-separated (grpo, drgrpo, rloo).", defaultValue: "grpo,drgrpo,rloo"),
            .init(name: "seeds", value: "N", help: "Seeds 1...N (one base each, shared by the estimators).", defaultValue: "10", kind: .integer(1...100)),
            .init(name: "steps", value: "N", help: "Policy-gradient steps per run.", defaultValue: "600", kind: .integer(1...100_000)),
            .init(name: "score", value: "NAME", help: "The reward's scoring rule: brier, log or spherical.", defaultValue: "brier",
                  kind: .choices(StochasticOutcomeExperiment.Score.self)),
            .init(name: "group-size", value: "G", help: "Responses per prompt.", defaultValue: "8", kind: .integer(2...256)),
            .init(name: "prompts", value: "N", help: "Prompts per step (drawn with replacement from the 36).", defaultValue: "16", kind: .integer(1...1024)),
            .init(name: "rl-lr", value: "X", help: "The policy's learning rate (constant).", defaultValue: "0.001", kind: .number(.positive)),
            .init(name: "start", value: "NAME", help: "The base: calibrated (10p - 1, 10p or 10p + 1, equally likely) or uniform (any decile).",
                  defaultValue: "calibrated", kind: .choices(StochasticOutcomeExperiment.Start.self)),
            .init(name: "base-steps", value: "N", help: "SFT steps of each base on its start's deciles.", defaultValue: "300", kind: .integer(1...100_000)),
            .init(name: "measure-every", value: "N", help: "Steps between measurements.", defaultValue: "50", kind: .integer(1...100_000)),
            .init(name: "out", value: "DIR", help: "curves.csv, summary.csv and the charts.", defaultValue: "notebooks-data/stochastic-outcome"),
            .init(name: "quiet", value: nil, help: "No progress on stderr."),
        ],
        discussion: """
        The paper's finding to check: GRPO's division by each group's reward std pushes the stated probability
        towards 0 and 1 (overconfidence > 0), while RLOO and GRPO without the std (Dr. GRPO) stay calibrated.
        summary.csv gives each estimator's final value per metric as the mean over seeds with a 95% t-interval, and
        its change from the shared base paired by seed.

        Example:
          safetykit outcome --seeds 10 --out notebooks-data/stochastic-outcome/calibrated-brier
        """)

    /// The metrics of a measurement, as summary.csv and the charts name them.
    enum Metric: String, CaseIterable {
        case ece, overconfidence, meanAbsoluteError = "mean_abs_error", brier, extremeShare = "extreme_share"

        func value(_ m: StochasticOutcomeExperiment.Measurement) -> Double {
            switch self {
            case .ece: m.ece
            case .overconfidence: m.overconfidence
            case .meanAbsoluteError: m.meanAbsoluteError
            case .brier: m.brier
            case .extremeShare: m.extremeShare
            }
        }
    }

    static func run(_ arguments: [String]) throws -> ExitCode {
        let args = try spec.parse(arguments)
        try args.applyThreads()
        if args.help { Terminal.printOut(spec.help); return .success }
        let estimators = try (args.string("estimators") ?? "grpo,drgrpo,rloo").split(separator: ",").map { part throws(CLIError) in
            let name = part.trimmingCharacters(in: .whitespaces)
            guard let e = AdvantageEstimator(rawValue: name) else {
                throw CLIError.usage("unknown estimator '\(name)' in --estimators; expected some of: \(AdvantageEstimator.allCases.map(\.rawValue).joined(separator: ", "))")
            }
            return e
        }
        guard Set(estimators).count == estimators.count else { throw CLIError.usage("--estimators names an estimator twice") }
        let seeds = args.integer("seeds")!, steps = args.integer("steps")!, quiet = args.flag("quiet")
        let out = args.value("out")!
        // Checked now, made only when the results are written: a stopped run leaves nothing.
        if let reason = Folders.creatable(out) { throw AnalysisError.cannotCreate(path: out, reason: reason) }
        var template = StochasticOutcomeExperiment(estimator: estimators[0])
        template.score = args.choice("score", as: StochasticOutcomeExperiment.Score.self)!
        template.groupSize = args.integer("group-size")!
        template.promptsPerStep = args.integer("prompts")!
        template.learningRate = Float(args.number("rl-lr")!)
        template.baseSteps = args.integer("base-steps")!
        template.start = args.choice("start", as: StochasticOutcomeExperiment.Start.self)!
        template.measureEvery = args.integer("measure-every")!
        template.steps = steps
        let settings = template

        // Runs (seed, estimator), each independent and single-threaded inside, on the cores.
        let jobs = (1...seeds).flatMap { seed in estimators.map { (seed: UInt64(seed), estimator: $0) } }
        let bases = Parallel.map(seeds, threads: Parallel.availableCores) { i in
            Result { () throws(ReasonerError) in try settings.base(seed: UInt64(i + 1)) }
        }
        let basesReady = try bases.map { try $0.get() }
        let progress = SharedProgress(ProgressBar(total: jobs.count * steps, unit: "steps", quiet: quiet))
        let results = Parallel.map(jobs.count, threads: Parallel.availableCores) { j in
            Result { () throws(ReasonerError) in
                var experiment = settings
                experiment.estimator = jobs[j].estimator
                return try experiment.run(from: basesReady[Int(jobs[j].seed) - 1], seed: jobs[j].seed) { _ in progress.advance() }
            }
        }
        progress.finish()
        let curves = try results.map { try $0.get() }

        if let reason = Folders.create(out) { throw AnalysisError.cannotCreate(path: out, reason: reason) }
        let curvesFile = try OutputFile(path: out + "/curves.csv"), summaryFile = try OutputFile(path: out + "/summary.csv")
        var text = CSVWriter.record(["estimator", "seed", "step", "reward"] + Metric.allCases.map(\.rawValue))
        for (job, curve) in zip(jobs, curves) {
            for m in curve {
                text += CSVWriter.record([job.estimator.rawValue, String(job.seed), String(m.step), m.reward.map(CSVNumber.format) ?? ""]
                                         + Metric.allCases.map { CSVNumber.format($0.value(m)) })
            }
        }
        try curvesFile.write(text)

        var summary = CSVWriter.record(["estimator", "metric", "seeds", "base", "final", "final_ci_lo", "final_ci_hi", "change", "change_ci_lo", "change_ci_hi"])
        var table = "estimator   metric            base      final [95% over \(seeds) seeds]        change [95%]\n"
        for estimator in estimators {
            let runs = zip(jobs, curves).filter { $0.0.estimator == estimator }.map(\.1)
            for metric in Metric.allCases {
                let base = runs.map { metric.value($0[0]) }, final = runs.map { metric.value($0[$0.count - 1]) }
                let b = SeedAggregate(base)!, f = SeedAggregate(final)!, c = SeedAggregate(zip(final, base).map { $0 - $1 })!
                summary += CSVWriter.record([estimator.rawValue, metric.rawValue, String(seeds), CSVNumber.format(b.mean), CSVNumber.format(f.mean),
                                             f.lower.map(CSVNumber.format) ?? "", f.upper.map(CSVNumber.format) ?? "", CSVNumber.format(c.mean),
                                             c.lower.map(CSVNumber.format) ?? "", c.upper.map(CSVNumber.format) ?? ""])
                func interval(_ a: SeedAggregate) -> String {
                    a.interval.map { String(format: "[%+.3f, %+.3f]", $0.lowerBound, $0.upperBound) } ?? "[one seed]"
                }
                table += estimator.rawValue.padding(toLength: 12, withPad: " ", startingAt: 0) + metric.rawValue.padding(toLength: 16, withPad: " ", startingAt: 0)
                    + String(format: "%7.3f   %7.3f ", b.mean, f.mean) + interval(f).padding(toLength: 20, withPad: " ", startingAt: 0)
                    + String(format: "%+7.3f ", c.mean) + interval(c) + "\n"
            }
        }
        try summaryFile.write(summary)

        // Charts: each metric's mean over seeds per estimator, with its t-band.
        for (metric, title, label) in [(Metric.overconfidence, "Overconfidence of the stated probability", "E|q − ½| − E|p − ½|"),
                                       (Metric.ece, "Calibration error of the stated probability", "ECE (exact, 11 deciles)")] {
            let series = estimators.map { estimator in
                let runs = zip(jobs, curves).filter { $0.0.estimator == estimator }.map(\.1)
                let points = runs[0].indices.map { i in (Double(runs[0][i].step), SeedAggregate(runs.map { metric.value($0[i]) })!) }
                return LineChart.Series(name: estimator.rawValue, points: points.map { ($0.0, $0.1.mean) },
                                        band: seeds > 1 ? points.map { ($0.0, $0.1.lower!, $0.1.upper!) } : nil)
            }
            let chart = LineChart(title: "\(title) under policy gradient (\(seeds) seeds)",
                                  subtitle: "stochastic outcomes, \(args.value("score")!) reward, \(args.value("start")!) start; mean over seeds with 95% t-band",
                                  xLabel: "policy-gradient step", yLabel: label, series: series, integerX: true)
            try OutputFile.write(chart.render(), to: out + "/" + metric.rawValue + ".svg")
        }
        try curvesFile.commit()
        try summaryFile.commit()
        Terminal.printOut(table)
        if !quiet { Terminal.printError("wrote \(out)/curves.csv, summary.csv, overconfidence.svg and ece.svg") }
        return .success
    }
}
