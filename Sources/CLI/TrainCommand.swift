import SafetyKitAnalysis
import Foundation
import SafetyKitNumerics
import SafetyKitReasoner

/// `safetykit train`: supervised training of the reasoner on gold rationales.
enum TrainCommand {
    static let spec = CommandSpec(
        name: "train",
        summary: """
        Train the reasoner (a small decoder-only transformer) from scratch on gold rationales of a task, with
        the loss on completion tokens only. Problems are fresh at every step unless --seed-set fixes a set.
        Held-out problems are drawn first and never trained on; accuracy on them is reported at the end.
        """,
        usage: "safetykit train [--task addition] [--digits 1-2] [--steps N] [--seed S] [--out model.ckpt] [options]",
        options: CommandSpec.joined([
            CommandSpec.threads,
            .init(name: "task", value: "NAME", help: "addition, modchain, multiplication (a number by one digit), subtraction (with borrows), wordproblem (two-step stories), mixed (all five; its model serves each), addition-padded (operands zero-padded to 6 digits) or addition-shifted (padded, and each operand shifted by a random power of ten within the field); addition-padded-W and addition-shifted-W use a field of W = 2-12 digits.", defaultValue: "addition"),
            .init(name: "digits", value: "A-B", help: "Difficulties to train on (digits for addition and the first factor of multiplication, operations for modchain).", defaultValue: "1-2"),
            .init(name: "steps", value: "N", help: "Optimisation steps.", defaultValue: "2000", kind: .integer(1...10_000_000)),
            .init(name: "batch", value: "N", help: "Sequences per step.", defaultValue: "32", kind: .integer(1...4096)),
            .init(name: "lr", value: "X", help: "Peak learning rate (linear warm-up, cosine decay to 10%).", defaultValue: "0.001", kind: .number(.finite)),
            .init(name: "warmup", value: "N", help: "Warm-up steps.", defaultValue: "100", kind: .integer(0...10_000_000)),
            .init(name: "seed-set", value: "N[,N...]", help: "Train on a fixed gold set: N problems per difficulty, or one N per difficulty (e.g. 1000,1000,100,100)."),
            .init(name: "hint-share", value: "P", help: "Share of examples whose prompt carries the answer as a hint (teaches the base STaR's rationalization).", defaultValue: "0", kind: .number(.finite)),
        ], OptionGroups.modelShape, [
            .init(name: "context", value: "T", help: "Longest sequence.", defaultValue: "256", kind: .integer(8...4096)),
            .init(name: "dropout", value: "P", help: "Residual dropout.", defaultValue: "0", kind: .number(.finite)),
            .init(name: "positions", value: "NAME", help: "learned (absolute embeddings) or rotary (queries and keys turned by position: attention sees relative offsets only).", defaultValue: "learned"),
            .init(name: "eval-problems", value: "N", help: "Held-out problems per difficulty for the final accuracy.", defaultValue: "200", kind: .integer(0...100_000)),
            .init(name: "seed", value: "S", help: "Seed of the weights, the problems and the held-out set.", defaultValue: "1"),
            .init(name: "out", value: "FILE", help: "The checkpoint; the loss curve goes beside it as FILE.loss.csv.", defaultValue: "model.ckpt"),
            .init(name: "quiet", value: nil, help: "No progress on stderr."),
        ]),
        discussion: """
        Example:
          safetykit train --task addition --digits 1-2 --steps 2000 --seed 1 --out model.ckpt
          safetykit eval --model model.ckpt --digits 1-6 --problems 200
        """)

