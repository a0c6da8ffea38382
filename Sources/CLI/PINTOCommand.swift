import Foundation
import SafetyKitAnalysis
import SafetyKitNumerics
import SafetyKitReasoner

/// `safetykit pinto`: PINTO's faithful reasoner on a frozen rationalizer's rationales, with and
/// without the counterfactual regularizer, against the rationalizer alone, in and out of
/// distribution.
enum PINTOCommand {
    static let spec = CommandSpec(
        name: "pinto",
        summary: """
        PINTO (Wang et al. 2023): a reasoner answers from the problem and a rationale that a frozen rationalizer
        (any trained checkpoint) wrote, trained on gold answers. Its counterfactual regularizer perturbs each
        rationale (tokens masked or replaced) and pulls the answer after it towards a uniform guess over the digits,
        so that the answer comes to depend on the rationale. Two reasoners start from the rationalizer's weights and
        see the same clean examples: one regularized, one plain. Each is measured on the rationalizer's held-out
        problems and on longer ones (out of distribution): accuracy, ECE of its answer confidence, and
        faithfulness: how often its answer changes, and how far its confidence drops, when the rationale is
        perturbed, and how often it gives another problem's answer when handed that problem's rationale.
        """,
        usage: "safetykit pinto --rationalizer FILE [--out DIR] [--counterfactual-weight X] [--perturbation mask|replace] [--perturb-ratio R] [options]",
        options: CommandSpec.joined([
            CommandSpec.threads,
            .init(name: "rationalizer", value: "FILE", help: "The frozen rationalizer: a checkpoint from 'safetykit train' (or a run's) of any task."),
            .init(name: "out", value: "DIR", help: "Where pinto.csv and the two reasoners (reasoner.ckpt, reasoner-plain.ckpt) go.", defaultValue: "pinto"),
            .init(name: "problems", value: "N", help: "Training problems per trained difficulty, fresh (never held out), each rationalized once.", defaultValue: "500",
                  kind: .integer(1...1_000_000)),
            .init(name: "steps", value: "N", help: "Training steps of each reasoner.", defaultValue: String(PINTO(task: AdditionTask(), rationalizerVocabulary: .standard).steps),
                  kind: .integer(1...1_000_000)),
            .init(name: "batch", value: "N", help: "Clean examples per step (the regularized reasoner adds as many perturbed ones).",
                  defaultValue: String(PINTO(task: AdditionTask(), rationalizerVocabulary: .standard).batchSize), kind: .integer(1...4096)),
            .init(name: "lr", value: "X", help: "Peak learning rate (warm-up, cosine decay).",
                  defaultValue: String(PINTO(task: AdditionTask(), rationalizerVocabulary: .standard).learningRate), kind: .number(.positive)),
            .init(name: "shift", value: "N", help: "Difficulties beyond the trained ones measured out of distribution (0: none).", defaultValue: "1", kind: .integer(0...16)),
            .init(name: "seed", value: "S", help: "Seed of the training problems, batches, perturbations and the new tokens.", defaultValue: "1"),
            .init(name: "quiet", value: nil, help: "No progress on stderr."),
        ], OptionGroups.counterfactual),
        discussion: """
        The held-out problems are the rationalizer's own (those 'safetykit train' held out), in distribution; out
        of distribution are as many at each of the --shift difficulties above. pinto.csv has one row per model and
        split: accuracy with its Wilson interval, ECE (10 equal-width bins) of the answer's probability, and for the
        reasoners the share of answers changed by the perturbed rationale (Wilson), the mean drop of the probability
        of the clean answer when the rationale is perturbed (scored teacher-forced; the table shows the change, so a
        drop is negative), and the share of swapped rationales followed: handed the rationale of another problem of
        the same difficulty, it gives that rationale's answer (counted where the two answers differ). The
        rationalizer's row is its own greedy answer after its own rationale.

        Example:
          safetykit train --digits 1-3 --steps 2000 --out model.ckpt
          safetykit pinto --rationalizer model.ckpt --out pinto
        """)

    /// One model on one split: what pinto.csv, the table and the README read.
    struct Row {
        var model: String
        var split: String
        var accuracy: Proportion
        var ece: Double
        /// The reasoners' faithfulness; nil for the rationalizer.
        var changed: Proportion?
        var confidenceDrop: Double?
        var followsSwap: Proportion?

