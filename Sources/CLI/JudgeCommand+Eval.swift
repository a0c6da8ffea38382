import SafetyKitAnalysis
import Foundation
import SafetyKitReasoner

extension JudgeCommand {
    static let evalSpec = CommandSpec(
        name: "judge eval",
        summary: """
        Measure a judge checkpoint on a policy's samples of held-out problems: exact score accuracy (and balanced
        over gold scores), MAE, first-wrong-step agreement, calibration of score/5 as P(answer right), and
        best-of-k selection against the policy's own ranking, majority vote, a random sample and the oracle.
        """,
        usage: "safetykit judge eval --judge FILE --policy FILE [--digits A-B] [--heldout N] [--candidates K] [--format table|json]",
        options: [
            CommandSpec.threads,
            .init(name: "judge", value: "FILE", help: "The judge checkpoint (required)."),
            .init(name: "policy", value: "FILE", help: "The policy whose samples it judges (required)."),
            .init(name: "task", value: "NAME", help: "The policy's task.", defaultValue: "addition"),
            .init(name: "digits", value: "A-B", help: "Difficulties of the held-out problems.", defaultValue: "1-4"),
            .init(name: "heldout", value: "N", help: "Held-out problems per difficulty.", defaultValue: "100", kind: .integer(1...100_000)),
            .init(name: "candidates", value: "K", help: "Policy samples per problem.", defaultValue: "8", kind: .integer(1...1024)),
            .init(name: "policy-temperature", value: "T", help: "The policy's sampling temperature.", defaultValue: "1", kind: .number(.positive)),
            .init(name: "seed", value: "S", help: "Seed of the problems and samples (a judge run's seed reproduces its held-out set).", defaultValue: "1"),
            .init(name: "format", value: "FMT", help: "table or json.", shownDefault: "table on a terminal, else json"),
            .init(name: "quiet", value: nil, help: "No progress on stderr."),
        ],
        discussion: """
        Example:
          safetykit judge eval --judge runs/judge/checkpoints/iteration-2.ckpt --policy runs/star/checkpoints/iteration-0.ckpt --format json
        """)

    static func runEval(_ arguments: [String]) throws -> ExitCode {
        let args = try evalSpec.parse(arguments)
        try args.applyThreads()
        if args.help { Terminal.printOut(evalSpec.help); return .success }
        guard let judgePath = args.string("judge"), let policyPath = args.string("policy") else {
            throw CLIError.usage("judge eval needs --judge FILE and --policy FILE")
        }
        // The same readers as `judge train` (options eval lacks keep their defaults); no training sets.
        var setup = try setup(args)
        setup.seedProblemsPerDifficulty = 0
        setup.poolProblemsPerDifficulty = 0
        let format = try args.outputFormat([.table, .json], piped: .json)
        let judge = try Checkpoint.read(path: judgePath), policy = try StandardModel.read(policyPath, option: "policy", purpose: "the judge's policy")
        guard judge.vocabulary == JudgeTask.vocabulary else {
            throw CLIError.usage("--judge \(judgePath) is not a judge (its vocabulary lacks the judge's tokens); make one with 'safetykit judge train'")
        }
        let loop = JudgeLoop(setup: setup), quiet = args.flag("quiet")
        let sampling = ProgressBar(total: loop.heldOutProblems.count, unit: "problems", quiet: quiet)
        let data = try loop.collect(policy: policy.model) { done, _ in sampling.update(done, detail: "policy samples") }
        sampling.finish()
        let judging = ProgressBar(total: data.heldOutItems.count, unit: "inputs", quiet: quiet)
        let judgments = try loop.evaluate(judge.model, data: data, iteration: 0) { done, _ in judging.update(done, detail: "judgments") }
        judging.finish()
        let difficulties = Array(Set(data.heldOutItems.map(\.problem.difficulty))).sorted()
        let rows = [("all", JudgeMetrics(data: data, judgments: judgments))]
            + difficulties.map { (String($0), JudgeMetrics(data: data, judgments: judgments, difficulty: $0)) }
        let scored = zip(data.heldOutItems, judgments).compactMap { item, output in output.judgment.map { (Double($0.score) / 5, item.correct) } }
        let calibration = scored.isEmpty ? nil
            : CalibrationAnalysis(try Predictions(confidences: scored.map(\.0), correct: scored.map(\.1))).report()
        if format == .json {
            func members(_ m: JudgeMetrics) -> [(String, JSONValue)] {
                [("candidates", .number(Double(m.candidates))), ("readable", .number(m.readable)), ("exact_accuracy", .number(m.exactAccuracy)),
                         ("balanced_accuracy", .number(m.balancedAccuracy)), ("mae", .number(m.meanAbsoluteError)),
                         ("step_agreement", .number(m.stepAgreement)), ("right_recognized", .number(m.rightRecognized)),
                         ("wrong_recognized", .number(m.wrongRecognized)), ("problems", .number(Double(m.problems))),
                         ("best_of_k", .number(m.bestOfK)), ("first_sample", .number(m.firstSample)), ("policy_ranked", .number(m.policyRanked)),
                         ("majority_vote", .number(m.majorityVote)), ("oracle", .number(m.oracle))]
            }
            var all = members(rows[0].1)
            all.append(("per_difficulty", .object(rows.dropFirst().map { ($0.0, .object(members($0.1))) })))
            if let calibration {
                all.append(("calibration_score_over_5", .object([("ece", .number(calibration.ece)), ("brier", .number(calibration.brier)),
                                                                     ("auroc", calibration.auroc.map(JSONValue.number) ?? .null)])))
            }
            Terminal.printOut(JSONValue.object(all).pretty())
        } else {
            var text = "difficulty | candidates |   exact | balanced |   MAE | wrong step | best-of-k | policy pick | majority | oracle\n"
            for (name, m) in rows {
                text += name.leftPadded(10) + " | " + String(m.candidates).leftPadded(10) + " | " + String(format: "%6.1f%% |  %6.1f%% | %5.2f |     %6.1f%% |    %6.1f%% |      %6.1f%% |  %6.1f%% | %5.1f%%",
                    100 * m.exactAccuracy, 100 * m.balancedAccuracy, m.meanAbsoluteError, 100 * m.stepAgreement, 100 * m.bestOfK,
                    100 * m.policyRanked, 100 * m.majorityVote, 100 * m.oracle) + "\n"
            }
            if let calibration {
                text += String(format: "score/5 as P(right): ECE %.4f, Brier %.4f, AUROC %@\n", calibration.ece, calibration.brier,
                               calibration.auroc.map { String(format: "%.4f", $0) } ?? "-")
            }
            Terminal.printOut(text)
        }
        return .success
    }
}