    static func run(_ arguments: [String]) throws -> ExitCode {
        let args = try spec.parse(arguments)
        try args.applyThreads()
        if args.help { Terminal.printOut(spec.help); return .success }
        let task = try TaskRegistry.task(named: args.string("task") ?? "addition")
        let digits = try DigitRange.parse(args.string("digits") ?? "1-2", option: "digits", task: task)
        let steps = args.integer("steps")!
        let batch = args.integer("batch")!
        let peak = Float(args.number("lr")!)
        guard peak > 0 else { throw CLIError.usage("--lr must be positive, got '\(args.string("lr")!)'") }
        let warmup = args.integer("warmup")!
        var seedSet: [Int]? = nil
        if let text = args.string("seed-set") { seedSet = try SeedSetSizes.parse(text, digits: digits, smallest: 1) }
        let hintShare = args.number("hint-share")!
        guard (0...1).contains(hintShare) else { throw CLIError.usage("--hint-share must be in [0, 1], got '\(args.string("hint-share")!)'") }
        let seed = try args.seed()
        let evalCount = args.integer("eval-problems")!
        let out = args.string("out") ?? "model.ckpt"
        let quiet = args.flag("quiet")
        let vocabulary = task.vocabulary
        let configuration = ModelConfiguration(
            vocabularySize: vocabulary.count, contextLength: args.integer("context")!,
            width: args.integer("width")!, depth: args.integer("depth")!, heads: args.integer("heads")!, dropout: Float(args.number("dropout")!),
            rotary: (try args.choice("positions", ["learned", "rotary"]) ?? "learned") == "rotary")
        try configuration.validate()
        let model = try TransformerModel(configuration: configuration, seed: seed)
        // Outputs are opened first so that a bad path fails before training.
        let lossPath = (out.hasSuffix(".ckpt") ? String(out.dropLast(5)) : out) + ".loss.csv"
        let lossFile = try OutputFile(path: lossPath)
        guard FileManager.default.isWritableFile(atPath: URL(fileURLWithPath: out).deletingLastPathComponent().path) else {
            throw AnalysisError.cannotCreate(path: out, reason: "the directory is missing or not writable")
        }

        let heldOut = Evaluation.problems(task: task, difficulties: Array(digits), count: evalCount, seed: seed)
        var source = ProblemSource(task: task, difficulties: Array(digits), excluding: Set(heldOut.map(\.key)), seed: seed, fixedSizes: seedSet)
        source.hintShare = hintShare
        let trainer = SupervisedTrainer(model: model, schedule: LearningRateSchedule(peak: peak, warmupSteps: warmup, totalSteps: steps),
                                        batchSize: batch, vocabulary: vocabulary)
        try lossFile.write(CSVWriter.record(["step", "loss", "learning_rate", "gradient_norm", "tokens", "seconds"]))
        let progress = ProgressBar(total: steps, unit: "steps", quiet: quiet)
        let start = Date()
        var tokens = 0, recent = 0.0
        var dropout: RandomStream? = configuration.dropout > 0 ? RandomStream(seed: seed, purpose: .dropoutMasks) : nil
        for step in 0..<steps {
            let examples = try source.batch(batch, step: step, vocabulary: vocabulary)
            let report = try trainer.step(examples, dropout: &dropout)
            tokens += report.tokens
            recent = step == 0 ? report.loss : 0.95 * recent + 0.05 * report.loss
            let elapsed = Date().timeIntervalSince(start)
            try lossFile.write(CSVWriter.record([String(step + 1), CSVNumber.format(report.loss), CSVNumber.format(Double(report.learningRate)),
                                                 CSVNumber.format(Double(report.gradientNorm)), String(report.tokens), String(format: "%.3f", elapsed)]))
            progress.update(step + 1, detail: String(format: "loss %.4f · %.0f tok/s", recent, Double(tokens) / max(elapsed, 1e-9)))
        }
        progress.finish()
        let trainSeconds = Date().timeIntervalSince(start)
        try lossFile.commit()

        var metadata = ["task": task.name, "digits": "\(digits.lowerBound)-\(digits.upperBound)", "steps": String(steps), "seed": String(seed),
                        "heldout_per_difficulty": String(evalCount),
                        "batch": String(batch), "seed_set": seedSet.map { $0.map(String.init).joined(separator: ",") } ?? "fresh",
                        "hint_share": CSVNumber.format(hintShare)]
        var lines: [String] = []
        if !heldOut.isEmpty {
            let (evaluation, _) = try Evaluation.run(trainer.model, task: task, problems: heldOut, vocabulary: vocabulary, seed: seed)
            for d in digits {
                let r = evaluation.perDifficulty[d] ?? (0, 0)
                metadata["heldout_accuracy_\(d)"] = CSVNumber.format(Double(r.correct) / Double(max(1, r.total)))
                lines.append(String(format: "  difficulty %d: %.1f%% greedy accuracy (%d/%d held-out)", d, 100 * Double(r.correct) / Double(max(1, r.total)), r.correct, r.total))
            }
        }
        try Checkpoint(model: trainer.model, vocabulary: vocabulary, optimizer: trainer.optimizer, metadata: metadata).write(to: out)
        Terminal.printOut(String(format: "trained %d steps in %.1f s (%.0f tokens/s, final loss %.4f); %d parameters\n", steps, trainSeconds,
                                 Double(tokens) / trainSeconds, recent, model.parameterCount) + lines.joined(separator: "\n") + (lines.isEmpty ? "" : "\n"))
        if !quiet { Terminal.printError("wrote \(out) and the loss curve \(lossPath)") }
        return .success
    }
}