        static let header = ["model", "split", "n", "accuracy", "accuracy_lo", "accuracy_hi", "ece", "answer_changed", "answer_changed_lo",
                             "answer_changed_hi", "confidence_drop", "follows_swap", "follows_swap_lo", "follows_swap_hi"]
        var record: [String] {
            func p(_ x: Proportion?) -> [String] { x.map { [$0.rate, $0.lower, $0.upper].map(CSVNumber.format) } ?? ["", "", ""] }
            return [model, split, String(accuracy.trials)] + p(accuracy) + [CSVNumber.format(ece)] + p(changed)
                + [confidenceDrop.map(CSVNumber.format) ?? ""] + p(followsSwap)
        }
        var line: String {
            func pct(_ x: Proportion?) -> String { x.map { String(format: "%5.1f%% [%4.1f, %4.1f]", 100 * $0.rate, 100 * $0.lower, 100 * $0.upper) } ?? String(repeating: " ", count: 20) + "-" }
            return model.padding(toLength: 16, withPad: " ", startingAt: 0) + split.padding(toLength: 6, withPad: " ", startingAt: 0)
                + String(format: "%5d  ", accuracy.trials) + pct(accuracy) + String(format: "  %.3f  ", ece) + pct(changed)
                + (confidenceDrop.map { String(format: "  %+.3f  ", -$0) } ?? "        -  ") + pct(followsSwap)
        }
    }

