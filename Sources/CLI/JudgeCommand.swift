import SafetyKitAnalysis
import Foundation
import SafetyKitNumerics
import SafetyKitReasoner

/// `safetykit judge train|selfrationalize|eval`: a judge that scores the policy's own solutions
/// (first wrong step and a 1–5 score), fine-tuned on seed judgments and improved by
/// self-rationalization (Trivedi et al. 2024), in a resumable run directory.
enum JudgeCommand {
    static let overview = """
    A judge for the reasoner's solutions: it reads a problem and a candidate solution sampled from a policy
    model and writes a mark per step (ok, bad, miss), the first wrong step, and a 1-5 score (1 + floor(4 x the
    share of right steps); 5 only when every step is right). Self-rationalization (Trivedi et al. 2024): the
    judge samples several judgments per input at temperature 1, pairs one with the gold score (chosen)
    with one whose score is 2 or more away (rejected), and trains with DPO (plus the chosen judgment's
    NLL, as in iterative RPO) against its previous self.

    Usage: safetykit judge train|selfrationalize|eval [options]   (safetykit judge SUBCOMMAND --help for each)

      train            draw the policy's candidates and fine-tune the judge on seed judgments (iteration 0)
      selfrationalize  continue a judge run with rounds of self-rationalization (2 by default)
      eval             measure a judge checkpoint on a policy's held-out samples

    Example:
      safetykit selfimprove --iterations 1 --out runs/star
      safetykit judge train --policy runs/star/checkpoints/iteration-0.ckpt --out runs/judge
      safetykit judge selfrationalize --run runs/judge
      safetykit judge eval --judge runs/judge/checkpoints/iteration-2.ckpt --policy runs/star/checkpoints/iteration-0.ckpt

    """

    static func run(_ arguments: [String]) throws -> ExitCode {
        guard let sub = arguments.first, !["--help", "-h", "help"].contains(sub) else {
            Terminal.printOut(overview)
            return .success
        }
        let rest = Array(arguments.dropFirst())
        switch sub {
        case "train": return try runTrain(rest)
        case "selfrationalize": return try runSelfRationalize(rest)
        case "eval": return try runEval(rest)
        default: throw CLIError.usage("unknown judge subcommand '\(sub)'; expected train, selfrationalize or eval")
        }
    }

    // MARK: train

    static let trainSpec = CommandSpec(
        name: "judge train",
        summary: """
        Draw a policy's own samples (k per problem at temperature 1, right and wrong) for seed, pool and held-out
        problems, then fine-tune a judge on the seed candidates' gold judgments. The judge starts from the policy's
        weights (its vocabulary gains the judge's tokens) unless --init scratch. Writes iteration 0 of RUN.
        """,
        usage: "safetykit judge train --policy FILE [--out RUN] [--seed S] [--digits A-B] [--steps N] [--resume] [--force]",
        options: [
            CommandSpec.threads,
            .init(name: "policy", value: "FILE", help: "The policy checkpoint whose samples are judged (required), e.g. a selfimprove base."),
            .init(name: "out", value: "RUN", help: "The run directory.", defaultValue: "runs/judge"),
            .init(name: "seed", value: "S", help: "Seed of every random choice: problems, samples, weights, batches.", defaultValue: "1"),
            .init(name: "task", value: "NAME", help: "The policy's task, one of " + TaskRegistry.described + ".", defaultValue: "addition"),
            .init(name: "digits", value: "A-B", help: "Difficulties of the problems.", defaultValue: "1-4"),
            .init(name: "seed-problems", value: "N", help: "Problems per difficulty whose candidates get seed judgments (SFT).", defaultValue: "1000", kind: .integer(1...1_000_000)),
            .init(name: "pool-problems", value: "N", help: "Problems per difficulty whose candidates the judge self-rationalizes on.", defaultValue: "250", kind: .integer(1...1_000_000)),
            .init(name: "heldout", value: "N", help: "Held-out problems per difficulty.", defaultValue: "100", kind: .integer(1...100_000)),
            .init(name: "candidates", value: "K", help: "Policy samples per problem (k of best-of-k).", defaultValue: "8", kind: .integer(1...1024)),
            .init(name: "policy-temperature", value: "T", help: "The policy's sampling temperature.", defaultValue: "1", kind: .number(.positive)),
            .init(name: "right-per-problem", value: "N", help: "Most distinct right candidates kept per training problem.", defaultValue: "1", kind: .integer(0...1024)),
            .init(name: "wrong-per-problem", value: "N", help: "Most distinct wrong candidates kept per training problem.", defaultValue: "4", kind: .integer(0...1024)),
            .init(name: "init", value: "NAME|FILE", help: "policy (the policy's weights, embedding extended), scratch, or a checkpoint of the standard vocabulary to start from instead (e.g. the policy after selfimprove).", defaultValue: "policy"),
            .init(name: "steps", value: "N", help: "SFT steps on the seed judgments.", defaultValue: "4000", kind: .integer(1...10_000_000)),
            .init(name: "lr", value: "X", help: "Peak SFT learning rate.", defaultValue: "0.001", kind: .number(.positive)),
            .init(name: "batch", value: "N", help: "Sequences per training step.", defaultValue: "32", kind: .integer(1...4096)),
            .init(name: "bootstrap", value: "N", help: "Bootstrap resamples for calibration intervals.", defaultValue: "200"),
            .init(name: "resume", value: nil, help: "Continue the run in RUN (its candidates are kept)."),
            .init(name: "force", value: nil, help: "Replace the run in RUN."),
            .init(name: "quiet", value: nil, help: "No progress on stderr."),
        ],
        discussion: """
        The run directory: config.json, candidates.json (every candidate with its gold judgment),
        checkpoints/iteration-0.ckpt (the judge, with the judge vocabulary), reports/, state.json, metrics.csv
        (per iteration and difficulty: exact and balanced score accuracy, MAE, first-wrong-step agreement, the
        share of right candidates given 5 and of wrong ones given less, ECE, Brier and AUROC of score/5 read as
        P(answer right), ECE after a cross-fitted isotonic map, and best-of-k accuracy beside the policy's own
        ranking, majority vote, a random sample and the oracle), calibration.csv, calibration_summary.csv,
        pairing.csv, judgments.jsonl, timing.csv and plots/ (judge.svg, best-of-k.svg, reliability.svg).

        Example:
          safetykit judge train --policy runs/star/checkpoints/iteration-0.ckpt --out runs/judge --seed 1
        """)

