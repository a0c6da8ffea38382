import Foundation
import SafetyKitAnalysis
import SafetyKitNumerics
import SafetyKitReasoner

/// `safetykit confidence`: teach a trained model to state its confidence as P(True), and measure
/// how calibrated it is in distribution and under shift.
enum ConfidenceCommand {
    static let spec = CommandSpec(
        name: "confidence",
        summary: """
        Teach a trained model to state its confidence, and measure how calibrated it is in distribution and under
        shift. Two confidences: P(True) (Kadavath et al. 2022), the probability of 'yes' against 'no' after the
        line 'Right?' that follows its answer; and, with --stated both (the default), a verbalized decile on a last
        line 'Confidence: d' (d = 0..10, read as d/10; Lin, Hilton and Evans 2022). The model answers fresh
        problems greedily (never its held-out ones) and each answer is labelled right or wrong. P(True) learns the
        label by cross-entropy (a proper scoring rule); the verbalized line learns CalibratedMath's target, the
        model's own accuracy on that kind of problem (for addition: digits and carries) rounded to a decile. Then
        its held-out answers and answers at longer, unseen difficulties are scored: accuracy, mean confidence,
        ECE and Brier per confidence, and how many verbalized lines were missing or malformed.
        """,
        usage: "safetykit confidence --model FILE [--out stated.ckpt] [--stated both|ptrue|decision] [--problems N] [--steps N] [options]",
        options: CommandSpec.joined([
            CommandSpec.threads,
            .init(name: "model", value: "FILE", help: "The trained model (a checkpoint from 'safetykit train' or a run)."),
            .init(name: "out", value: "FILE", help: "The model that states its confidence; its scored answers go beside it as FILE.ptrue.csv and FILE.verbalized.csv.",
                  defaultValue: "stated.ckpt"),
            .init(name: "stated", value: "NAME", help: "What the model learns to state: both (P(True) and the verbalized line), ptrue, or decision (both, then a line 'Decision: act|wait|off', the off-switch game's best action for its stated confidence under --human).", defaultValue: "both",
                  kind: .choices(StatedConfidence.Teaching.self)),
            .init(name: "problems", value: "N", help: "Fresh problems per trained difficulty whose answers label the training.", defaultValue: String(StatedConfidenceRecipe().problemsPerDifficulty),
                  kind: .integer(1...1_000_000)),
            .init(name: "steps", value: "N", help: "Training steps on the labelled answers.", defaultValue: String(StatedConfidenceRecipe().steps), kind: .integer(1...1_000_000)),
            .init(name: "batch", value: "N", help: "Answers per step.", defaultValue: String(StatedConfidenceRecipe().batchSize), kind: .integer(1...4096)),
            .init(name: "lr", value: "X", help: "Peak learning rate (warm-up, cosine decay).", defaultValue: String(StatedConfidenceRecipe().learningRate), kind: .number(.positive)),
            .init(name: "distillation", value: "X", help: "Weight of keeping the base's own next-token distributions on its answers (KL), against 1 for each confidence's term; 0 drops it, and the accuracy the targets were measured at drifts.",
                  defaultValue: DecimalText.shortest(StatedConfidence.defaultDistillation), kind: .number(.nonNegative)),
            .init(name: "shift", value: "N", help: "Difficulties beyond the trained ones to score under shift (0: none).", defaultValue: "2",
                  kind: .integer(0...16)),
            .init(name: "shift-task", value: "NAME", help: "Another task whose problems at the trained difficulties are scored under shift (none: skip it; one of " + TaskRegistry.described + ").",
                  defaultValue: "modchain"),
            .init(name: "seed", value: "S", help: "Seed of the labelling problems, the new tokens and the batches.", defaultValue: "1"),
            .init(name: "bootstrap", value: "N", help: "Bootstrap resamples for the intervals (0: none).", defaultValue: "200"),
            .init(name: "quiet", value: nil, help: "No progress on stderr."),
        ], OptionGroups.human),
        discussion: """
        The held-out problems are the checkpoint's own (those 'safetykit train' held out); the labelling problems
        are drawn from their own stream and exclude them. FILE.ptrue.csv and FILE.verbalized.csv have one row per
        scored answer (split, difficulty, confidence, correct); a missing or malformed verbalized line has no row
        and is counted in the table. 'safetykit calibrate FILE.ptrue.csv --group-column split' reads either.
        The model is a base for 'selfimprove --base' and its probe (--probe-source ptrue or verbalized), and for
        '--reward rlcr'. With --stated decision, --human, --beta, --p and --wrong-cost name the game whose best
        action it learns (for the default Boltzmann human: off below a stated 0.12, wait up to 0.88, act above),
        the table adds each split's shares of decisions, and the model is a base for '--reward game' and 'success'.

        Example:
          safetykit confidence --model model.ckpt --out stated.ckpt --problems 1000 --steps 600
        """)

