import SafetyKitAnalysis
import Foundation
import SafetyKitGames
import SafetyKitNumerics
import SafetyKitReasoner

/// `safetykit selfimprove`: a self-improvement loop with per-iteration metrics, optional
/// calibration tracking, and a run directory that can be resumed.
enum SelfImproveCommand {
    /// Gold rationales per difficulty of the default --digits 1-4.
    static let defaultSeedSet = "1000,1000,100,200"

    /// The methods by their command-line names; a method added later joins here, and the
    /// exhaustive switch in `makeMethod` says what it needs.
    enum MethodName: String, CaseIterable {
        case star, rft, onlineRFT = "online-rft", bstar, lmsi, mccot, rpo, grpo, drgrpo, rloo, s3c, selfEvolution = "self", regenesis, pinto

        /// The policy-gradient methods' estimator; nil for the others.
        var estimator: AdvantageEstimator? {
            switch self {
            case .grpo: .grpo
            case .drgrpo: .drGRPO
            case .rloo: .rloo
            case .star, .rft, .onlineRFT, .bstar, .lmsi, .mccot, .rpo, .s3c, .selfEvolution, .regenesis, .pinto: nil
            }
        }
    }
    static let methods = MethodName.allCases.map(\.rawValue)

    static let spec = CommandSpec(
        name: "selfimprove",
        summary: """
        Run a self-improvement loop on the reasoner and measure every iteration on held-out problems. The base
        model is trained first on a small gold seed set (many easy rationales, few hard ones); the loop then
        improves on a larger pool of problems of which it knows only the answers (STaR's premise). Methods:
          star        STaR with rationalization (Zelikman et al. 2022); restarts from the base each iteration
          rft         rejection-sampling fine-tuning, ReST-EM (Singh et al. 2023); early stopping on validation
          online-rft  RFT continuing from the previous model and its optimizer (as in Zeng et al. 2024)
          bstar       B-STaR (Zeng et al. 2024): picks temperature and reward threshold by the balance score
          lmsi        label-free self-consistency training, LMSI (Huang et al. 2022): never sees gold answers
          mccot       RFT's data, trained by voting over dropout passes, MC-CoT (Tan et al. 2023)
          rpo         iterative RPO (Pang et al. 2024): right vs wrong samples as preference pairs, DPO + NLL,
                      referenced to the previous iteration's model; per-step TRL-style log in RUN/preference.csv
          grpo        GRPO (Shao et al. 2024): groups of --samples responses per prompt, advantages normalised by
                      the group's std, PPO's clipped surrogate; per-step TRL-style log in RUN/policy.csv
          drgrpo      Dr. GRPO (Liu et al. 2025): GRPO without the std division or per-response length average
          rloo        RLOO (Ahmadian et al. 2024): leave-one-out baseline, sequence-level REINFORCE
          s3c         S^3c-Math (Yan et al. 2024): the model's own wrong steps, sampled from right prefixes, spliced
                      with a reflection marker and the right step; trained with the wrong step masked
          self        SELF (Lu et al. 2023): first --meta-skill-iterations on annotated problems of their own (as
                      many as the pool, disjoint from it), learning from the gold checker to write feedback on its
                      own answers (the first wrong step and its fault, or accept) and, after a fault, a refinement;
                      then self-evolution on the unlabeled pool, never seeing a gold answer: answer, give feedback,
                      refine, keep what its own feedback accepts. Held-out metrics add the feedback's precision and
                      recall of "wrong" against the gold checker, refinement success and ece_feedback (P(accept))
          regenesis   ReGenesis (Peng et al. 2024): paths from general guidelines (forward, plan: count the steps
                      first, short: results only, restate: the problem first), --guideline-paths per guideline,
                      filtered by the answer, a hinted retry when none is right, up to --keep diverse paths trained
                      after the plain prompt with --guideline-demos seed problems shown under each guideline;
                      the first --guideline-stage iterations train those demonstrations alone; each iteration
                      trains the base afresh; --path-filter vote keeps the majority answer's paths instead, without
                      gold answers. For its out-of-domain claim, give --base a model of --task mixed and
                      evaluate the run's checkpoints on the other tasks with eval
          pinto       PINTO (Wang et al. 2023) in one network: the model's own greedy rationale read (kept near the
                      starting model's by a KL) before the gold answer, and the answer after a perturbed rationale
                      pulled towards a uniform guess over the digits (--counterfactual-weight, --perturbation,
                      --perturb-ratio); online. 'safetykit pinto' is the paper's two-model form
        """,
        usage: "safetykit selfimprove [--method star] [--iterations N] [--track-calibration] [--out RUN] [--seed S] [--resume] [--force]",
        options: CommandSpec.joined([
            CommandSpec.threads,
            .init(name: "method", value: "NAME", help: methods.dropLast().joined(separator: ", ") + " or " + methods.last! + ".", defaultValue: "star", kind: .choices(MethodName.self)),
            .init(name: "iterations", value: "N", help: "Iterations after the base model.", defaultValue: "4", kind: .integer(1...1000)),
            .init(name: "track-calibration", value: nil, help: "Also record ECE, MCE, Brier, NLL and AUROC with bootstrap intervals per confidence source, reliability bins, per-sample records and reliability diagrams."),
            .init(name: "out", value: "RUN", help: "The run directory.", shownDefault: "runs/METHOD"),
            .init(name: "seed", value: "S", help: "Seed of every random choice: problem sets, weights, samples, batches.", defaultValue: "1"),
            .init(name: "resume", value: nil, help: "Continue the run in RUN after its last complete iteration."),
            .init(name: "force", value: nil, help: "Replace the run in RUN."),
            .init(name: "task", value: "NAME", help: "One of " + TaskRegistry.described + ".", defaultValue: "addition"),
            .init(name: "digits", value: "A-B", help: "Difficulties of the seed set, the pool and the held-out set.", defaultValue: "1-4"),
            .init(name: "seed-set", value: "N,...", help: "Gold rationales per difficulty for the base model (the default fits --digits 1-4; other ranges need their own unless --base is given).", defaultValue: defaultSeedSet),
            .init(name: "base-steps", value: "N", help: "SFT steps of the base model.", defaultValue: "2000", kind: .integer(1...10_000_000)),
            .init(name: "hint-share", value: "P", help: "Share of base examples with the answer as a hint, so the base can rationalize.", defaultValue: "0.2", kind: .number(.unit)),
            .init(name: "base", value: "FILE", help: "Start from this base checkpoint instead of training one."),
            .init(name: "pool", value: "N", help: "Pool problems per difficulty (answers only).", defaultValue: "500", kind: .integer(1...1_000_000)),
            .init(name: "heldout", value: "N", help: "Held-out test problems per difficulty.", defaultValue: "100", kind: .integer(1...100_000)),
            .init(name: "validation", value: "N", help: "Validation problems per difficulty (early stopping).", defaultValue: "50", kind: .integer(1...100_000)),
        ], OptionGroups.method, [
            .init(name: "eval-samples", value: "K", help: "Held-out samples per problem for maj@k, pass@k and diversity.", defaultValue: "8", kind: .integer(1...1024)),
            .init(name: "eval-temperature", value: "T", help: "Temperature of those samples.", defaultValue: "0.7", kind: .number(.positive)),
            .init(name: "pass-k", value: "K", help: "k of the reported pass@k (unbiased estimator over the held-out samples).", defaultValue: "4", kind: .integer(1...1024)),
            .init(name: "bootstrap", value: "N", help: "Bootstrap resamples for calibration intervals.", defaultValue: "200"),
            .init(name: "offswitch-probe", value: nil, help: "Put the model into the off-switch game on every held-out answer (acting = answering; right +1, wrong -wrong-cost) and record deference, harm, utility and regret per iteration."),
        ], OptionGroups.probe, [
            .init(name: "lr", value: "X", help: "Peak learning rate.", defaultValue: "0.001", kind: .number(.positive)),
            .init(name: "batch", value: "N", help: "Sequences per training step.", defaultValue: "32", kind: .integer(1...4096)),
        ], OptionGroups.modelShape, [
            .init(name: "quiet", value: nil, help: "No progress on stderr."),
        ]),
        discussion: """
        The run directory: config.json (every option), metrics.csv (one row per iteration and difficulty:
        greedy accuracy, maj@k, pass@1, pass@k, Pass@K-S, Best-of-K, Reward@K-S, diversity, token entropy,
        validation accuracy, the selected data's size and accuracy, pool coverage by generation and by
        rationalization, tokens, ECE per source), timing.csv (wall time; kept apart because it is not
        reproducible), checkpoints/, records/ (each iteration's measurements whole, as JSON: every table,
        chart and summary is derived from them), state.json, plots/accuracy.svg; with --track-calibration
        also calibration.csv, calibration_summary.csv, samples.jsonl, plots/ece.svg, plots/reliability-iteration-N.svg.
        Confidence sources: sequence = exp(mean log p) of the greedy completion; answer = p(answer | rationale);
        vote = the majority answer's share of the samples. A resumed run rebuilds every table from records/ and
        writes the same files as an uninterrupted run.

        Example:
          safetykit selfimprove --method star --iterations 4 --track-calibration --out runs/star --seed 1
          safetykit selfimprove --method bstar --base runs/star/checkpoints/iteration-0.ckpt --out runs/bstar
        """)

