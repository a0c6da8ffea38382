import SafetyKitAnalysis
import Foundation
import SafetyKitNumerics
import SafetyKitReasoner

/// `safetykit eval`: held-out accuracy of a trained model, per difficulty.
enum EvalCommand {
    static let spec = CommandSpec(
        name: "eval",
        summary: "Greedy (or sampled) accuracy of a trained model on fresh problems, per difficulty.",
        usage: "safetykit eval --model model.ckpt [--task addition] [--digits 2] [--problems 500] [--format json]",
        options: [
            CommandSpec.threads,
            .init(name: "model", value: "FILE", help: "A checkpoint written by 'safetykit train'."),
            .init(name: "task", value: "NAME", help: "The task.", shownDefault: "the model's"),
            .init(name: "digits", value: "A-B", help: "Difficulties to evaluate.", shownDefault: "the trained range"),
            .init(name: "problems", value: "N", help: "Problems per difficulty.", shownDefault: "the held-out count of the training run, else 500", kind: .integer(1...1_000_000)),
            .init(name: "temperature", value: "X", help: "0 is greedy.", defaultValue: "0", kind: .number(.finite)),
            .init(name: "seed", value: "S", help: "Seed of the problems and samples.", shownDefault: "the training seed"),
            .init(name: "format", value: "FMT", help: "table or json.", shownDefault: "table on a terminal, else json"),
            .init(name: "quiet", value: nil, help: "No progress on stderr."),
        ],
        discussion: """
        'safetykit train --seed S' holds out the first N problems per difficulty of seed S (N = its
        --eval-problems) and never trains on them. By default eval uses the training seed and N, so it
        tests exactly those. With more problems than were held out, the rest of a trained difficulty
        may have been seen in training: the output says how many, in the table and in the JSON
        (`possibly_trained_on`). Difficulties outside the trained range were never seen.

        Example:
          safetykit eval --model model.ckpt --task addition --digits 2 --problems 500 --format json
        """)

    static func run(_ arguments: [String]) throws -> ExitCode {
        let args = try spec.parse(arguments)
        try args.applyThreads()
        if args.help { Terminal.printOut(spec.help); return .success }
        guard let path = args.string("model") else { throw CLIError.usage("eval needs --model FILE (a checkpoint from 'safetykit train')") }
        let checkpoint = try Checkpoint.read(path: path)
        let task = try TaskRegistry.task(named: args.string("task") ?? checkpoint.metadata["task"] ?? "addition")
        try StandardModel.requireTask(checkpoint, path: path, option: "model", task: task)
        let digits = try DigitRange.parse(args.string("digits") ?? checkpoint.metadata["digits"] ?? "1-2", option: "digits", task: task)
        let held = checkpoint.metadata["heldout_per_difficulty"].flatMap(Int.init).flatMap { $0 > 0 ? $0 : nil }
        let count = args.integer("problems") ?? held ?? 500
        let temperature = args.number("temperature")!
        guard temperature >= 0 else { throw CLIError.usage("--temperature must be >= 0") }
        let trainingSeed = checkpoint.metadata["seed"].flatMap { UInt64($0) }
        let seed = args.has("seed") ? try args.seed() : trainingSeed ?? 1
        // How many of the problems of trained difficulties lie beyond the held-out ones (problem i
        // of a difficulty is the same problem whatever the count, so the first `held` are exactly those).
        let trained = checkpoint.metadata["digits"].flatMap { try? DigitRange.parse($0, option: "digits", task: task) }
        var possiblyTrainedOn = 0
        if let held, let trained, seed == trainingSeed, count > held {
            possiblyTrainedOn = digits.filter { trained.contains($0) }.count * (count - held)
        }
        let format = try args.outputFormat([.table, .json], piped: .json)
        let problems = Evaluation.problems(task: task, difficulties: Array(digits), count: count, seed: seed)
        let progress = ProgressBar(total: problems.count, unit: "problems", quiet: args.flag("quiet"))
        let start = Date()
        let (evaluation, _) = try Evaluation.run(checkpoint.model, task: task, problems: problems, sampler: Sampler(temperature: Float(temperature)),
                                                 vocabulary: checkpoint.vocabulary, seed: seed) { progress.update($0) }
        progress.finish()
        let seconds = Date().timeIntervalSince(start)
        if format == .json {
            let per = digits.map { d -> (String, JSONValue) in
                let r = evaluation.perDifficulty[d] ?? (0, 0)
                return (String(d), .object([("accuracy", .number(Double(r.correct) / Double(max(1, r.total)))), ("correct", .number(Double(r.correct))),
                                            ("total", .number(Double(r.total)))]))
            }
            Terminal.printOut(JSONValue.object([("accuracy", .number(evaluation.accuracy)), ("per_difficulty", .object(per)),
                                                ("task", .string(task.name)), ("problems", .number(Double(evaluation.total))),
                                                ("temperature", .number(temperature)), ("seed", .number(Double(seed))),
                                                ("possibly_trained_on", .number(Double(possiblyTrainedOn))),
                                                ("seconds", .number((seconds * 1000).rounded() / 1000))]).pretty() + "\n")
        } else {
            var text = "\(task.name), \(evaluation.total) problems, \(temperature == 0 ? "greedy" : "temperature \(temperature)"):\n"
            for d in digits {
                let r = evaluation.perDifficulty[d] ?? (0, 0)
                text += String(format: "  difficulty %d: %5.1f%%  (%d/%d)\n", d, 100 * Double(r.correct) / Double(max(1, r.total)), r.correct, r.total)
            }
            text += String(format: "  overall:      %5.1f%%\n", 100 * evaluation.accuracy)
            if possiblyTrainedOn > 0 {
                text += "  note: \(possiblyTrainedOn) of these problems lie beyond the \(held!) per difficulty held out in training and may have been trained on\n"
            }
            Terminal.printOut(text)
        }
        return .success
    }
}
