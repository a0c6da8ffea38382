import SafetyKitAnalysis
import Foundation
import SafetyKitNumerics
import SafetyKitReasoner

/// `safetykit sample`: rationales and answers from a trained model, marked right or wrong.
enum SampleCommand {
    static let spec = CommandSpec(
        name: "sample",
        summary: "Sample rationales and answers for one problem from a trained model, each marked right or wrong, with its confidence.",
        usage: "safetykit sample --model model.ckpt --problem \"12+34\" [-k 8] [--temperature 0.7] [options]",
        options: [
            CommandSpec.threads,
            .init(name: "model", value: "FILE", help: "A checkpoint written by 'safetykit train'."),
            .init(name: "problem", value: "TEXT", help: "The problem, e.g. 12+34 (addition) or \"3+4*5 mod 7\" (modchain)."),
            .init(name: "task", value: "NAME", help: "The task, one of " + TaskRegistry.described + "; a model of 'mixed' takes any of its members.", shownDefault: "the model's"),
            .init(name: "k", value: "N", help: "Samples to draw.", defaultValue: "8", short: "k", kind: .integer(1...10_000)),
            .init(name: "temperature", value: "X", help: "Sampling temperature; 0 is greedy.", defaultValue: "0.7", kind: .number(.finite)),
            .init(name: "top-k", value: "N", help: "Keep the N most likely tokens (0 = all).", defaultValue: "0", kind: .integer(0...100_000)),
            .init(name: "top-p", value: "X", help: "Nucleus: keep tokens up to this total probability.", defaultValue: "1", kind: .number(.finite)),
            .init(name: "max-tokens", value: "N", help: "Longest completion.", defaultValue: "256", kind: .integer(1...100_000)),
            .init(name: "seed", value: "S", help: "Seed of the samples.", defaultValue: "1"),
            .init(name: "format", value: "FMT", help: "table or json (one line per sample).", defaultValue: "table"),
            .init(name: "refine", value: nil, help: "After each sample, the model's own feedback and, after a fault, its refinement (greedy; a model from 'selfimprove --method self')."),
        ],
        discussion: """
        Confidence is the length-normalised sequence probability exp(mean log p) of each completion.
        With --refine, the model then writes feedback on each sample (accept, or the first wrong step and its
        fault) and, after a fault, a refinement, which is marked right or wrong in turn; P(accept) is its
        probability that the feedback begins "accept".

        Example:
          safetykit sample --model model.ckpt --problem "12+34" -k 8 --temperature 0.7
        """)

    static func run(_ arguments: [String]) throws -> ExitCode {
        let args = try spec.parse(arguments)
        try args.applyThreads()
        if args.help { Terminal.printOut(spec.help); return .success }
        guard let path = args.string("model") else { throw CLIError.usage("sample needs --model FILE (a checkpoint from 'safetykit train')") }
        guard let text = args.string("problem") else { throw CLIError.usage("sample needs --problem TEXT, e.g. --problem \"12+34\"") }
        let checkpoint = try Checkpoint.read(path: path)
        let task = try TaskRegistry.task(named: args.string("task") ?? checkpoint.metadata["task"] ?? "addition")
        try StandardModel.requireTask(checkpoint, path: path, option: "model", task: task)
        let problem = try task.problem(parsing: text)
        let k = args.integer("k")!
        let temperature = args.number("temperature")!
        guard temperature >= 0 else { throw CLIError.usage("--temperature must be >= 0, got '\(args.string("temperature")!)'") }
        let topP = args.number("top-p")!
        guard topP > 0 && topP <= 1 else { throw CLIError.usage("--top-p must be in (0, 1], got '\(args.string("top-p")!)'") }
        let sampler = Sampler(temperature: Float(temperature), topK: args.integer("top-k")!, topP: Float(topP),
                              maxTokens: args.integer("max-tokens")!)
        let format = try args.outputFormat([.table, .json], piped: .table)
        let prompt = try checkpoint.vocabulary.encode(task.prompt(problem), context: "the prompt")
        guard prompt.count < checkpoint.model.configuration.contextLength else {
            throw CLIError.usage("the problem's prompt has \(prompt.count) tokens; the model's context is \(checkpoint.model.configuration.contextLength)")
        }
        let refines = args.flag("refine")
        if refines, !Feedback.isIn(checkpoint.vocabulary) {
            throw CLIError.usage("--refine needs a model that writes feedback (from 'safetykit selfimprove --method self'); \(path) has no feedback format")
        }
        let samples = sampler.generate(checkpoint.model, prompts: Array(repeating: prompt, count: k), eos: checkpoint.vocabulary.eos,
                                       seed: try args.seed())
        let completions = samples.map { checkpoint.vocabulary.decode($0.tokens) }
        let outcomes = refines
            ? try SelfRefinement.run(checkpoint.model, task: task, problems: completions.map { _ in problem }, responses: completions,
                                     vocabulary: checkpoint.vocabulary, maxTokens: args.integer("max-tokens")!)
            : []
        var right = 0, refinedRight = 0
        var out = format == .table ? "\(task.prompt(problem))(gold answer: \(problem.answer))\n\n" : ""
        for (i, sample) in samples.enumerated() {
            let completion = completions[i]
            let correct = sample.finished && task.isCorrect(completion, for: problem)
            if correct { right += 1 }
            let answer = task.parse(completion)?.answer ?? "(malformed)"
            let confidence = CompletionScorer.confidences(sample.logProbabilities,
                                                          answerTokens: answer.split(separator: " ").count).sequence
            // The refinement, where the model's own feedback asks for one, and what stands after it.
            let outcome = outcomes.isEmpty ? nil : outcomes[i]
            let final = outcome?.final(completion) ?? completion
            let finalCorrect = final == completion ? correct : task.isCorrect(final, for: problem)
            if finalCorrect { refinedRight += 1 }
            if format == .json {
                var members: [(String, JSONValue)] = [
                    ("sample", .number(Double(i + 1))), ("completion", .string(completion)), ("answer", .string(answer)),
                    ("correct", .bool(correct)), ("finished", .bool(sample.finished)), ("confidence", .number(confidence)),
                    ("log_probability", .number(sample.totalLogProbability))]
                if let outcome {
                    members += [("feedback", outcome.feedback.map { .string($0.line) } ?? .null),
                                ("accept_probability", outcome.acceptProbability.map(JSONValue.number) ?? .null),
                                ("refinement", outcome.refinement.map(JSONValue.string) ?? .null), ("refined_correct", .bool(finalCorrect))]
                }
                out += JSONValue.object(members).serialized() + "\n"
            } else {
                out += "sample \(i + 1): \(correct ? "✓ right" : "✗ wrong"), answer \(answer), confidence \(String(format: "%.3f", confidence))\n"
                out += completion.split(separator: "\n").map { "    " + $0 }.joined(separator: "\n") + "\n"
                if let outcome {
                    let p = outcome.acceptProbability.map { String(format: "%.3f", $0) } ?? "-"
                    out += "  feedback: \(outcome.feedback?.line ?? "(unreadable)"), P(accept) \(p)\n"
                    if final != completion {
                        out += "  refined: \(finalCorrect ? "✓ right" : "✗ wrong"), answer \(task.parse(final)?.answer ?? "(malformed)")\n"
                        out += final.split(separator: "\n").map { "    " + $0 }.joined(separator: "\n") + "\n"
                    }
                }
                out += "\n"
            }
        }
        if format == .table { out += "\(right) of \(k) right" + (refines ? "; after refinement \(refinedRight) of \(k)" : "") + "\n" }
        Terminal.printOut(out)
        return .success
    }
}