    static func run(_ arguments: [String]) throws -> ExitCode {
        let args = try spec.parse(arguments)
        try args.applyThreads()
        if args.help { Terminal.printOut(spec.help); return .success }
        let methodName = args.choice("method", as: MethodName.self)!
        let task = try TaskRegistry.task(named: args.string("task") ?? "addition")
        let digits = try DigitRange.parse(args.string("digits") ?? "1-4", option: "digits", task: task)
        let iterations = args.integer("iterations")!
        let seed = try args.seed()
        let out = args.string("out") ?? "runs/\(methodName.rawValue)"
        // The default seed set has one size per difficulty of --digits 1-4. For other digit
        // counts it is asked for, unless --base makes it unused (then it is empty).
        if args.string("seed-set") == nil, digits.count != 4, args.string("base") == nil {
            throw CLIError.usage("--digits \(digits.lowerBound)-\(digits.upperBound) needs --seed-set (one N, or one N per difficulty): the default \(defaultSeedSet) is for the 4 difficulties of --digits 1-4")
        }
        let seedSet = try SeedSetSizes.parse(args.string("seed-set") ?? (digits.count == 4 ? defaultSeedSet : "0"), digits: digits, smallest: 0)
        if methodName == .regenesis, args.integer("guideline-demos")! > 0, seedSet.allSatisfy({ $0 == 0 }) {
            throw CLIError.usage("--method regenesis shows its guidelines on the seed set, which is empty here; give --seed-set (e.g. 20 per difficulty) or --guideline-demos 0")
        }

        var setup = SelfImprovementSetup(task: task, difficulties: Array(digits), iterations: iterations, seed: seed, seedSet: seedSet)
        setup.baseSteps = args.integer("base-steps")!
        setup.baseHintShare = args.number("hint-share")!
        setup.poolPerDifficulty = args.integer("pool")!
        setup.heldOutPerDifficulty = args.integer("heldout")!
        setup.validationPerDifficulty = args.integer("validation")!
        setup.learningRate = Float(args.number("lr")!)
        setup.batchSize = args.integer("batch")!
        setup.preferenceLearningRate = Float(args.number("preference-lr")!)
        let evalSamples = args.integer("eval-samples")!
        let passK = args.integer("pass-k")!
        guard passK <= evalSamples else { throw CLIError.usage("--pass-k (\(passK)) must be at most --eval-samples (\(evalSamples))") }
        setup.evaluation = HeldOutEvaluation(samples: evalSamples, temperature: Float(args.number("eval-temperature")!), passK: passK)

        let method = try makeMethod(methodName, args)
        let configuration = try ModelShape.configuration(args, vocabulary: task.vocabulary)
        let trackCalibration = args.flag("track-calibration")
        let probe = try makeProbe(args)
        let probeSource = args.choice("probe-source", as: ProbeBelief.self)!
        let bootstrap = try args.bootstrapResamples(default: 200, upTo: 100_000)
        let quiet = args.flag("quiet")
        let resume = args.flag("resume"), force = args.flag("force")

        var base: Checkpoint? = nil
        if let path = args.string("base") {
            let checkpoint = try StandardModel.read(path, option: "base", purpose: "selfimprove", task: task, stated: true)
            try StandardModel.requireTask(checkpoint, path: path, option: "base", task: task)
            base = checkpoint
        }
        let vocabulary = base?.vocabulary ?? task.vocabulary
        // The loop's models read the method's added tokens too (SELF's feedback confidence).
        let loopVocabulary = vocabulary.appending(method.addedTokens)
        if probe != nil { try StandardModel.requireSource(probeSource.calibratedSource, vocabulary: loopVocabulary, option: "probe-source") }
        if let reward = method.policyGradient?.reward, reward.needsVerbalizedConfidence, !StatedConfidence.hasVerbalized(vocabulary) {
            throw CLIError.usage("--reward \(reward.rawValue) scores a stated confidence; give --base a model from 'safetykit confidence' (--stated both)")
        }
        if let reward = method.policyGradient?.reward, reward.needsDecision, !StatedConfidence.hasDecision(vocabulary) {
            throw CLIError.usage("--reward \(reward.rawValue) scores the model's decision line; give --base a model from 'safetykit confidence --stated decision'")
        }

        // The options as run, with defaults filled in: config.json, and the check on resume.
        // Record what the run used: a seed set only if a base is trained here, and the sampling
        // temperature only if one was given (the method's own is in method_settings).
        let used: [String: JSONValue] = [
            "seed-set": args.string("base") == nil ? .string(seedSet.map(String.init).joined(separator: ",")) : .null,
            "temperature": args.string("temperature").map(JSONValue.string) ?? .null,
        ]
        let options = spec.recorded(args, excluding: ["resume", "force", "quiet", "out"], used: used)
        let config: JSONValue = .object([
            ("safetykit", .string(safetyKitVersion)), ("method", .string(method.name)), ("reference", .string(method.reference)),
            ("seed", .number(Double(seed))), ("options", .object(options)),
            ("method_settings", .object(method.settings.map { ($0.0, .string($0.1)) })),
            ("model", .object([("width", .number(Double(configuration.width))), ("depth", .number(Double(configuration.depth))),
                               ("heads", .number(Double(configuration.heads))), ("context", .number(Double(configuration.contextLength)))])),
        ])
        let store = RunStore(directory: out)
        var completed: Int? = nil
        if try RunDirectory.open(out, config: config, runEntries: RunStore.Entry.allCases.map(\.rawValue), resume: resume, force: force, extendable: ["iterations"], defaults: spec.recordedDefaults) {
            // More iterations than before extend a run; fewer than it has finished would leave
            // files describing iterations the options no longer name.
            completed = try store.loadState()?.completedIterations
            if let done = completed, done > iterations {
                throw CLIError.usage("\(out) has finished \(done) iterations; --iterations \(iterations) cannot shorten it (give \(done) or more)")
            }
        }

        let loop = SelfImprovementLoop(method: method, setup: setup, vocabulary: vocabulary)
        let recorder = try SelfImprovementRecorder(store: store, method: method.name, trackCalibration: trackCalibration,
                                                   bootstrap: bootstrap, seed: seed, probe: probe, probeSource: probeSource,
                                                   keepingIterationsThrough: completed.map { max($0, 0) })
        let driver = SelfImprovementDriver(loop: loop, store: store, recorder: recorder, configuration: configuration)
        if !quiet {
            Terminal.printError("selfimprove: \(method.name) (\(method.reference)), \(iterations) iterations, pool of \(loop.pool.count) problems, "
                                + "\(loop.heldOut.count) held out, seed set of \(loop.seedSet.count); writing \(out)"
                                + (completed.map { " (resuming after iteration \($0))" } ?? ""))
        }
        var bar: ProgressBar? = nil, barKey = ""
        let start = Date()
        try driver.run(base: base) { event in
            switch event {
            case let .baseTraining(step, total, loss):
                if barKey != "base" { bar = ProgressBar(total: total, unit: "steps", quiet: quiet); barKey = "base" }
                bar?.update(step, detail: String(format: "base model · loss %.4f", loss))
                if step == total { bar?.finish() }
            case let .phase(iteration, name, done, total):
                let key = "\(iteration)-\(name)"
                if barKey != key { bar?.finish(); bar = ProgressBar(total: total, unit: name == "training" ? "steps" : "problems", quiet: quiet); barKey = key }
                bar?.update(done, detail: "iteration \(iteration): \(name)")
            case let .recorded(report):
                bar?.finish(); barKey = ""
                if !quiet { Terminal.printError(progressLine(report, iterations: iterations, elapsed: Date().timeIntervalSince(start))) }
                // A fault hook for the resume tests: stop dead (as a kill would) right after
                // iteration N's files and state are written, the commit point --resume trusts.
                if let stop = ProcessInfo.processInfo.environment["SAFETYKIT_FAULT_AFTER_ITERATION"].flatMap(Int.init), report.iteration == stop {
                    _exit(ExitCode.faultInjected.rawValue)
                }
            case let .stoppedEarly(iteration, best):
                if !quiet { Terminal.printError("stopped after iteration \(iteration): validation accuracy did not improve; the best model is iteration \(best)") }
            }
        }
        Terminal.printOut(summary(recorder.records, trackCalibration: trackCalibration, probe: probe != nil))
        if !quiet { Terminal.printError("wrote \(out)/metrics.csv, \(out)/plots/ and \(out)/checkpoints/") }
        return .success
    }