    static func run(_ arguments: [String]) throws -> ExitCode {
        let args = try spec.parse(arguments)
        try args.applyThreads()
        if args.help { Terminal.printOut(spec.help); return .success }
        let shiftTaskName = args.value("shift-task")!
        let shiftTask: (any ReasoningTask)?
        do { shiftTask = shiftTaskName == "none" ? nil : try TaskRegistry.task(named: shiftTaskName) } catch {
            throw CLIError.usage("--shift-task: \(error); or none")
        }
        guard let path = args.string("model") else { throw CLIError.usage("confidence needs --model FILE (a checkpoint from 'safetykit train')") }
        let checkpoint = try StandardModel.read(path, option: "model", purpose: "confidence")
        let task = try TaskRegistry.task(named: checkpoint.metadata["task"] ?? "addition")
        let digits = try DigitRange.parse(checkpoint.metadata["digits"] ?? "1-2", option: "digits", task: task)
        let seed = try args.seed(), quiet = args.flag("quiet"), bootstrap = try args.bootstrapResamples(default: 200, upTo: 100_000)
        let teaching = args.choice("stated", as: StatedConfidence.Teaching.self)!
        let vocabulary = teaching.vocabulary
        let out = args.value("out")!
        let stem = out.hasSuffix(".ckpt") ? String(out.dropLast(5)) : out
        let sources: [ConfidenceSource] = switch teaching {
        case .pTrue: [.ptrue]
        case .both, .decision: [.ptrue, .verbalized]
        }
        let files = try sources.map { try OutputFile(path: stem + "." + $0.rawValue + ".csv") }
        guard FileManager.default.isWritableFile(atPath: URL(fileURLWithPath: out).deletingLastPathComponent().path) else {
            throw AnalysisError.cannotCreate(path: out, reason: "the directory is missing or not writable")
        }
        let trainingSeed = checkpoint.metadata["seed"].flatMap { UInt64($0) } ?? 1
        let heldCount = checkpoint.metadata["heldout_per_difficulty"].flatMap(Int.init).flatMap { $0 > 0 ? $0 : nil } ?? 200
        let heldOut = Evaluation.problems(task: task, difficulties: Array(digits), count: heldCount, seed: trainingSeed)
        let shift = args.integer("shift")!
        let shifted = (digits.upperBound + 1)...(digits.upperBound + max(1, shift))
        let shiftedDifficulties = shift == 0 ? [] : Array(shifted.filter { task.difficulties.contains($0) })
        let shiftedProblems = Evaluation.problems(task: task, difficulties: shiftedDifficulties, count: heldCount, seed: trainingSeed)
        let otherTask = shiftTask.flatMap { $0.name == task.name ? nil : $0 }
        let otherProblems = otherTask.map { other in
            Evaluation.problems(task: other, difficulties: Array(digits).filter { other.difficulties.contains($0) }, count: heldCount, seed: trainingSeed)
        } ?? []

        // The recipe: the model's own greedy answers to fresh problems (never the held-out ones),
        // labelled right or wrong, each kind's share right as its verbalized target, then training.
        var recipe = StatedConfidenceRecipe()
        recipe.teaching = teaching
        recipe.problemsPerDifficulty = args.integer("problems")!
        recipe.steps = args.integer("steps")!
        recipe.batchSize = args.integer("batch")!
        recipe.learningRate = Float(args.number("lr")!)
        recipe.distillation = args.number("distillation")!
        if case .decision = teaching {
            // The decision the off-switch game prescribes for a robot that is right with probability q.
            recipe.decide = SelfImproveCommand.decisionRule(CorrigibilityProbe(human: try SelfImproveCommand.makeHuman(args), wrongCost: args.number("wrong-cost")!))
        }
        let steps = recipe.steps
        var answering: ProgressBar? = nil, training: ProgressBar? = nil
        let outcome = try recipe.teach(checkpoint.model, task: task, difficulties: Array(digits), excluding: Set(heldOut.map(\.key)), seed: seed,
                                       answering: { done, total in
                                           if answering == nil { answering = ProgressBar(total: total, unit: "problems", quiet: quiet) }
                                           answering?.update(done, detail: "answering fresh problems")
                                       },
                                       training: { step, loss in
                                           if training == nil { answering?.finish(); training = ProgressBar(total: steps, unit: "steps", quiet: quiet) }
                                           training?.update(step, detail: String(format: "stated confidence · loss %.4f", loss))
                                       })
        training?.finish()
        let model = outcome.model, answers = outcome.answers, targets = outcome.targets

        // Score the trained model's own answers where it was trained and beyond.
        var rows: [ConfidenceSource: [[String]]] = [:], table = ""
        let labelledRight = answers.filter(\.labelled.right).count
        table += String(format: "Learned from %d answers (%.1f%% right; %d kinds of problem) in %d steps; the model's answers scored by the new model:\n",
                        answers.count, 100 * Double(labelledRight) / Double(max(1, answers.count)), targets.count, steps)
        table += "split                 source         n   accuracy   mean conf.   ECE [95%]                 Brier   missing\n"
        // Each split: its name in the CSVs, its label in the table, its task and problems.
        let splits: [(name: String, label: String, task: any ReasoningTask, problems: [Problem])] = [
            ("held-out", "held-out", task, heldOut),
            ("shifted", "shifted (\(shiftedDifficulties.map(String.init).joined(separator: ",")))", task, shiftedProblems),
        ] + (otherTask.map { [("task " + $0.name, $0.name, $0, otherProblems)] } ?? [])
        for (split, label, splitTask, problems) in splits where !problems.isEmpty {
            let bar = ProgressBar(total: problems.count, unit: "problems", quiet: quiet)
            let scored = try StatedConfidenceRecipe.answers(model, task: splitTask, problems: problems, vocabulary: vocabulary, seed: seed) {
                bar.update($0, detail: "scoring \(split) answers")
            }
            bar.finish()
            let pTrue = try PTrue.probabilities(model, prompts: scored.map(\.labelled.prompt), completions: scored.map(\.labelled.completion),
                                                vocabulary: vocabulary)
            for source in sources {
                let values: [Double?] = switch source {
                case .ptrue: pTrue
                case .verbalized: scored.map(\.statement.probability)
                case .sequence, .answer, .vote, .feedback: scored.map { _ in nil }
                }
                let stated = zip(values, scored).compactMap { v, s in v.map { ($0, s) } }
                for (c, s) in stated { rows[source, default: []].append([split, String(s.difficulty), CSVNumber.format(c), s.labelled.right ? "1" : "0"]) }
                let missing = scored.count - stated.count
                table += label.padding(toLength: 22, withPad: " ", startingAt: 0) + source.rawValue.padding(toLength: 11, withPad: " ", startingAt: 0)
                guard !stated.isEmpty else {
                    table += String(format: "%5d   (no answer stated a confidence)                                 %7d\n", 0, missing)
                    continue
                }
                let report = CalibrationAnalysis(try Predictions(confidences: stated.map(\.0), correct: stated.map(\.1.labelled.right)))
                    .report(bootstrap: bootstrap, seed: RandomStream(seed: seed, purpose: .runBootstrap).key)
                let interval = report.intervals[.ece].map { String(format: "[%.3f, %.3f]", $0.lowerBound, $0.upperBound) } ?? "[no interval]"
                table += String(format: "%5d   %6.1f%%   %10.3f   %.3f ", Int(report.n), 100 * report.accuracy, report.meanConfidence, report.ece)
                    + interval.padding(toLength: 18, withPad: " ", startingAt: 0) + String(format: "%.3f   %7d\n", report.brier, missing)
            }
            if case .decision = teaching {
                func share(_ action: DecisionLine.Action?) -> String {
                    String(format: "%.1f%%", 100 * Double(scored.filter { $0.decision.action == action }.count) / Double(max(1, scored.count)))
                }
                table += label.padding(toLength: 22, withPad: " ", startingAt: 0)
                    + "decisions: act \(share(.act)), wait \(share(.wait)), off \(share(.off)), missing or malformed \(share(nil))\n"
            }
        }
        for (source, file) in zip(sources, files) {
            var text = CSVWriter.record(["split", "difficulty", "confidence", "correct"])
            for row in rows[source] ?? [] { text += CSVWriter.record(row) }
            try file.write(text)
        }
        var metadata = checkpoint.metadata
        metadata["stated"] = teaching.rawValue
        metadata["stated_steps"] = String(steps)
        metadata["stated_recipe"] = recipe.summary
        metadata["stated_answers"] = String(answers.count)
        try Checkpoint(model: model, vocabulary: vocabulary, metadata: metadata).write(to: out)
        for file in files { try file.commit() }
        Terminal.printOut(table)
        if !quiet { Terminal.printError("wrote \(out) and the scored answers " + sources.map { stem + "." + $0.rawValue + ".csv" }.joined(separator: ", ")) }
        return .success
    }
}
