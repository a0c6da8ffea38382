import SafetyKitAnalysis
import Foundation
import SafetyKitGames
import SafetyKitNumerics
import SafetyKitReasoner

/// `safetykit study corrigibility`: the headline experiment, methods across seeds.
enum StudyCommand {
    static let studies = ["corrigibility"]

    static let spec = CommandSpec(
        name: "study",
        summary: """
        Run a study. 'corrigibility': does self-training change when a model defers to the human who can
        switch it off? Runs self-improvement methods across seeds (each seed's methods start from one base
        model), each with calibration tracking and the off-switch probe, and aggregates them with 95%
        t-intervals across seeds into a headline CSV, SVG charts and a README in --out.
        """,
        usage: "safetykit study corrigibility [--methods LIST] [--starts sft,stated] [--seeds 3] [--out DIR] [options]",
        options: CommandSpec.joined([
            CommandSpec.threads,
            .init(name: "methods", value: "LIST", help: "The arms' methods, comma-separated: " + SelfImproveCommand.methods.joined(separator: ", ") + "; a policy-gradient one may name its reward, e.g. rloo:game (else --reward's). Arms rewarding rlcr, game or success run from the stated start only.", defaultValue: "star,grpo,rloo:game,rloo:success"),
            .init(name: "seeds", value: "N", help: "Seeds 1...N.", defaultValue: "3", kind: .integer(1...100)),
            .init(name: "starts", value: "LIST", help: "Where each seed's methods start: sft (the plain base, the control), stated (that base taught to state its confidence and the game's best decision for it, as 'safetykit confidence --stated decision' with the probe's human), or sft,stated.",
                  defaultValue: "sft,stated"),
            .init(name: "stated-problems", value: "N", help: "The stated start: fresh labelling problems per difficulty.", defaultValue: String(StatedConfidenceRecipe().problemsPerDifficulty),
                  kind: .integer(1...1_000_000)),
            .init(name: "stated-steps", value: "N", help: "The stated start: training steps on the labelled answers.", defaultValue: String(StatedConfidenceRecipe().steps),
                  kind: .integer(1...1_000_000)),
            .init(name: "out", value: "DIR", help: "Headline CSV, charts and README.", defaultValue: "notebooks-data/corrigibility"),
            .init(name: "runs", value: "DIR", help: "The run directories and base models (large: checkpoints).", defaultValue: "runs/corrigibility"),
            .init(name: "iterations", value: "N", help: "Iterations per run.", defaultValue: "3", kind: .integer(1...100)),
            .init(name: "pool", value: "N", help: "Pool problems per difficulty.", defaultValue: "200", kind: .integer(1...100_000)),
            .init(name: "base-steps", value: "N", help: "SFT steps of each seed's base model.", defaultValue: "2000", kind: .integer(1...1_000_000)),
            .init(name: "heldout", value: "N", help: "Held-out problems per difficulty.", defaultValue: "100", kind: .integer(1...10_000)),
            .init(name: "digits", value: "A-B", help: "Difficulties of the seed set, pool and held-out set.", defaultValue: "1-4"),
            .init(name: "seed-set", value: "N,...", help: "Gold rationales per difficulty for each base model.", defaultValue: SelfImproveCommand.defaultSeedSet),
            .init(name: "eval-samples", value: "K", help: "Held-out samples per problem (maj@k, pass@k, vote share).", defaultValue: "8", kind: .integer(1...1024)),
        ], methodOptions, OptionGroups.modelShape, OptionGroups.probe, [
            .init(name: "bootstrap", value: "N", help: "Bootstrap resamples for each run's calibration intervals.", defaultValue: "200"),
            .init(name: "shard", value: "K/N", help: "Run only the K-th of N slices of the (seed, method) grid (for a cluster's job array); then --merge."),
            .init(name: "merge", value: nil, help: "Run nothing: aggregate the finished runs of every shard into --out (the same files as an unsharded study)."),
            .init(name: "force", value: nil, help: "Start over: delete the study's runs first."),
            .init(name: "quiet", value: nil, help: "No progress on stderr."),
        ]),
        discussion: """
        A stopped study continues where it was when run again with the same options (finished runs are kept,
        unfinished ones resume). The default, both starts with star, grpo, rloo:game and rloo:success (6 arms
        x 3 seeds, 3 iterations), took 45 minutes on 2 cores. The README's study section describes the editions run so far.

        Before its runs, the study writes RUNS/preregistration.json (its options, its primary endpoints and how
        they are tested); the results' README quotes its SHA-256 beside each endpoint's permutation p-value.
        It says at once when the tests cannot reject with so few seeds. A larger --seeds extends a study
        (an amendment: the earlier record is kept as RUNS/preregistration-1.json, and so on); a smaller one
        is refused.

        On a cluster, --shard K/N runs the K-th slice of the (seed, method) grid, and --merge, with the same
        options once every shard is done, writes --out: the same files as one unsharded study (scripts/slurm-study.sh
        submits a job array and its merge).

        --starts sft,stated runs every method from both starts of each seed: arms 'star' (the SFT base) and
        'star+stated' (that base after the stated-confidence recipe, cached as base-seedN-stated.ckpt).

        Example:
          safetykit study corrigibility --methods star,rft,bstar,lmsi --seeds 3 --out notebooks-data/corrigibility
          safetykit study corrigibility --methods star,grpo,rloo --starts sft,stated --seeds 10
          safetykit study corrigibility --seeds 10 --shard 3/10      (then the same with --merge)
        """,
        positionals: "STUDY")

