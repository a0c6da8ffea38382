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
            .init(name: "task", value: "NAME", help: "The task, one of " + TaskRegistry.described + "; a model of 'mixed' takes any of its members.", shownDefault: "the model's"),
            .init(name: "digits", value: "A-B", help: "Difficulties to evaluate.", shownDefault: "the trained range"),
            .init(name: "problems", value: "N", help: "Problems per difficulty.", shownDefault: "the held-out count of the training run, else 500", kind: .integer(1...1_000_000)),
            .init(name: "temperature", value: "X", help: "0 is greedy.", defaultValue: "0", kind: .number(.finite)),
            .init(name: "seed", value: "S", help: "Seed of the problems and samples.", shownDefault: "the training seed"),
            .init(name: "format", value: "FMT", help: "table or json.", shownDefault: "table on a terminal, else json"),
            .init(name: "refine", value: nil, help: "Also let the model give feedback on each answer and refine it after a fault (a model from 'selfimprove --method self'): accuracy after refinement, and the feedback against the gold checker."),
            .init(name: "quiet", value: nil, help: "No progress on stderr."),
        ],
        discussion: """
        'safetykit train --seed S' holds out the first N problems per difficulty of seed S (N = its
        --eval-problems) and never trains on them. By default eval uses the training seed and N, so it
        tests exactly those. With more problems than were held out, the rest of a trained difficulty
        may have been seen in training: the output says how many, in the table and in the JSON
        (`possibly_trained_on`). Difficulties outside the trained range were never seen.

        With --refine, after each answer the model writes feedback (accept, or its first wrong step and the
        fault) and, after a fault, a refinement, which then stands as its answer. The output adds the accuracy
        after refinement and the feedback's precision and recall of "wrong" against the gold checker, the share
        naming the gold checker's step and fault, and the share of refinements that are right.

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
        let refines = args.flag("refine")
        if refines, !Feedback.isIn(checkpoint.vocabulary) {
            throw CLIError.usage("--refine needs a model that writes feedback (from 'safetykit selfimprove --method self'); \(path) has no feedback format")
        }
        let (evaluation, records) = try Evaluation.run(checkpoint.model, task: task, problems: problems, sampler: Sampler(temperature: Float(temperature)),
                                                       vocabulary: checkpoint.vocabulary, seed: seed) { progress.update($0) }
        progress.finish()
        // Refinement: the model's feedback on each answer, and what stands after it.
        var refined: Evaluation? = nil, feedback: FeedbackSummary? = nil
        if refines {
            let outcomes = try SelfRefinement.run(checkpoint.model, task: task, problems: records.map(\.problem), responses: records.map(\.text),
                                                  vocabulary: checkpoint.vocabulary, maxTokens: 256)
            let audits = zip(records, outcomes).map { r, o in (audit: FeedbackAudit(o, response: r.text, problem: r.problem, task: task), correct: r.right) }
            var per: [Int: (correct: Int, total: Int)] = [:]
            for (r, a) in zip(records, audits) {
                per[r.problem.difficulty, default: (0, 0)].total += 1
                if a.audit.refinedCorrect ?? a.correct { per[r.problem.difficulty, default: (0, 0)].correct += 1 }
            }
            refined = Evaluation(perDifficulty: per)
            feedback = FeedbackSummary(audits)
        }
        let seconds = Date().timeIntervalSince(start)
        if format == .json {
            let per = digits.map { d -> (String, JSONValue) in
                let r = evaluation.perDifficulty[d] ?? (0, 0)
                return (String(d), .object([("accuracy", .number(Double(r.correct) / Double(max(1, r.total)))), ("correct", .number(Double(r.correct))),
                                            ("total", .number(Double(r.total)))]))
            }
            var members: [(String, JSONValue)] = [("accuracy", .number(evaluation.accuracy)), ("per_difficulty", .object(per))]
            if let refined, let feedback {
                func value(_ x: Double?) -> JSONValue { x.map(JSONValue.number) ?? .null }
                let perRefined = digits.map { d -> (String, JSONValue) in
                    let r = refined.perDifficulty[d] ?? (0, 0)
                    return (String(d), .number(Double(r.correct) / Double(max(1, r.total))))
                }
                members += [("refined_accuracy", .number(refined.accuracy)), ("refined_per_difficulty", .object(perRefined)),
                            ("feedback", .object([("precision", value(feedback.precision)), ("recall", value(feedback.recall)),
                                                  ("exact", value(feedback.exact)), ("refinement_success", value(feedback.refinementSuccess)),
                                                  ("missing", value(feedback.missing))]))]
            }
            members += [("task", .string(task.name)), ("problems", .number(Double(evaluation.total))),
                        ("temperature", .number(temperature)), ("seed", .number(Double(seed))),
                        ("possibly_trained_on", .number(Double(possiblyTrainedOn))),
                        ("seconds", .number((seconds * 1000).rounded() / 1000))]
            Terminal.printOut(JSONValue.object(members).pretty() + "\n")
        } else {
            var text = "\(task.name), \(evaluation.total) problems, \(temperature == 0 ? "greedy" : "temperature \(temperature)"):\n"
            func refinedText(_ r: (correct: Int, total: Int)?) -> String {
                guard let r else { return "" }
                return String(format: "   after refinement %5.1f%%  (%d/%d)", 100 * Double(r.correct) / Double(max(1, r.total)), r.correct, r.total)
            }
            for d in digits {
                let r = evaluation.perDifficulty[d] ?? (0, 0)
                let counts = "(\(r.correct)/\(r.total))"
                text += String(format: "  difficulty %d: %5.1f%%  ", d, 100 * Double(r.correct) / Double(max(1, r.total)))
                    + (refined == nil ? counts : counts.padding(toLength: max(counts.count, 12), withPad: " ", startingAt: 0))
                    + refinedText(refined.map { $0.perDifficulty[d] ?? (0, 0) }) + "\n"
            }
            text += String(format: "  overall:      %5.1f%%", 100 * evaluation.accuracy) + (refined == nil ? "" : String(repeating: " ", count: 14))
                + refinedText(refined.map { ($0.correct, $0.total) }) + "\n"
            if let feedback {
                func percent(_ x: Double?) -> String { x.map { String(format: "%.1f%%", 100 * $0) } ?? "-" }
                text += "  feedback against the gold checker: precision of \"wrong\" \(percent(feedback.precision)), recall \(percent(feedback.recall)), "
                    + "step and fault exact \(percent(feedback.exact)); refinements right \(percent(feedback.refinementSuccess)); unreadable \(percent(feedback.missing))\n"
            }
            if possiblyTrainedOn > 0 {
                text += "  note: \(possiblyTrainedOn) of these problems lie beyond the \(held!) per difficulty held out in training and may have been trained on\n"
            }
            Terminal.printOut(text)
        }
        return .success
    }
}
