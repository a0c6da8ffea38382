import SafetyKitAnalysis
import Foundation
import SafetyKitReasoner

extension JudgeCommand {
    static let selfRationalizeSpec = CommandSpec(
        name: "judge selfrationalize",
        summary: """
        Continue a judge run (made by 'judge train') with rounds of self-rationalization: sample several judgments
        of every pool candidate at temperature 1; pair a judgment with the target score (chosen) with one whose
        score is --margin or more away, or which cannot be read (rejected); train with DPO plus the chosen
        judgment's NLL (iterative RPO's loss) against the previous round's judge. The target is the gold score, or with --pairing majority the samples' majority score
        (label-free). Each round is measured on the held-out candidates like iteration 0.
        """,
        usage: "safetykit judge selfrationalize --run RUN [--iterations N] [--margin M] [--pairing gold|majority] [--force]",
        options: [
            CommandSpec.threads,
            .init(name: "run", value: "RUN", help: "The judge run to continue.", defaultValue: "runs/judge"),
            .init(name: "iterations", value: "N", help: "Rounds of self-rationalization in all (a run continues after its last complete one).", defaultValue: "2", kind: .integer(1...1000)),
            .init(name: "judgments", value: "K", help: "Judgments sampled per pool candidate.", defaultValue: "4", kind: .integer(1...1024)),
            .init(name: "temperature", value: "T", help: "Their sampling temperature.", defaultValue: "1", kind: .number(.positive)),
            .init(name: "margin", value: "M", help: "Smallest score difference between chosen and rejected (1-4).", defaultValue: "2", kind: .integer(1...4)),
            .init(name: "pairs", value: "P", help: "Most pairs per candidate.", defaultValue: "1", kind: .integer(1...1024)),
            .init(name: "pairing", value: "NAME", help: "gold (chosen = the gold score) or majority (the majority score; no labels).", defaultValue: "gold"),
            .init(name: "preference-loss", value: "NAME", help: "rpo (DPO + the chosen judgment's NLL), dpo (the paper's; here it broke the judge's format) or ipo.", defaultValue: "rpo", kind: .choices(SelfImproveCommand.PreferenceLossName.self)),
            .init(name: "dpo-beta", value: "X", help: "The preference loss's beta, > 0.", defaultValue: "0.1", kind: .number(.positive)),
            .init(name: "dpo-alpha", value: "X", help: "rpo: weight of the chosen judgment's NLL.", defaultValue: "1", kind: .number(.nonNegative)),
            .init(name: "steps", value: "N", help: "Preference steps per round.", defaultValue: "200", kind: .integer(1...10_000_000)),
            .init(name: "lr", value: "X", help: "Peak learning rate of preference training.", defaultValue: "0.00002", kind: .number(.positive)),
            .init(name: "bootstrap", value: "N", help: "Bootstrap resamples for calibration intervals.", defaultValue: "200"),
            .init(name: "force", value: nil, help: "Drop earlier rounds and start again from the SFT judge (needed to change options)."),
            .init(name: "quiet", value: nil, help: "No progress on stderr."),
        ],
        discussion: """
        Rerunning the same command after a kill continues after the last complete round and writes the same
        files as an uninterrupted run. Rounds add rows to RUN/metrics.csv and write pairing.csv (curation's
        counts), preference.csv (TRL's rewards/chosen, rewards/rejected, margins, accuracies and log-probs per
        step) and checkpoints/iteration-N.ckpt. RUN/selfrationalize.json records the options.

        Example:
          safetykit judge selfrationalize --run runs/judge --iterations 2
          safetykit judge selfrationalize --run runs/judge --pairing majority --force
        """)