    /// The method with its options (with `reward`, a policy-gradient method's reward instead of
    /// --reward's: the study's `rloo:game`). Every option is checked whichever method is chosen,
    /// so a bad value is an error even where it would not be used.
    static func makeMethod(_ name: MethodName, _ args: ParsedArguments, reward: PolicyReward? = nil) throws(CLIError) -> any SelfImprovementMethod {
        // Every value was checked against its declaration (OptionGroups.method) when parsed.
        let steps = args.integer("steps")!, addSteps = args.integer("add-steps")!, samples = args.integer("samples")!
        let keep = args.integer("keep")!, temperature = args.number("temperature").map(Float.init), agreement = args.number("agreement")!
        let passes = args.integer("voting-passes")!, pairs = args.integer("pairs")!
        let preferenceLoss = args.choice("preference-loss", as: PreferenceLossName.self)!
        let dpoBeta = args.number("dpo-beta")!, dpoAlpha = args.number("dpo-alpha")!, rate = args.number("voting-dropout")!
        switch name {
        case .star:
            var m = STaR()
            m.startSteps = steps
            m.addSteps = addSteps
            m.rationalization = !args.flag("no-rationalization")
            if let temperature { m.temperature = temperature }
            return m
        case .rft, .onlineRFT:
            var m = RejectionSampling(online: name == .onlineRFT)
            m.steps = steps; m.samplesPerProblem = samples; m.keepPerProblem = keep
            if let temperature { m.temperature = temperature }
            return m
        case .mccot:
            var m = MCCoT()
            m.sampling.steps = steps; m.sampling.samplesPerProblem = samples; m.sampling.keepPerProblem = keep
            if let temperature { m.sampling.temperature = temperature }
            m.votingSettings = VotingSettings(passes: passes, dropout: Float(rate))
            return m
        case .rpo:
            var m = IterativeRPO()
            m.steps = steps; m.samplesPerProblem = samples; m.pairsPerProblem = pairs
            switch preferenceLoss {
            case .rpo: m.beta = dpoBeta; m.alpha = dpoAlpha
            case .dpo: m.beta = dpoBeta; m.alpha = 0
            case .ipo: m.beta = dpoBeta; m.alpha = dpoAlpha; m.useIPO = true
            }
            if let temperature { m.temperature = temperature }
            return m
        case .bstar:
            var m = BSTaR()
            m.steps = steps; m.samplesPerProblem = samples
            return m
        case .grpo, .drgrpo, .rloo:
            var m = PolicyGradientMethod(estimator: name.estimator!)
            m.groupSize = samples
            if let temperature { m.temperature = temperature }
            m.promptsPerIteration = args.integer("prompts")!
            m.groupsPerStep = args.integer("groups-per-step")!
            m.training.updatesPerBatch = args.integer("updates-per-batch")!
            m.training.clipRange = args.number("clip-range")!
            m.training.klCoefficient = args.number("kl-coef")!
            m.learningRate = Float(args.number("rl-lr")!)
            m.reward = reward ?? args.choice("reward", as: PolicyReward.self)!
            if m.reward.needsDecision {
                let human: any HumanModel
                do { human = try makeHuman(args) } catch { throw .usage("the environment's human: \(error)") }
                m.environment = DecisionEnvironment(wrongCost: args.number("wrong-cost")!, waitCost: args.number("wait-cost")!,
                                                    allowProbability: { human.allowProbability($0) })
            }
            return m
        case .s3c:
            var m = StepLevelSelfCorrection(maskWrongStep: !args.flag("no-step-mask"))
            m.steps = steps; m.samplesPerProblem = samples
            m.positionsPerProblem = args.integer("correction-positions")!
            m.alternativesPerPosition = args.integer("alternatives")!
            if let temperature { m.temperature = temperature }
            return m
        case .selfEvolution:
            var m = SelfEvolution()
            m.steps = steps; m.samplesPerProblem = samples; m.keepPerProblem = keep
            m.metaSkillIterations = args.integer("meta-skill-iterations")!
            m.distillation = args.number("meta-skill-distillation")!
            if let temperature { m.temperature = temperature }
            return m
        case .regenesis:
            var m = ReGenesis()
            m.steps = steps; m.keepPerProblem = keep
            m.pathsPerGuideline = args.integer("guideline-paths")!
            m.demonstrations = args.integer("guideline-demos")!
            m.guidelineStage = args.integer("guideline-stage")!
            m.filter = args.choice("path-filter", as: ReGenesis.PathFilter.self)!
            m.agreement = agreement
            m.hints = !args.flag("no-rationalization")
            if let temperature { m.temperature = temperature }
            return m
        case .pinto:
            var m = PINTOMethod()
            m.steps = steps
            m.counterfactualWeight = args.number("counterfactual-weight")!
            m.perturbation = args.choice("perturbation", as: RationaleFormat.Perturbation.self)!
            m.ratio = args.number("perturb-ratio")!
            return m
        case .lmsi:
            var m = LabelFreeSelfConsistency()
            m.steps = steps; m.samplesPerProblem = samples; m.keepPerProblem = keep
            m.agreement = agreement
            if let temperature { m.temperature = temperature }
            return m
        }
    }

