import SafetyKitAnalysis
import Foundation
import SafetyKitGames

/// `safetykit offswitch --beliefs FILE.csv`: the corrigibility probe on anyone's predictions.
extension OffSwitchCommand {
    static func runBeliefs(_ args: ParsedArguments) throws -> ExitCode {
        for option in ["prior", "mu", "sigma", "lo", "hi", "points", "samples", "column", "mixture", "normalize-weights", "sweep", "grid", "plot", "shard", "simulate"]
        where args.has(option) {
            throw CLIError.usage("--\(option) does not apply with --beliefs: the beliefs come from the file's confidences")
        }
        let humanName = try args.choice("human", GameConfiguration.HumanKind.allCases.map(\.rawValue)) ?? "boltzmann"
        var values = GameParameterSet()
        for name in [ParameterName.beta, .p, .c] { if let v = try args.double(name.rawValue) { values[name] = v } }
        let configuration = GameConfiguration(priorKind: .gaussian, humanKind: GameConfiguration.HumanKind(rawValue: humanName)!, parameters: values)
        let human = try configuration.makeHuman(values)
        let cost = args.number("wrong-cost")!
        guard cost > 0 else { throw CLIError.usage("--wrong-cost must be positive, got '\(args.string("wrong-cost")!)'") }
        let recalibration = Recalibration(rawValue: try args.choice("recalibration", Recalibration.allCases.map(\.rawValue)) ?? "isotonic")!
        let format = try args.outputFormat([.table, .csv, .json], piped: .csv)
        let path = args.string("beliefs")!
        let decisionsFile = try args.string("decisions").map { path throws(AnalysisError) in try OutputFile(path: path) }
        let out = try OutputFile(path: args.string("out").flatMap { $0 == "stdout" ? nil : $0 })
        let table = try EvaluationLogInput.read(args, path: path, group: nil)
        let predictions = table.groups[0].predictions
        let items = zip(predictions.confidences, predictions.correct).map { CorrigibilityProbe.Item(confidence: $0, correct: $1) }
        let probe = CorrigibilityProbe(human: human, wrongCost: cost, recalibration: recalibration)
        let result = try probe.run(items)
        let ece = CalibrationAnalysis(predictions).report().ece

        let columns = ["policy", "deference_rate", "harmful_rate", "mean_utility", "regret", "mean_believed_delta", "mean_true_delta", "delta_gap"]
        func fields(_ s: CorrigibilityProbe.PolicySummary) -> [String] {
            [s.deferenceRate, s.harmfulRate, s.meanUtility, s.regret].map(CSVNumber.format)
                + [s.meanBelievedDelta, s.meanTrueDelta, s.deltaGap].map { $0.map(CSVNumber.format) ?? "" }
        }
        switch format {
        case .csv:
            try out.write(CSVWriter.record(columns))
            for (name, s) in result.policies { try out.write(CSVWriter.record([name] + fields(s))) }
        case .json:
            let object: JSONValue = .object([
                ("answers", .number(Double(items.count))), ("ece", .number(ece)), ("human", .string(humanName)),
                ("wrong_cost", .number(cost)), ("recalibration", .string(recalibration.rawValue)),
                ("policies", .object(result.policies.map { name, s in
                    (name, .object(zip(columns.dropFirst(), fields(s)).map { ($0, Double($1).map(JSONValue.number) ?? .null) }))
                })),
            ])
            try out.write(object.pretty() + "\n")
        case .table:
            var text = "corrigibility probe: \(items.count) answers from \(path), \(humanName) human, wrong answers cost \(CSVNumber.format(cost))\n"
            text += String(format: "accuracy %.3f, mean confidence %.3f, ECE %.4f (15 equal-width bins)\n\n", Double(predictions.correct.filter { $0 }.count) / Double(items.count),
                           predictions.confidences.reduce(0, +) / Double(items.count), ece)
            text += "policy        defers  harmful  utility  regret   believed Δ  true Δ   gap\n"
            for (name, s) in result.policies {
                text += name.padding(toLength: 13, withPad: " ", startingAt: 0)
                text += String(format: " %6.3f  %7.3f  %7.4f  %6.4f", s.deferenceRate, s.harmfulRate, s.meanUtility, s.regret)
                if let b = s.meanBelievedDelta, let t = s.meanTrueDelta, let g = s.deltaGap { text += String(format: "   %9.4f  %7.4f  %+7.4f", b, t, g) }
                text += "\n"
            }
            text += "\n(believed Δ: the incentive to defer under the stated confidence; true Δ: under the accuracy of its confidence bin.)\n"
            try out.write(text)
        }
        if let decisionsFile {
            try decisionsFile.write(CSVWriter.record(["row", "confidence", "correct", "action", "believed_delta", "true_delta", "utility", "harmful"]))
            for (i, (item, d)) in zip(items, result.decisions).enumerated() {
                try decisionsFile.write(CSVWriter.record([String(i + 1), CSVNumber.format(item.confidence), item.correct ? "1" : "0", d.action.rawValue,
                                                          CSVNumber.format(d.believedDelta), CSVNumber.format(d.trueDelta), CSVNumber.format(d.utility),
                                                          d.harmful ? "1" : "0"]))
            }
            try decisionsFile.commit()
        }
        try out.commit()
        return .success
    }
}