    /// --shard K/N: 1 ≤ K ≤ N ≤ 10000.
    static func parseShard(_ text: String) throws(CLIError) -> CorrigibilityStudy.Shard {
        let parts = text.split(separator: "/", omittingEmptySubsequences: false)
        guard parts.count == 2, let k = Int(parts[0]), let n = Int(parts[1]), (1...10_000).contains(n), (1...n).contains(k) else {
            throw .usage("--shard must be K/N with 1 <= K <= N <= 10000, got '\(text)'")
        }
        return CorrigibilityStudy.Shard(index: k, count: n)
    }

    /// The methods' options, as `selfimprove` declares them, with the study's shorter training.
    static let methodOptions = OptionGroups.method.map { $0.name == "steps" ? $0.defaulting("200") : $0 }

    static func run(_ arguments: [String]) throws -> ExitCode {
        var args = try spec.parse(arguments)
        try args.applyThreads()
        if args.help { Terminal.printOut(spec.help); return .success }
        guard args.positionals.count == 1, studies.contains(args.positionals[0]) else {
            throw CLIError.usage("name the study: 'safetykit study corrigibility' (the studies are: \(studies.joined(separator: ", ")))")
        }
        // Arms as data: a method by name, a policy-gradient one optionally with its reward ("rloo:game").
        let names = try args.value("methods")!.split(separator: ",").map { part throws(CLIError) -> (SelfImproveCommand.MethodName, PolicyReward?) in
            let entry = part.trimmingCharacters(in: .whitespaces)
            let pieces = entry.split(separator: ":", maxSplits: 1).map(String.init)
            guard let method = SelfImproveCommand.MethodName(rawValue: pieces.first ?? "") else {
                throw CLIError.usage("unknown method '\(pieces.first ?? entry)' in --methods; expected some of: \(SelfImproveCommand.methods.joined(separator: ", ")), a policy-gradient one optionally as NAME:REWARD")
            }
            guard pieces.count == 2 else { return (method, nil) }
            guard method.estimator != nil, let reward = PolicyReward(rawValue: pieces[1]) else {
                throw CLIError.usage("cannot read '\(entry)' in --methods; a reward follows only grpo, drgrpo or rloo, and is one of: \(PolicyReward.allCases.map(\.rawValue).joined(separator: ", "))")
            }
            return (method, reward)
        }
        guard !names.isEmpty, Set(names.map { "\($0.0.rawValue):\($0.1?.rawValue ?? "")" }).count == names.count else {
            throw CLIError.usage("--methods must name each method once")
        }
        let seedCount = args.integer("seeds")!, iterations = args.integer("iterations")!, pool = args.integer("pool")!
        let baseSteps = args.integer("base-steps")!, heldOut = args.integer("heldout")!
        let bootstrap = try args.bootstrapResamples(default: 200, upTo: 100_000)
        let task = AdditionTask()
        let digits = try DigitRange.parse(args.string("digits") ?? "1-4", option: "digits", task: task)
        let seedSet = try SeedSetSizes.parse(args.string("seed-set") ?? SelfImproveCommand.defaultSeedSet, digits: digits, smallest: 0)
        let evalSamples = args.integer("eval-samples")!, preferenceRate = Float(args.number("preference-lr")!)
        let configuration = try ModelShape.configuration(args, vocabulary: task.vocabulary)
        // Every run has the probe: the study is about it.
        args.flags.insert("offswitch-probe")
        let methods = try names.map { name, reward throws(CLIError) in try SelfImproveCommand.makeMethod(name, args, reward: reward) }
        guard Set(methods.map(\.name)).count == methods.count else { throw CLIError.usage("--methods names one arm twice (with its --reward)") }
        let probe = try SelfImproveCommand.makeProbe(args)!
        let probeSource = args.choice("probe-source", as: ProbeBelief.self)!
        let starts = try args.value("starts")!.split(separator: ",").map { part throws(CLIError) in
            let name = part.trimmingCharacters(in: .whitespaces)
            guard let start = CorrigibilityStudy.Start(rawValue: name) else {
                throw CLIError.usage("unknown start '\(name)' in --starts; expected some of: \(CorrigibilityStudy.Start.allCases.map(\.rawValue).joined(separator: ", "))")
            }
            return start
        }
        guard Set(starts).count == starts.count else { throw CLIError.usage("--starts names a start twice") }
        // A stated confidence, read by the probe or rewarded, exists only from the stated start;
        // arms that reward it run from that start alone.
        if starts.contains(.sft) {
            do { try StandardModel.requireSource(probeSource.calibratedSource, vocabulary: task.vocabulary, option: "probe-source") } catch {
                throw CLIError.usage("--probe-source \(probeSource.rawValue) is stated only by the stated start; give --starts stated, or sequence, answer or vote")
            }
        }
        if !starts.contains(.stated), let method = methods.first(where: { CorrigibilityStudy.needsStatedStart($0) }) {
            throw CLIError.usage("\(method.name) rewards what only the stated start states; add it with --starts sft,stated or --starts stated")
        }
        let out = args.string("out") ?? "notebooks-data/corrigibility", runs = args.string("runs") ?? "runs/corrigibility"
        let quiet = args.flag("quiet")

        // The study's options: a continued study must use the same ones.
        // Shards and the merge share one record: how the grid is split is not part of the study.
        var options = spec.recorded(args, excluding: ["force", "quiet", "out", "shard", "merge", "threads"])
        let shard = try args.string("shard").map(parseShard)
        if shard != nil, args.flag("merge") { throw CLIError.usage("--shard runs a slice and --merge aggregates them all; give one of the two") }
        if shard != nil || args.flag("merge"), args.flag("force") {
            throw CLIError.usage("--force deletes every shard's runs; start over without --shard or --merge")
        }
        func record(_ options: [(String, JSONValue)]) -> JSONValue {
            .object([("safetykit", .string(safetyKitVersion)), ("study", .string("corrigibility")), ("options", .object(options))])
        }
        let recordPath = runs + "/study.json"
        let manager = FileManager.default
        if let existing = manager.contents(atPath: recordPath).flatMap({ String(data: $0, encoding: .utf8) }) {
            if args.flag("force") {
                try? manager.removeItem(atPath: runs)
            } else if RunDirectory.agrees(stored: existing, current: record(options).pretty() + "\n", extendable: ["seeds"], defaults: spec.recordedDefaults) {
                // More seeds extend a study (each seed's runs are independent of the others');
                // fewer would leave runs the record no longer names.
                if let stored = RunDirectory.option("seeds", in: existing).flatMap(Int.init), seedCount < stored {
                    throw CLIError.usage("\(runs) holds a study of \(stored) seeds; --seeds \(seedCount) cannot shrink it (give \(stored) or more)")
                }
                // A study begun before an option existed keeps its record, and so its
                // pre-registration, as first written.
                let stored = RunDirectory.optionNames(existing)
                options = options.filter { stored.contains($0.0) }
            } else {
                throw CLIError.usage("\(runs) holds a study with other options (see \(recordPath)); run it with those, or use --force to start over")
            }
        } else if args.flag("force"), manager.fileExists(atPath: runs) {
            throw AnalysisError.cannotCreate(path: runs, reason: "it is not a study's run directory; --force deletes only studies")
        }
        do { try manager.createDirectory(atPath: runs, withIntermediateDirectories: true) } catch {
            throw AnalysisError.cannotCreate(path: runs, reason: "the folder cannot be created (a file of that name, or no permission)")
        }
        try OutputFile.write(record(options).pretty() + "\n", to: recordPath)
        // The results directory is written only at the end: check now that it can be, so a long
        // study never fails at its last step on an unwritable --out.
        do { try manager.createDirectory(atPath: out, withIntermediateDirectories: true) } catch {
            throw AnalysisError.cannotCreate(path: out, reason: "the folder cannot be created")
        }
        let probeFile = try OutputFile(path: out + "/corrigibility.csv")
        probeFile.discard()

        var study = CorrigibilityStudy(
            methods: methods, seeds: (1...seedCount).map(UInt64.init),
            setup: { seed in
                var setup = SelfImprovementSetup(task: task, difficulties: Array(digits), iterations: iterations, seed: seed, seedSet: seedSet)
                setup.poolPerDifficulty = pool
                setup.evaluation = HeldOutEvaluation(samples: evalSamples, temperature: 0.7, passK: min(4, evalSamples))
                setup.baseSteps = baseSteps
                setup.heldOutPerDifficulty = heldOut
                setup.preferenceLearningRate = preferenceRate
                return setup
            },
            configuration: configuration,
            probe: probe, probeSource: probeSource, runsDirectory: runs, bootstrap: bootstrap)
        study.starts = starts
        study.recipe.problemsPerDifficulty = args.integer("stated-problems")!
        study.recipe.steps = args.integer("stated-steps")!
        // The stated start also decides: the off-switch game's best action for its stated
        // confidence under the probe's human (behavioural deference).
        study.recipe.teaching = .decision
        study.recipe.decide = SelfImproveCommand.decisionRule(probe)
        study.decisionRule = OptionGroups.human.map(\.name).map { "\($0) \(args.value($0)!)" }.joined(separator: ", ")
        // The pre-registration record, written before any run starts (and the same on continuing,
        // since the options are).
        let preRegistration = PreRegistration(configuration: record(options), endpoints: study.endpoints)
        try preRegistration.write(in: runs)
        // A design whose tests cannot reject is worth knowing before hours of runs.
        let tests = study.testCount
        let floor = PreRegistration.smallestAdjustedP(seeds: seedCount, tests: tests)
        if floor > PreRegistration.alpha {
            Terminal.printError("note: with \(seedCount) seeds the \(tests) pre-registered tests cannot reject: Holm's correction can reach "
                                + String(format: "%.3f", floor) + " at best, above \(CSVNumber.format(PreRegistration.alpha)); \(PreRegistration.seedsNeeded(tests: tests)) seeds or fewer arms can")
        }
        let start = Date()
        if !quiet { Terminal.printError("study corrigibility: \(study.arms.map(\.name).joined(separator: ", ")) x \(seedCount) seeds, \(iterations) iterations; runs in \(runs), results in \(out)") }
        var bar: ProgressBar? = nil, key = ""
        // A merge runs nothing: every shard's runs must be finished.
        if args.flag("merge") {
            let unfinished = try study.unfinishedRuns()
            guard unfinished.isEmpty else {
                throw AnalysisError.missingFile(path: unfinished.first! + " (and \(unfinished.count - 1) more unfinished runs: run every shard to the end before --merge)")
            }
        }
        let report: (CorrigibilityStudy.Event) -> Void = { event in
            switch event {
            case let .base(seed, step, total):
                if key != "base\(seed)" { bar = ProgressBar(total: total, unit: "steps", quiet: quiet); key = "base\(seed)" }
                bar?.update(step, detail: "base model, seed \(seed)")
                if step == total { bar?.finish() }
            case let .statedBase(seed, step, total):
                if key != "stated\(seed)" { bar?.finish(); bar = ProgressBar(total: total, unit: "steps", quiet: quiet); key = "stated\(seed)" }
                bar?.update(step, detail: "teaching seed \(seed)'s base to state its confidence")
                if step == total { bar?.finish() }
            case let .run(method, seed, .recorded(report)):
                bar?.finish(); key = ""
                if !quiet {
                    Terminal.printError("\(method), seed \(seed): " + SelfImproveCommand.progressLine(report, iterations: iterations, elapsed: Date().timeIntervalSince(start)))
                }
            case let .run(method, seed, .phase(iteration, name, done, total)):
                let k = "\(method)\(seed)\(iteration)\(name)"
                if key != k { bar?.finish(); bar = ProgressBar(total: total, unit: name == "training" ? "steps" : "problems", quiet: quiet); key = k }
                bar?.update(done, detail: "\(method), seed \(seed), iteration \(iteration): \(name)")
            default: break
            }
        }
        if !args.flag("merge") { try study.run(shard: shard, events: report) }
        if let shard {
            let ran = study.jobs(in: shard).count, all = study.jobs(in: nil).count
            Terminal.printOut("shard \(shard.index)/\(shard.count): \(ran) of the study's \(all) runs are finished in \(runs); when every shard is, aggregate them with the same options and --merge instead of --shard\n")
            return .success
        }
        let aggregation = try study.aggregate()
        // The command as a reader would rerun it unsharded: without --shard, --merge and --threads.
        var kept: [String] = [], skip = false
        for argument in arguments.dropFirst() {
            if skip { skip = false; continue }
            if ["--shard", "--threads"].contains(argument) { skip = true; continue }
            if argument == "--merge" || argument.hasPrefix("--shard=") || argument.hasPrefix("--threads=") { continue }
            kept.append(argument)
        }
        let command = "safetykit study corrigibility " + kept.joined(separator: " ")
        try study.writeOutputs(aggregation, to: out, command: command.trimmingCharacters(in: .whitespaces), seconds: Date().timeIntervalSince(start),
                               preRegistration: preRegistration)
        Terminal.printOut(try String(contentsOfFile: out + "/README.md", encoding: .utf8))
        if !quiet { Terminal.printError("wrote \(out)/corrigibility.csv, \(out)/README.md and the charts") }
        return .success
    }
}
