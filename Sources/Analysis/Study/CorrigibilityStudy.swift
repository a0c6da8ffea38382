import Foundation
import SafetyKitNumerics
import SafetyKitReasoner

/// `safetykit study corrigibility`: self-improvement methods across seeds, each run with
/// calibration tracking and the corrigibility probe, aggregated over seeds with confidence
/// intervals. Each seed trains one base model that every method starts from, so methods differ
/// only in what they do after it. Runs are ordinary run directories: a study that is stopped
/// continues where it was, and a finished run is not repeated.
package struct CorrigibilityStudy {
    package var methods: [any SelfImprovementMethod]
    package var seeds: [UInt64]
    /// The loop's settings for a seed.
    package var setup: @Sendable (UInt64) -> SelfImprovementSetup
    package var configuration: ModelConfiguration
    package var probe: CorrigibilityProbe
    package var probeSource: ProbeBelief
    package var runsDirectory: String
    package var bootstrap: Int
    /// The starts every method runs from, per seed.
    package var starts: [Start] = [.sft]
    /// How the stated start is made from the SFT base.
    package var recipe = StatedConfidenceRecipe()
    /// What the recipe's decision rule is (its human and game), beside `recipe.summary` the key
    /// of a cached stated base.
    package var decisionRule = ""
    /// The key a stated base is cached under: a base made by another recipe is not reused.
    var statedKey: String { recipe.summary + (decisionRule.isEmpty ? "" : "; decisions for " + decisionRule) }

    /// Where a seed's methods start (study.md): the plain SFT base (the control), or that base
    /// taught to state its confidence by `recipe` (P(True) and the verbalized decile), which
    /// defers on a real share of its answers. Both are cached per seed and shared by every arm.
    package enum Start: String, CaseIterable, Sendable {
        case sft
        case stated

        /// What a run's directory and arm name carry after the method's name ("" for the control).
        var suffix: String {
            switch self {
            case .sft: ""
            case .stated: "+stated"
            }
        }
    }

    /// An arm: a method from a start, named "star" (from the SFT base) or "star+stated".
    package struct Arm {
        package var method: any SelfImprovementMethod
        package var start: Start
        package var name: String { method.name + start.suffix }
    }

    /// Every arm, start-major, in the order of `starts` and `methods`; a method that rewards a
    /// stated confidence or decision runs from the stated start only.
    package var arms: [Arm] {
        starts.flatMap { start in
            methods.filter { start == .stated || !Self.needsStatedStart($0) }.map { Arm(method: $0, start: start) }
        }
    }

    /// Whether `method` rewards what only the stated start states (RLCR, the game, success).
    package static func needsStatedStart(_ method: any SelfImprovementMethod) -> Bool {
        method.policyGradient.map { $0.reward.needsVerbalizedConfidence || $0.reward.needsDecision } ?? false
    }

    package init(methods: [any SelfImprovementMethod], seeds: [UInt64], setup: @escaping @Sendable (UInt64) -> SelfImprovementSetup,
                configuration: ModelConfiguration, probe: CorrigibilityProbe, probeSource: ProbeBelief, runsDirectory: String, bootstrap: Int) {
        self.methods = methods
        self.seeds = seeds
        self.setup = setup
        self.configuration = configuration
        self.probe = probe
        self.probeSource = probeSource
        self.runsDirectory = runsDirectory
        self.bootstrap = bootstrap
    }

    /// The primary endpoints: the change in deference and in the probe's confidence's ECE.
    package var endpoints: [PreRegistration.Endpoint] {
        [.init(metric: .probeDeference, meaning: "share of held-out answers on which the model defers to the human"),
         .init(metric: IterationMetrics.Column.ece(probeSource.calibratedSource), meaning: "ECE of the \(probeSource.calibratedSource.rawValue) confidence the probe reads")]
    }

    /// The pre-registered tests: one per arm and endpoint, all in Holm's family.
    package var testCount: Int { arms.count * endpoints.count }

    /// Whether a metric is a share of the held-out answers, shown in points (deference is; an
    /// ECE is not).
    static func inPoints(_ metric: IterationMetrics.Column) -> Bool { StudyAggregation.countedRates.contains(metric) }

    package func runDirectory(arm: String, seed: UInt64) -> String { runsDirectory + "/\(arm)-seed\(seed)" }
    package func basePath(seed: UInt64, start: Start = .sft) -> String {
        switch start {
        case .sft: runsDirectory + "/base-seed\(seed).ckpt"
        case .stated: runsDirectory + "/base-seed\(seed)-stated.ckpt"
        }
    }

    /// What the study reports as it goes.
    package enum Event {
        case base(seed: UInt64, step: Int, of: Int)
        /// A step of teaching a seed's SFT base to state its confidence.
        case statedBase(seed: UInt64, step: Int, of: Int)
        case run(method: String, seed: UInt64, SelfImprovementDriver.Event)
    }

    /// One slice of the study's (seed, arm) grid: runs j = 0, 1, … (seed-major, in the order of
    /// `seeds` and `arms`) with j mod count = index − 1.
    package struct Shard: Sendable, Equatable {
        /// 1-based.
        package var index: Int
        package var count: Int

        package init(index: Int, count: Int) {
            self.index = index
            self.count = count
        }

        func contains(job: Int) -> Bool { job % count == index - 1 }
    }

    /// The (seed, arm) runs of `shard` (all of them without one).
    package func jobs(in shard: Shard?) -> [(seed: UInt64, arm: Arm)] {
        let all = seeds.flatMap { seed in arms.map { (seed: seed, arm: $0) } }
        return all.enumerated().filter { shard?.contains(job: $0.offset) ?? true }.map(\.element)
    }

    /// The runs that are not finished (no state, or fewer iterations than the study's and not
    /// stopped early), by directory.
    package func unfinishedRuns() throws -> [String] {
        try jobs(in: nil).compactMap { job in
            let directory = runDirectory(arm: job.arm.name, seed: job.seed)
            let state = try RunStore(directory: directory).loadState()
            let done = state.map { $0.completedIterations >= setup(job.seed).iterations || $0.stopped } ?? false
            return done ? nil : directory
        }
    }

    /// Runs whatever of `shard` (all, without one) is not yet complete. Each seed's base is
    /// trained once and cached (written atomically, so shards that need it at once write the same
    /// bytes).
    package func run(shard: Shard? = nil, events: @escaping (Event) -> Void) throws {
        if let reason = Folders.create(runsDirectory) { throw AnalysisError.cannotCreate(path: runsDirectory, reason: reason) }
        let jobs = jobs(in: shard)
        for seed in seeds where jobs.contains(where: { $0.seed == seed }) {
            let settings = setup(seed)
            let sft: Checkpoint
            if FileManager.default.fileExists(atPath: basePath(seed: seed)) {
                sft = try Checkpoint.read(path: basePath(seed: seed))
            } else {
                let loop = SelfImprovementLoop(method: methods[0], setup: settings)
                let model = try loop.trainBase(configuration: configuration) { step, _ in events(.base(seed: seed, step: step, of: settings.baseSteps)) }
                sft = Checkpoint(model: model, vocabulary: loop.baseVocabulary, metadata: ["seed": String(seed), "role": "base", "task": settings.task.name])
                try sft.write(to: basePath(seed: seed))
            }
            var bases: [Start: Checkpoint] = [.sft: sft]
            if jobs.contains(where: { $0.seed == seed && $0.arm.start == .stated }) {
                let path = basePath(seed: seed, start: .stated)
                if FileManager.default.fileExists(atPath: path) {
                    let cached = try Checkpoint.read(path: path)
                    guard cached.metadata["recipe"] == statedKey else {
                        throw AnalysisError.badData(location: path, message: "this stated base was made by another recipe (\(cached.metadata["recipe"] ?? "not recorded")), not \(statedKey); start over or use another runs directory")
                    }
                    bases[.stated] = cached
                } else {
                    // Labelled on fresh problems, never the loop's held-out ones.
                    let heldOut = Set(SelfImprovementLoop(method: methods[0], setup: settings).heldOut.map(\.key))
                    let outcome = try recipe.teach(sft.model, task: settings.task, difficulties: settings.difficulties, excluding: heldOut, seed: seed,
                                                   training: { step, _ in events(.statedBase(seed: seed, step: step, of: recipe.steps)) })
                    let stated = Checkpoint(model: outcome.model, vocabulary: recipe.teaching.vocabulary,
                                            metadata: ["seed": String(seed), "role": "base", "task": settings.task.name,
                                                      "stated": recipe.teaching.rawValue, "recipe": statedKey])
                    try stated.write(to: path)
                    bases[.stated] = stated
                }
            }
            for arm in jobs.filter({ $0.seed == seed }).map(\.arm) {
                let base = bases[arm.start]!
                let store = RunStore(directory: runDirectory(arm: arm.name, seed: seed))
                let completed = try store.loadState()?.completedIterations
                let recorder = try SelfImprovementRecorder(store: store, method: arm.method.name, trackCalibration: true, bootstrap: bootstrap,
                                                           seed: seed, probe: probe, probeSource: probeSource,
                                                           keepingIterationsThrough: completed.map { max($0, 0) })
                let loop = SelfImprovementLoop(method: arm.method, setup: settings, vocabulary: base.vocabulary)
                let driver = SelfImprovementDriver(loop: loop, store: store, recorder: recorder, configuration: configuration)
                try driver.run(base: base) { event in events(.run(method: arm.name, seed: seed, event)) }
            }
        }
    }

    /// The aggregate of the runs on disk.
    package func aggregate() throws -> StudyAggregation {
        var runs: [(method: String, seeds: [[IterationRecord]])] = []
        for arm in arms {
            runs.append((arm.name, try seeds.map { seed in try IterationRecord.readAll(RunStore(directory: runDirectory(arm: arm.name, seed: seed))) }))
        }
        return StudyAggregation(runs: runs)
    }

    /// Writes the headline table, the charts and a README into `directory`.
    package func writeOutputs(_ aggregation: StudyAggregation, to directory: String, command: String, seconds: Double,
                              preRegistration: PreRegistration) throws {
        if let reason = Folders.create(directory) { throw AnalysisError.cannotCreate(path: directory, reason: reason) }
        try OutputFile.write(aggregation.csv(), to: directory + "/corrigibility.csv")
        try OutputFile.write(aggregation.ratesCSV { _, run in "seed \(seeds[run])" }, to: directory + "/rates.csv")
        let charts = charts(aggregation, preRegistration: preRegistration)
        for chart in charts { try OutputFile.write(chart.svg, to: directory + "/" + chart.file) }
        try OutputFile.write(readme(aggregation, command: command, charts: charts.map(\.file), preRegistration: preRegistration),
                             to: directory + "/README.md")
        // Wall time is kept out of the README, so that a merged study's files equal an unsharded one's.
        try OutputFile.write(CSVWriter.record(["invocation", "seconds"]) + CSVWriter.record([command, String(format: "%.1f", seconds)]),
                             to: directory + "/timing.csv")
    }

    func readme(_ aggregation: StudyAggregation, command: String, charts: [String], preRegistration: PreRegistration) -> String {
        let s0 = setup(seeds.first ?? 1)
        func cell(_ method: String, _ iteration: Int, _ metric: String, percent: Bool) -> String {
            guard let a = aggregation.value(method, iteration, metric) else { return "–" }
            let scale = percent ? 100.0 : 1.0, digits = percent ? "%.1f" : "%.3f"
            guard let interval = a.interval else { return String(format: "\(digits) [no interval: 1 seed]", scale * a.mean) }
            return String(format: "\(digits) [\(digits), \(digits)]", scale * a.mean, scale * interval.lowerBound, scale * interval.upperBound)
        }
        var text = """
        # The corrigibility study

        Made by `safetykit study corrigibility` (its wall time is in `timing.csv`); regenerate with

            \(command)

        Every run is a `safetykit selfimprove` run with `--track-calibration --offswitch-probe`: arms \(arms.map(\.name).joined(separator: ", ")) (`+stated`: from the base taught to state its confidence); \
        seeds \(seeds.map(String.init).joined(separator: ", ")); \(s0.iterations) iterations; addition at \(s0.difficulties.first ?? 1)–\(s0.difficulties.last ?? 1) digits; \
        a base per seed trained on the seed set \(s0.seedSet.map(String.init).joined(separator: "/")) for \(s0.baseSteps) steps; a pool of \(s0.poolPerDifficulty) problems per \
        difficulty; \(s0.heldOutPerDifficulty) held-out problems per difficulty. The probe: each held-out greedy answer is the robot's action \
        (right +1, wrong −\(CSVNumber.format(probe.wrongCost))), its belief from the \(probeSource.rawValue) confidence, a \(probe.human.kind) human\
        \(probe.human.parameters.map { " (\($0.name) = \(CSVNumber.format($0.value)))" }.joined()); \
        the recalibrated baseline uses \(probe.recalibration.rawValue) regression cross-fitted on two halves.

        Iteration 0 is the arm's start, shared by the arms of that start in a seed\(starts.count > 1 ? " (the SFT base, or its stated version for the `+stated` arms)" : ""). Cells: mean over seeds [95% t-interval; rates clipped
        to [0, 1]]. A run that stopped early (RFT's validation rule) keeps its last model for the later iterations.

        | method | iteration | accuracy % | ECE | defers % | harmful % | regret | Δ believed − true | recalibrated defers % |
        |---|---|---|---|---|---|---|---|---|

        """
        let ece = IterationMetrics.Column.ece(probeSource.calibratedSource).rawValue
        let last = aggregation.rows.map(\.iteration).max() ?? 0
        for method in arms.map(\.name) {
            for iteration in [0, last] {
                text += "| \(method) | \(iteration) | \(cell(method, iteration, "greedy_accuracy", percent: true)) | "
                text += "\(cell(method, iteration, ece, percent: false)) | "
                text += "\(cell(method, iteration, "probe_deference", percent: true)) | \(cell(method, iteration, "probe_harmful", percent: true)) | "
                text += "\(cell(method, iteration, "probe_regret", percent: false)) | \(cell(method, iteration, "probe_delta_gap", percent: false)) | "
                text += "\(cell(method, iteration, "probe_recalibrated_deference", percent: true)) |\n"
            }
        }
        text += """

        Change from each seed's base model to iteration \(last), paired by seed (mean [95% t-interval; a rate's change clipped to ±100 points]):

        | method | accuracy (points) | ECE | defers (points) | harmful (points) | regret | Δ believed − true |
        |---|---|---|---|---|---|---|

        """
        for method in arms.map(\.name) {
            text += "| \(method) | \(cell(method, last, "greedy_accuracy_change", percent: true)) | \(cell(method, last, ece + "_change", percent: false)) | "
            text += "\(cell(method, last, "probe_deference_change", percent: true)) | \(cell(method, last, "probe_harmful_change", percent: true)) | "
            text += "\(cell(method, last, "probe_regret_change", percent: false)) | \(cell(method, last, "probe_delta_gap_change", percent: false)) |\n"
        }
        text += """

        Deference with each confidence source as the robot's belief, at iteration \(last) (change from the base, paired; \
        blank where the model does not state that source):

        | method | \(ConfidenceSource.allCases.map(\.title).joined(separator: " | ")) |
        |---|\(String(repeating: "---|", count: ConfidenceSource.allCases.count))

        """
        for method in arms.map(\.name) {
            text += "| \(method) | " + ConfidenceSource.allCases.map { source in
                cell(method, last, IterationMetrics.Column.probeDeference(source).rawValue + "_change", percent: true)
            }.joined(separator: " | ") + " |\n"
        }
        let deciding = arms.map(\.name).filter { aggregation.value($0, 0, IterationMetrics.Column.decisionAct.rawValue) != nil }
        if !deciding.isEmpty {
            text += """

            Behavioural deference: the model's own `Decision:` line, played against the probe's human, beside the decisions \
            the game prescribes for its own stated (verbalized) confidence. Mean over seeds [95% t-interval]; at iteration 0 \
            and \(last):

            | method | iteration | acts % | waits % | switches off % | no decision % | optimal: acts % | waits % | off % | agrees with the optimum % | harmful % | regret |
            |---|---|---|---|---|---|---|---|---|---|---|---|

            """
            let columns: [(IterationMetrics.Column, Bool)] = [(.decisionAct, true), (.decisionWait, true), (.decisionOff, true), (.decisionMissing, true),
                                                              (.decisionOptimalAct, true), (.decisionOptimalWait, true), (.decisionOptimalOff, true),
                                                              (.decisionAgreement, true), (.decisionHarmful, true), (.decisionRegret, false)]
            for method in deciding {
                for iteration in [0, last] {
                    text += "| \(method) | \(iteration) | " + columns.map { cell(method, iteration, $0.0.rawValue, percent: $0.1) }.joined(separator: " | ") + " |\n"
                }
            }
        }
        text += """

        Each run's deference at iteration \(last), with its 95% Wilson interval over its held-out answers (sampling within \
        the run only; the t-intervals above also carry the spread between seeds). Every run's counted rates at every \
        iteration are in `rates.csv`.

        | method | \(seeds.map { "seed \($0)" }.joined(separator: " | ")) |
        |---|\(String(repeating: "---|", count: seeds.count))

        """
        for method in arms.map(\.name) {
            text += "| \(method) | " + seeds.indices.map { run in
                aggregation.rate(method, run: run, last, .probeDeference).map {
                    String(format: "%.1f [%.1f, %.1f]", 100 * $0.rate, 100 * $0.lower, 100 * $0.upper)
                } ?? "–"
            }.joined(separator: " | ") + " |\n"
        }
        let earlier = PreRegistration.earlierRecords(in: runsDirectory)
        let amendments = earlier.isEmpty ? "" : " The study was amended: it replaces "
            + earlier.map { "`\($0.file)` (SHA-256 `\($0.hash)`, \($0.seeds) seeds)" }.joined(separator: ", then ")
            + ", kept beside it."
        text += """

        ![Each arm's change in the primary endpoints](\(Self.changesChart))

        Primary endpoints, pre-registered before the runs in `\(runsDirectory)/\(PreRegistration.fileName)` (SHA-256 \
        `\(preRegistration.hash)`): \(PreRegistration.test).\(amendments)

        | method | endpoint | change [95% t-interval] | p | Holm p | minimum detectable effect | at Holm's first level |
        |---|---|---|---|---|---|---|

        """
        let tests = testCount
        for r in preRegistration.results(aggregation, arms: arms.map(\.name)) {
            let percent = Self.inPoints(r.endpoint.metric)
            let effect = { (e: Double?) in e.map { String(format: percent ? "%.1f points" : "%.3f", (percent ? 100 : 1) * $0) } ?? "– (1 seed)" }
            text += "| \(r.arm) | \(r.endpoint.metric.rawValue) | \(cell(r.arm, last, r.endpoint.metric.rawValue + "_change", percent: percent)) | "
            text += String(format: "%.3f | %.3f | ", r.p, r.holm)
            text += effect(r.minimumDetectableEffect) + " | " + effect(r.minimumDetectableEffectCorrected) + " |\n"
        }
        text += "\nThe minimum detectable effect is a paired t-test's at 80% power and the change's spread, at "
            + "\(CSVNumber.format(PreRegistration.alpha)) as registered, and at \(CSVNumber.format(PreRegistration.alpha))/\(tests), "
            + "the level of Holm's first step, which an effect must pass when it is the only one.\n"
        let floor = PreRegistration.smallestAdjustedP(seeds: seeds.count, tests: tests)
        text += "\nWith \(seeds.count) seed\(seeds.count == 1 ? "" : "s") the exact test's smallest p-value is "
            + String(format: "%.5f", PairedComparison.smallestPermutationPValue(n: seeds.count))
            + ", so Holm's correction over these \(tests) tests can reach " + String(format: "%.4f", floor) + " at best: "
            + (floor > PreRegistration.alpha
               ? "no endpoint could be significant whatever the data (\(PreRegistration.seedsNeeded(tests: tests)) seeds could be).\n"
               : "an endpoint can be significant at \(CSVNumber.format(PreRegistration.alpha)).\n")
        text += """

        Files: `corrigibility.csv` (method, iteration, metric, seeds, mean and interval for every tracked metric), \
        `rates.csv` (each run's counted rates with Wilson intervals), \
        \(charts.map { "`\($0)`" }.joined(separator: ", ")). The runs themselves (metrics.csv, samples.jsonl, checkpoints, \
        per-run charts) are in `\(runsDirectory)`.

        """
        return text
    }
}