    static func runSelfRationalize(_ arguments: [String]) throws -> ExitCode {
        let args = try selfRationalizeSpec.parse(arguments)
        try args.applyThreads()
        if args.help { Terminal.printOut(selfRationalizeSpec.help); return .success }
        let run = args.string("run") ?? "runs/judge", quiet = args.flag("quiet")
        let iterations = args.integer("iterations")!
        // Every option is checked before the run is read.
        let judgments = args.integer("judgments")!
        let temperature = Float(args.number("temperature")!)
        let margin = args.integer("margin")!
        let pairsPerItem = args.integer("pairs")!
        let pairing = JudgeSetup.Pairing(rawValue: try args.choice("pairing", JudgeSetup.Pairing.allCases.map(\.rawValue)) ?? "gold")!
        let beta = args.number("dpo-beta")!
        let alpha = args.number("dpo-alpha")!
        let loss: PreferenceLoss
        switch args.choice("preference-loss", as: SelfImproveCommand.PreferenceLossName.self)! {
        case .ipo: loss = .ipo(beta: beta)
        case .dpo: loss = .dpo(beta: beta)
        case .rpo: loss = .rpo(beta: beta, alpha: alpha)
        }
        let steps = args.integer("steps")!
        let rate = Float(args.number("lr")!)
        let bootstrap = try args.bootstrapResamples(default: 200, upTo: 100_000)
        let configPath = run + "/config.json"
        guard let bytes = FileManager.default.contents(atPath: configPath) else {
            throw AnalysisError.missingFile(path: configPath + " (not a judge run: make one with 'safetykit judge train')")
        }
        var setup = try setup(trainSpec.parse(try storedArguments(bytes, path: configPath)))
        setup.judgmentsPerItem = judgments
        setup.judgeTemperature = temperature
        setup.margin = margin
        setup.pairsPerItem = pairsPerItem
        setup.pairing = pairing
        setup.loss = loss
        setup.preferenceSteps = steps
        setup.preferenceLearningRate = rate

        let store = RunStore(directory: run)
        guard let state = try store.loadState(), state.completedIterations >= 0 else {
            throw AnalysisError.missingFile(path: store.statePath + " (the run has no seed judge yet: finish 'safetykit judge train --out \(run) --resume')")
        }
        // The options of the rounds already run must be these (--iterations may grow); --force drops the rounds.
        let options: JSONValue = .object(selfRationalizeSpec.recorded(args, excluding: ["run", "iterations", "force", "quiet", "bootstrap"]))
        let optionsPath = run + "/selfrationalize.json"
        let stored = FileManager.default.contents(atPath: optionsPath).map { String(decoding: $0, as: UTF8.self) }
        if state.completedIterations > 0, stored != options.pretty() + "\n" {
            guard args.flag("force") else {
                throw CLIError.usage("\(run) has \(state.completedIterations) round(s) of self-rationalization with other options (\(optionsPath)); use the same options, or --force to start again from the SFT judge")
            }
        }
        if args.flag("force") || stored != options.pretty() + "\n" {
            for n in 1...max(1, state.completedIterations) {
                try? FileManager.default.removeItem(atPath: store.checkpointPath(iteration: n))
                try? FileManager.default.removeItem(atPath: run + "/reports/iteration-\(n).json")
            }
            try store.save(RunStore.State(completedIterations: 0))
            try OutputFile.write(options.pretty() + "\n", to: optionsPath)
        }
        let driver = JudgeDriver(loop: JudgeLoop(setup: setup), store: store)
        let done = try store.loadState()?.completedIterations ?? 0
        if !quiet, done < iterations {
            Terminal.printError("judge selfrationalize: \(run), rounds \(done + 1)-\(iterations), \(setup.pairing.rawValue) pairing, margin \(setup.margin), \(setup.loss.name)")
        }
        if done >= iterations {
            // Nothing to run: redraw the tables from the stored reports (as this version writes them).
            try driver.refreshTables(bootstrap: bootstrap)
        } else {
            // Each round rebuilds every table from the reports, dropped rounds included.
            try driver.selfRationalize(iterations: iterations, bootstrap: bootstrap, events: progress(quiet: quiet))
        }
        Terminal.printOut(summary(try driver.summary(bootstrap: bootstrap)))
        return .success
    }

    /// The stored options of a run's config.json as command-line arguments, to rebuild its setup.
    static func storedArguments(_ bytes: Data, path: String) throws -> [String] {
        guard let object = try? JSONSerialization.jsonObject(with: bytes) as? [String: Any], let options = object["options"] as? [String: Any] else {
            throw AnalysisError.badData(location: path, message: "not a judge run's options (expected an object with \"options\")")
        }
        var arguments: [String] = []
        for (name, value) in options.sorted(by: { $0.key < $1.key }) {
            switch value {
            case let flag as Bool where flag: arguments.append("--\(name)")
            case let text as String: arguments += ["--\(name)", text]
            default: continue
            }
        }
        return arguments
    }
}