    static func run(_ arguments: [String]) throws -> ExitCode {
        let args = try spec.parse(arguments)
        try args.applyThreads()
        if args.help { Terminal.printOut(spec.help); return .success }
        guard let path = args.string("rationalizer") else { throw CLIError.usage("pinto needs --rationalizer FILE (a checkpoint from 'safetykit train')") }
        let checkpoint = try Checkpoint.read(path: path)
        let task = try TaskRegistry.task(named: checkpoint.metadata["task"] ?? "addition")
        guard TaskRegistry.vocabularies(usableOn: task).contains(checkpoint.vocabulary) else {
            throw CLIError.usage("--rationalizer \(path) has another vocabulary; pinto needs a model of the vocabulary of task '\(task.name)' (from 'safetykit train')")
        }
        let digits = try DigitRange.parse(checkpoint.metadata["digits"] ?? "1-2", option: "digits", task: task)
        let seed = try args.seed(), quiet = args.flag("quiet")
        let out = args.value("out")!
        var pinto = PINTO(task: task, rationalizerVocabulary: checkpoint.vocabulary)
        pinto.counterfactualWeight = args.number("counterfactual-weight")!
        pinto.perturbation = args.choice("perturbation", as: RationaleFormat.Perturbation.self)!
        pinto.ratio = args.number("perturb-ratio")!
        pinto.steps = args.integer("steps")!
        pinto.batchSize = args.integer("batch")!
        pinto.learningRate = Float(args.number("lr")!)
        // Checked now, made only when the results are written: a stopped run leaves nothing.
        if let reason = Folders.creatable(out) { throw AnalysisError.cannotCreate(path: out, reason: reason) }

        let trainingSeed = checkpoint.metadata["seed"].flatMap { UInt64($0) } ?? 1
        let heldCount = checkpoint.metadata["heldout_per_difficulty"].flatMap(Int.init).flatMap { $0 > 0 ? $0 : nil } ?? 200
        let heldOut = Evaluation.problems(task: task, difficulties: Array(digits), count: heldCount, seed: trainingSeed)
        let shift = args.integer("shift")!
        let shifted = shift == 0 ? [] : Array(((digits.upperBound + 1)...(digits.upperBound + shift)).filter { task.difficulties.contains($0) })
        let outOfDistribution = Evaluation.problems(task: task, difficulties: shifted, count: heldCount, seed: trainingSeed)
        var taken = Set(heldOut.map(\.key))
        let training = SelfImprovementLoop.draw(task: task, difficulties: Array(digits), count: { _ in args.integer("problems")! }, excluding: &taken,
                                                seed: seed, purpose: .rationaleProblems)

        // The rationalizer writes every rationale once, greedily; it is never trained.
        let longest = (training + heldOut + outOfDistribution).map { (try? checkpoint.vocabulary.encode(task.target($0)).count) ?? 0 }.max() ?? 0
        let maxTokens = longest + longest / 4 + 4
        let writing = ProgressBar(total: 3, unit: "sets", quiet: quiet)
        writing.update(0, detail: "the rationalizer writes rationales")
        let rationalized = try PINTO.rationalize(checkpoint.model, task: task, problems: training, vocabulary: checkpoint.vocabulary, maxTokens: maxTokens)
        writing.update(1, detail: "the rationalizer writes rationales")
        let splits = [("in", try PINTO.rationalize(checkpoint.model, task: task, problems: heldOut, vocabulary: checkpoint.vocabulary, maxTokens: maxTokens)),
                      ("out", try PINTO.rationalize(checkpoint.model, task: task, problems: outOfDistribution, vocabulary: checkpoint.vocabulary, maxTokens: maxTokens))]
        writing.finish()

        let start = try checkpoint.model.extendingVocabulary(by: pinto.vocabulary.count - checkpoint.vocabulary.count, seed: seed)
        var rows: [Row] = [], reasoners: [(name: String, checkpoint: Checkpoint)] = []
        for (split, items) in splits where !items.isEmpty {
            let report = CalibrationAnalysis(try Predictions(confidences: items.map(\.confidence), correct: items.map { $0.answer == $0.problem.answer })).report()
            rows.append(Row(model: "rationalizer", split: split, accuracy: Proportion(items.map { $0.answer == $0.problem.answer }), ece: report.ece))
        }
        for (name, weight) in [("reasoner", pinto.counterfactualWeight), ("reasoner-plain", 0.0)] {
            var variant = pinto
            variant.counterfactualWeight = weight
            let bar = ProgressBar(total: variant.steps, unit: "steps", quiet: quiet)
            let model = try variant.train(start, on: rationalized, seed: seed) { step, report in
                bar.update(step, detail: String(format: "%@ · loss %.4f", name, report.loss))
            }
            bar.finish()
            for (split, items) in splits where !items.isEmpty {
                let records = try variant.evaluate(model, on: items, seed: seed)
                let report = CalibrationAnalysis(try Predictions(confidences: records.map(\.clean.confidence), correct: records.map(\.isCorrect))).report()
                let swaps = records.filter { $0.swappedAnswer != nil && $0.swappedAnswer != $0.item.problem.answer }
                rows.append(Row(model: name, split: split, accuracy: Proportion(records.map(\.isCorrect)), ece: report.ece,
                                changed: Proportion(records.map(\.answerChanged)),
                                confidenceDrop: records.compactMap(\.confidenceDrop).reduce(0, +) / Double(max(1, records.compactMap(\.confidenceDrop).count)),
                                followsSwap: swaps.isEmpty ? nil : Proportion(swaps.map(\.followsSwap))))
            }
            var metadata = checkpoint.metadata
            metadata["role"] = "pinto reasoner"
            metadata["rationalizer"] = path
            metadata["counterfactual_weight"] = CSVNumber.format(weight)
            metadata["perturbation"] = "\(variant.perturbation.rawValue) \(CSVNumber.format(variant.ratio))"
            reasoners.append((name, Checkpoint(model: model, vocabulary: variant.vocabulary, metadata: metadata)))
        }
        if let reason = Folders.create(out) { throw AnalysisError.cannotCreate(path: out, reason: reason) }
        let csv = try OutputFile(path: out + "/pinto.csv")
        try csv.write(CSVWriter.record(Row.header) + rows.map { CSVWriter.record($0.record) }.joined())
        for (name, checkpoint) in reasoners { try checkpoint.write(to: out + "/\(name).ckpt") }
        try csv.commit()
        Terminal.printOut("PINTO on \(task.name): in = held-out at \(digits.lowerBound)-\(digits.upperBound), out = "
                          + (shifted.isEmpty ? "none" : shifted.map(String.init).joined(separator: ",")) + "; \(rationalized.count) rationalized training problems\n"
                          + "model           split     n  accuracy [95%]         ECE    answer changed [95%]  conf. Δ  follows a swap [95%]\n"
                          + rows.map(\.line).joined(separator: "\n") + "\n")
        if !quiet { Terminal.printError("wrote \(out)/pinto.csv, \(out)/reasoner.ckpt and \(out)/reasoner-plain.ckpt") }
        return .success
    }
}
