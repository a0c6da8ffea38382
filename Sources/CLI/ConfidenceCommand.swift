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
        Teach a trained model to state its confidence as P(True) (Kadavath et al. 2022): after its answer, the
        line 'Right?' and its probability of 'yes' against 'no'. The model answers fresh problems greedily
        (never its held-out ones), each answer is labelled right or wrong, and the model learns the label by
        cross-entropy on the yes/no token alone (a proper scoring rule). Then its held-out answers and answers
        at longer, unseen difficulties are scored: accuracy, mean P(True), ECE and Brier for each.
        """,
        usage: "safetykit confidence --model FILE [--out ptrue.ckpt] [--problems N] [--steps N] [options]",
        options: [
            CommandSpec.threads,
            .init(name: "model", value: "FILE", help: "The trained model (a checkpoint from 'safetykit train' or a run)."),
            .init(name: "out", value: "FILE", help: "The model with P(True); its scored answers go beside it as FILE.ptrue.csv.", defaultValue: "ptrue.ckpt"),
            .init(name: "problems", value: "N", help: "Fresh problems per trained difficulty whose answers label the training.", defaultValue: "500",
                  kind: .integer(1...1_000_000)),
            .init(name: "steps", value: "N", help: "Training steps on the labelled answers.", defaultValue: "600", kind: .integer(1...1_000_000)),
            .init(name: "batch", value: "N", help: "Answers per step.", defaultValue: "32", kind: .integer(1...4096)),
            .init(name: "lr", value: "X", help: "Peak learning rate (warm-up, cosine decay).", defaultValue: "0.0003", kind: .number(.positive)),
            .init(name: "shift", value: "N", help: "Difficulties beyond the trained ones to score under shift (0: none).", defaultValue: "2",
                  kind: .integer(0...16)),
            .init(name: "seed", value: "S", help: "Seed of the labelling problems, the new tokens and the batches.", defaultValue: "1"),
            .init(name: "bootstrap", value: "N", help: "Bootstrap resamples for the intervals (0: none).", defaultValue: "200"),
            .init(name: "quiet", value: nil, help: "No progress on stderr."),
        ],
        discussion: """
        The held-out problems are the checkpoint's own (those 'safetykit train' held out); the labelling problems
        are drawn from their own stream and exclude them. FILE.ptrue.csv has one row per scored answer (split,
        difficulty, confidence, correct): 'safetykit calibrate FILE.ptrue.csv --group-column split' reads it.

        Example:
          safetykit confidence --model model.ckpt --out ptrue.ckpt --problems 500 --steps 600
        """)

    static func run(_ arguments: [String]) throws -> ExitCode {
        let args = try spec.parse(arguments)
        try args.applyThreads()
        if args.help { Terminal.printOut(spec.help); return .success }
        guard let path = args.string("model") else { throw CLIError.usage("confidence needs --model FILE (a checkpoint from 'safetykit train')") }
        let checkpoint = try StandardModel.read(path, option: "model", purpose: "confidence")
        let task = try TaskRegistry.task(named: checkpoint.metadata["task"] ?? "addition")
        let digits = try DigitRange.parse(checkpoint.metadata["digits"] ?? "1-2", option: "digits", task: task)
        let seed = try args.seed(), quiet = args.flag("quiet"), bootstrap = try args.bootstrapResamples(default: 200, upTo: 100_000)
        let out = args.value("out")!
        let samplesPath = (out.hasSuffix(".ckpt") ? String(out.dropLast(5)) : out) + ".ptrue.csv"
        let samplesFile = try OutputFile(path: samplesPath)
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

        // Labels: the model's own greedy answers to fresh problems, right or wrong.
        var taken = Set(heldOut.map(\.key))
        let labelling = SelfImprovementLoop.draw(task: task, difficulties: Array(digits), count: { _ in args.integer("problems")! },
                                                 excluding: &taken, seed: seed, purpose: .pTrueProblems)
        var bar = ProgressBar(total: labelling.count, unit: "problems", quiet: quiet)
        let answers = try labelledAnswers(checkpoint.model, task: task, problems: labelling, seed: seed) { bar.update($0, detail: "answering fresh problems") }
        bar.finish()
        let steps = args.integer("steps")!
        bar = ProgressBar(total: steps, unit: "steps", quiet: quiet)
        let model = try PTrue.train(checkpoint.model, answers: answers.map(\.answer), steps: steps, batchSize: args.integer("batch")!,
                                    learningRate: Float(args.number("lr")!), seed: seed) { step, loss in
            bar.update(step, detail: String(format: "P(True) · loss %.4f", loss))
        }
        bar.finish()

        // Score the trained model's own answers where it was trained and beyond.
        var rows: [[String]] = [], table = ""
        let labelledRight = answers.filter(\.answer.right).count
        table += String(format: "P(True) learned from %d answers (%.1f%% right) in %d steps; the model's answers scored by the new model:\n",
                        answers.count, 100 * Double(labelledRight) / Double(max(1, answers.count)), steps)
        table += "split                   n   accuracy   mean P(True)   ECE [95%]                 Brier\n"
        let splits: [(String, [Problem])] = [("held-out", heldOut), ("shifted", shiftedProblems)]
        for (split, problems) in splits where !problems.isEmpty {
            bar = ProgressBar(total: problems.count, unit: "problems", quiet: quiet)
            let scored = try labelledAnswers(model, task: task, problems: problems, seed: seed, vocabulary: PTrue.vocabulary) {
                bar.update($0, detail: "scoring \(split) answers")
            }
            bar.finish()
            let confidences = try PTrue.probabilities(model, prompts: scored.map(\.answer.prompt), completions: scored.map(\.answer.completion),
                                                      vocabulary: PTrue.vocabulary)
            for (s, c) in zip(scored, confidences) {
                rows.append([split, String(s.difficulty), CSVNumber.format(c), s.answer.right ? "1" : "0"])
            }
            let report = CalibrationAnalysis(try Predictions(confidences: confidences, correct: scored.map(\.answer.right)))
                .report(bootstrap: bootstrap, seed: RandomStream(seed: seed, purpose: .runBootstrap).key)
            let interval = report.intervals[.ece].map { String(format: "[%.3f, %.3f]", $0.lowerBound, $0.upperBound) } ?? "[no interval]"
            let label = split + (split == "shifted" ? " (\(shiftedDifficulties.map(String.init).joined(separator: ",")))" : "")
            table += label.padding(toLength: 20, withPad: " ", startingAt: 0)
                + String(format: "%5d   %6.1f%%   %12.3f   %.3f ", Int(report.n), 100 * report.accuracy, report.meanConfidence, report.ece)
                + interval.padding(toLength: 18, withPad: " ", startingAt: 0) + String(format: "%.3f\n", report.brier)
        }
        var text = CSVWriter.record(["split", "difficulty", "confidence", "correct"])
        for row in rows { text += CSVWriter.record(row) }
        try samplesFile.write(text)
        var metadata = checkpoint.metadata
        metadata["ptrue"] = "yes"
        metadata["ptrue_steps"] = String(steps)
        metadata["ptrue_answers"] = String(answers.count)
        try Checkpoint(model: model, vocabulary: PTrue.vocabulary, metadata: metadata).write(to: out)
        try samplesFile.commit()
        Terminal.printOut(table)
        if !quiet { Terminal.printError("wrote \(out) and the scored answers \(samplesPath)") }
        return .success
    }

    /// The model's greedy answers to `problems`, labelled right or wrong, with each problem's difficulty.
    static func labelledAnswers(_ model: TransformerModel, task: any ReasoningTask, problems: [Problem], seed: UInt64,
                                vocabulary: Vocabulary = .standard, progress: @escaping (Int) -> Void) throws -> [(answer: PTrue.LabelledAnswer, difficulty: Int)] {
        let prompts = try problems.map { p throws(ReasonerError) in try vocabulary.encode(task.prompt(p), context: "the prompt of \(p.key)") }
        // Room for the question after the longest prompt's answer: a completion cut there is wrong anyway.
        let room = max(1, model.configuration.contextLength - (prompts.map(\.count).max() ?? 0) - 3)
        let (_, records) = try Evaluation.run(model, task: task, problems: problems, sampler: Sampler(temperature: 0, maxTokens: room),
                                              vocabulary: vocabulary, seed: seed, progress: progress)
        return try zip(prompts, records).map { prompt, r in
            let completion = try vocabulary.encode(r.text) + (r.finished ? [vocabulary.eos] : [])
            return (PTrue.LabelledAnswer(prompt: prompt, completion: completion, right: r.right), r.problem.difficulty)
        }
    }
}