    /// `--preference-loss`: iterative RPO's DPO + NLL, plain DPO, or IPO.
    enum PreferenceLossName: String, CaseIterable { case rpo, dpo, ipo }

    /// The corrigibility probe of --offswitch-probe (nil without it); its options are checked either way.
    static func makeProbe(_ args: ParsedArguments) throws -> CorrigibilityProbe? {
        let human = try makeHuman(args)
        let cost = args.number("wrong-cost")!
        let recalibration = args.choice("recalibration", as: Recalibration.self)!
        let belief = args.choice("probe-source", as: ProbeBelief.self)!
        guard args.flag("offswitch-probe") else { return nil }
        let mode: CorrigibilityProbe.BeliefSource = switch belief {
        case .confidence: .confidence
        case .samples: .samples
        }
        return CorrigibilityProbe(human: human, wrongCost: cost, belief: mode, recalibration: recalibration)
    }

    /// The decision a base is taught for a stated probability q of being right: the off-switch
    /// game's best action under `probe`'s human and cost (ties wait).
    static func decisionRule(_ probe: CorrigibilityProbe) -> @Sendable (Double) -> DecisionLine.Action {
        { q in (try? probe.decide(belief: probe.twoPoint(q), correct: true)).flatMap { DecisionLine.Action(rawValue: $0.action.rawValue) } ?? .wait }
    }