    /// The entries a judge run writes besides its options files (what --force removes).
    static let runEntries = ["state.json", "candidates.json", "checkpoints", "reports", "metrics.csv", "calibration.csv", "calibration_summary.csv",
                             "pairing.csv", "preference.csv", "judgments.jsonl", "timing.csv", "plots", "selfrationalize.json"]

    /// The setup's candidate settings, from `judge train`'s or `judge eval`'s options.
    static func setup(_ args: ParsedArguments) throws -> JudgeSetup {
        let task = try TaskRegistry.task(named: args.string("task") ?? "addition")
        let digits = try DigitRange.parse(args.string("digits") ?? "1-4", option: "digits", task: task)
        var setup = JudgeSetup(task: task, difficulties: Array(digits), seed: try args.seed())
        setup.heldOutProblemsPerDifficulty = args.integer("heldout")!
        setup.candidatesPerProblem = args.integer("candidates")!
        setup.policyTemperature = Float(args.number("policy-temperature")!)
        // A checkpoint path starts the judge from that model's weights, as `policy` does from the policy's.
        setup.initialization = JudgeSetup.Initialization(rawValue: args.string("init") ?? "policy") ?? .policy
        return setup
    }

    /// `judge train`'s training sets and SFT settings (`judge eval` trains nothing, so has no such options).
    static func training(_ args: ParsedArguments, _ setup: JudgeSetup) throws -> JudgeSetup {
        var setup = setup
        setup.seedProblemsPerDifficulty = args.integer("seed-problems")!
        setup.poolProblemsPerDifficulty = args.integer("pool-problems")!
        setup.rightPerProblem = args.integer("right-per-problem")!
        setup.wrongPerProblem = args.integer("wrong-per-problem")!
        setup.sftSteps = args.integer("steps")!
        setup.sftLearningRate = Float(args.number("lr")!)
        setup.batchSize = args.integer("batch")!
        return setup
    }