/// --width, --depth and --heads as the reasoner's configuration (context 256).
/// A checkpoint given by an option that must hold a model of a task vocabulary (a policy, a
/// base), read with a one-line error naming the option when it holds another (a judge).
enum StandardModel {
    /// Reads a checkpoint of the standard task vocabulary or, given `task`, of a vocabulary a
    /// model used on it may have (`TaskRegistry.vocabularies(usableOn:)`); with `stated`, also one
    /// that states its confidence (P(True), the verbalized line, or both; `safetykit confidence`).
    static func read(_ path: String, option: String, purpose: String, task: (any ReasoningTask)? = nil, stated: Bool = false) throws -> Checkpoint {
        let checkpoint = try Checkpoint.read(path: path)
        let accepted = (task.map(TaskRegistry.vocabularies(usableOn:)) ?? [.standard])
            + (stated ? [PTrue.vocabulary, StatedConfidence.vocabulary, StatedConfidence.decisionVocabulary] : [])
        guard accepted.contains(checkpoint.vocabulary) else {
            throw CLIError.usage("--\(option) \(path) has another vocabulary; \(purpose) needs a model of "
                                 + (task.map { "the vocabulary of task '\($0.name)'" } ?? "the standard task vocabulary")
                                 + (stated ? " or one from 'safetykit confidence'" : ""))
        }
        return checkpoint
    }

    /// Refuses a confidence source that the model does not state.
    static func requireSource(_ source: ConfidenceSource, vocabulary: Vocabulary, option: String) throws {
        let has = switch source {
        case .sequence, .answer, .vote: true
        case .ptrue: StatedConfidence.hasPTrue(vocabulary)
        case .verbalized: StatedConfidence.hasVerbalized(vocabulary)
        case .feedback: Feedback.isIn(vocabulary)
        }
        guard has else {
            throw CLIError.usage("--\(option) \(source.rawValue) needs a model that states it; give a base from 'safetykit confidence' (ptrue, verbalized), --method self (feedback), or sequence, answer or vote")
        }
    }

    /// Refuses a checkpoint trained for another task than `task` (the checkpoint records its
    /// task), unless the two are layouts of one addition field.
    static func requireTask(_ checkpoint: Checkpoint, path: String, option: String, task: any ReasoningTask) throws {
        guard let trained = checkpoint.metadata["task"], !TaskRegistry.isCompatible(trained: trained, used: task.name) else { return }
        throw CLIError.usage("--\(option) \(path) was trained for the task '\(trained)', not '\(task.name)'; give --task \(trained), or a model of this task (padded and shifted layouts of one field width are interchangeable, and a 'mixed' model serves each of its members)")
    }
}

enum ModelShape {
    /// The shape for a model of `vocabulary`.
    static func configuration(_ args: ParsedArguments, vocabulary: Vocabulary) throws -> ModelConfiguration {
        let configuration = ModelConfiguration(vocabularySize: vocabulary.count, contextLength: 256,
                                               width: args.integer("width")!, depth: args.integer("depth")!, heads: args.integer("heads")!)
        try configuration.validate()
        return configuration
    }
}

/// --seed-set: "N" for every difficulty, or one N per difficulty.
enum SeedSetSizes {
    static func parse(_ text: String, digits: ClosedRange<Int>, smallest: Int) throws(CLIError) -> [Int] {
        let sizes = text.split(separator: ",").map { Int($0.trimmingCharacters(in: .whitespaces)) }
        guard !sizes.isEmpty, sizes.allSatisfy({ ($0 ?? -1) >= smallest }), sizes.count == 1 || sizes.count == digits.count else {
            throw .usage("--seed-set must be N or one N >= \(smallest) per difficulty (\(digits.count) for --digits \(digits.lowerBound)-\(digits.upperBound)), got '\(text)'")
        }
        return sizes.count == 1 ? Array(repeating: sizes[0]!, count: digits.count) : sizes.map { $0! }
    }
}

/// "A-B" or "A" as a range of difficulties the task supports.
enum DigitRange {
    static func parse(_ text: String, option: String, task: any ReasoningTask) throws(CLIError) -> ClosedRange<Int> {
        let parts = text.split(separator: "-").map { Int($0.trimmingCharacters(in: .whitespaces)) }
        let range = task.difficulties
        guard (parts.count == 1 || parts.count == 2), let a = parts.first!, let b = parts.last!, a <= b,
              range.contains(a), range.contains(b) else {
            throw .usage("--\(option) must be A or A-B within \(range.lowerBound)-\(range.upperBound) for \(task.name), got '\(text)'")
        }
        return a...b
    }
}