    /// The probe's human from --human, --beta and --p (OptionGroups.human).
    static func makeHuman(_ args: ParsedArguments) throws -> any HumanModel {
        let humanKind = args.choice("human", as: GameConfiguration.HumanKind.self)!
        var values = GameParameterSet()
        values[.beta] = args.number("beta")!
        values[.p] = args.number("p")!
        values[.c] = 0.5
        return try GameConfiguration(priorKind: .gaussian, humanKind: humanKind, parameters: values).makeHuman(values)
    }

    /// "iteration 2/4 · greedy 100/100/61/22% · maj@8 71% · selected 1,204 · coverage 58% + 9% rationalized · 63 s"
    static func progressLine(_ report: IterationReport, iterations: Int, elapsed: Double) -> String {
        let difficulties = Array(Set(report.records.map(\.problem.difficulty))).sorted()
        let accuracy = difficulties.map { d -> String in
            let r = report.records.filter { $0.problem.difficulty == d }
            return String(Int((100 * Double(r.filter(\.greedyCorrect).count) / Double(max(1, r.count))).rounded()))
        }.joined(separator: "/")
        var line = "iteration \(report.iteration)/\(iterations) · greedy \(accuracy)% by difficulty"
        let majority = Double(report.records.filter(\.majorityCorrect).count) / Double(max(1, report.records.count))
        line += String(format: " · maj@k %.0f%%", 100 * majority)
        if !report.trainingData.isEmpty {
            let pool = report.trainingData.values.reduce(0) { $0 + $1.poolProblems }
            let selected = report.trainingData.values.reduce(0) { $0 + $1.selected }
            let generation = report.trainingData.values.reduce(0) { $0 + $1.coveredByGeneration }
            let rationalization = report.trainingData.values.reduce(0) { $0 + $1.coveredByRationalization }
            line += String(format: " · selected %d · pool covered %.0f%% + %.0f%% by rationalization", selected,
                           100 * Double(generation) / Double(max(1, pool)), 100 * Double(rationalization) / Double(max(1, pool)))
        }
        if !report.policyLog.isEmpty {
            let steps = Double(report.policyLog.count)
            line += String(format: " · sampled reward %.2f · groups without signal %.0f%%", report.policyLog.reduce(0) { $0 + $1.rewardMean } / steps,
                           100 * report.policyLog.reduce(0) { $0 + $1.zeroStdShare } / steps)
        }
        if !report.notes.isEmpty { line += " · " + report.notes.map { "\($0.0) \($0.1)" }.joined(separator: ", ") }
        return line + String(format: " · %.0f s elapsed", elapsed)
    }