    static func runTrain(_ arguments: [String]) throws -> ExitCode {
        let args = try trainSpec.parse(arguments)
        try args.applyThreads()
        if args.help { Terminal.printOut(trainSpec.help); return .success }
        guard let policyPath = args.string("policy") else {
            throw CLIError.usage("judge train needs --policy FILE, the checkpoint whose samples are judged (e.g. runs/star/checkpoints/iteration-0.ckpt)")
        }
        let setup = try training(args, try setup(args))
        let bootstrap = try args.bootstrapResamples(default: 200, upTo: 100_000)
        let out = args.string("out") ?? "runs/judge", quiet = args.flag("quiet")
        let policy = try StandardModel.read(policyPath, option: "policy", purpose: "the judge's policy")
        var start = policy.model
        if let initial = args.string("init"), JudgeSetup.Initialization(rawValue: initial) == nil {
            guard initial.hasSuffix(".ckpt") || FileManager.default.fileExists(atPath: initial) else {
                throw CLIError.usage("--init must be policy, scratch or a checkpoint file, got '\(initial)'")
            }
            start = try StandardModel.read(initial, option: "init", purpose: "a judge's starting point").model
        }
        let config: JSONValue = .object([
            ("safetykit", .string(safetyKitVersion)), ("role", .string("judge")), ("seed", .number(Double(setup.seed))),
            ("options", .object(trainSpec.recorded(args, excluding: ["resume", "force", "quiet", "out"]))),
        ])
        try RunDirectory.open(out, config: config, runEntries: runEntries, resume: args.flag("resume"), force: args.flag("force"))
        let driver = JudgeDriver(loop: JudgeLoop(setup: setup), store: RunStore(directory: out))
        if !quiet {
            Terminal.printError("judge train: policy \(policyPath), \(driver.loop.seedProblems.count) seed, \(driver.loop.poolProblems.count) pool and "
                                + "\(driver.loop.heldOutProblems.count) held-out problems × \(setup.candidatesPerProblem) samples; writing \(out)")
        }
        try driver.train(policy: policy.model, start: start, bootstrap: bootstrap, events: progress(quiet: quiet))
        Terminal.printOut(summary(try driver.summary(bootstrap: bootstrap)))
        if !quiet { Terminal.printError("wrote \(out)/metrics.csv, \(out)/plots/ and \(out)/checkpoints/iteration-0.ckpt") }
        return .success
    }

    // MARK: Shared

    /// A progress handler drawing one bar per phase and a line per recorded iteration.
    static func progress(quiet: Bool) -> (JudgeDriver.Event) -> Void {
        var bar: ProgressBar? = nil, barKey = ""
        let start = Date()
        return { event in
            switch event {
            case let .phase(iteration, name, done, total):
                let key = "\(iteration)-\(name)"
                if barKey != key { bar?.finish(); bar = ProgressBar(total: total, unit: name == "training" ? "steps" : "inputs", quiet: quiet); barKey = key }
                bar?.update(done, detail: "iteration \(iteration): \(name)")
            case let .recorded(report, m):
                bar?.finish(); barKey = ""
                guard !quiet else { return }
                var line = String(format: "iteration %d · exact score %.1f%% (balanced %.1f%%) · MAE %.2f · first wrong step %.1f%% · best-of-k %.1f%% (policy's pick %.1f%%, oracle %.1f%%)",
                                  report.iteration, 100 * m.exactAccuracy, 100 * m.balancedAccuracy, m.meanAbsoluteError, 100 * m.stepAgreement,
                                  100 * m.bestOfK, 100 * m.policyRanked, 100 * m.oracle)
                if let p = report.pairing { line += " · \(p.pairs) pairs from \(p.items) inputs" }
                Terminal.printError(line + String(format: " · %.0f s elapsed", Date().timeIntervalSince(start)))
            }
        }
    }

    /// The table comparing iterations (all difficulties), from the run's reports.
    static func summary(_ rows: [JudgeRecorder.SummaryRow]) -> String {
        func percent(_ x: Double) -> String { String(format: "%6.1f%%", 100 * x) }
        func number(_ x: Double?) -> String { x.map { String(format: "%7.3f", $0) } ?? "      -" }
        var text = "\niteration |   exact | balanced |     MAE | wrong step | ECE s/5 |   AUROC | best-of-k | policy pick |  majority |  oracle\n"
        for row in rows {
            let m = row.metrics
            text += String(row.iteration).leftPadded(9) + " | " + percent(m.exactAccuracy) + " |  " + percent(m.balancedAccuracy)
            text += " | " + number(m.meanAbsoluteError) + " |    " + percent(m.stepAgreement) + " | " + number(row.calibration?.ece) + " | "
            text += number(row.calibration?.auroc ?? nil) + " |   " + percent(m.bestOfK) + " |     " + percent(m.policyRanked) + " |   "
            text += percent(m.majorityVote) + " | " + percent(m.oracle) + "\n"
        }
        return text
    }
}

extension String {
    /// The string right-aligned in `width` characters.
    func leftPadded(_ width: Int) -> String { String(repeating: " ", count: max(0, width - count)) + self }
}