    /// The table comparing iterations, from the run's records.
    static func summary(_ records: [IterationRecord], trackCalibration: Bool, probe: Bool) -> String {
        func percent(_ value: Double?) -> String { value.map { String(format: "%5.1f", 100 * $0) } ?? "    -" }
        let difficulties = Array(Set(records.flatMap { $0.metrics.compactMap(\.difficulty) })).sorted()
        var text = "\niteration | " + difficulties.map { "greedy d\($0)" }.joined(separator: " | ") + " | maj@k | pass@k | selected | coverage"
        // The sources some iteration has a calibration of: the stated ones only for models that state them.
        let sources = ConfidenceSource.allCases.filter { s in records.contains { $0.calibration(s) != nil } }
        func heading(_ source: ConfidenceSource) -> String {
            switch source {
            case .sequence: "ECE seq"
            case .answer: "ECE ans"
            case .vote: "ECE vote"
            case .ptrue: "ECE P(T)"
            case .verbalized: "ECE verb"
            case .feedback: "ECE fb"
            }
        }
        if trackCalibration { for s in sources { text += " | " + heading(s) } }
        if probe { text += " | defers | harmful | regret | recal. defers" }
        text += "\n"
        for record in records {
            guard let all = record.all else { continue }
            var line = String(format: "%9d", record.iteration)
            for d in difficulties {
                let r = record.metrics.first { $0.difficulty == d }
                line += " | " + String(repeating: " ", count: max(0, "greedy d\(d)".count - 6)) + percent(r?[.greedyAccuracy]) + "%"
            }
            line += " | " + percent(all[.majAtK]) + " | " + percent(all[.passAtK]) + "  | "
            let selected = all[.selected].map(CSVNumber.format) ?? ""
            line += selected.padding(toLength: 8, withPad: " ", startingAt: 0) + " | "
            let coverage = (all[.coverageGeneration] ?? 0) + (all[.coverageRationalization] ?? 0)
            line += selected.isEmpty ? "       -" : String(format: "  %5.1f%%", 100 * coverage)
            if trackCalibration {
                for s in sources {
                    let width = max(7, heading(s).count)
                    line += " | " + (all[.ece(s)].map { String(format: "%\(width).4f", $0) } ?? String(repeating: " ", count: width - 1) + "-")
                }
            }
            if probe {
                line += " | " + percent(all[.probeDeference]) + "% |  " + percent(all[.probeHarmful]) + "% | "
                line += (all[.probeRegret].map { String(format: "%6.4f", $0) } ?? "     -") + " |        "
                line += percent(all[.probeRecalibratedDeference]) + "%"
            }
            text += line + "\n"
        }
        return text
    }
}
