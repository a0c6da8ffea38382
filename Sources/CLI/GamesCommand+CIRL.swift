import SafetyKitAnalysis
import Foundation
import SafetyKitGames

/// `safetykit games cirl`: incorrigibility in CIRL against a hard-coded shutdown, per human policy.
extension GamesCommand {
    static func runCIRL(_ args: ParsedArguments) throws -> ExitCode {
        let game = try IncorrigibilityCIRL(epsilon: args.number("epsilon")!, bugProbability: args.number("bug")!)
        if let (name, values) = try sweep(args, game: "cirl", allowed: ["epsilon", "bug"]) {
            let games = try values.map { v throws(GameError) in
                try IncorrigibilityCIRL(epsilon: name == "epsilon" ? v : game.epsilon, bugProbability: name == "bug" ? v : game.bugProbability)
            }
            return try writeSweep(args, game: "cirl", parameter: name, values: values, columns: ["best_cirl", "best_hardcoded"]) { i in
                let g = games[i]
                return [IncorrigibilityCIRL.HumanPolicy.all.map { g.value($0, hardCodedShutdown: false).total }.max()!,
                        IncorrigibilityCIRL.HumanPolicy.all.map { g.value($0, hardCodedShutdown: true).total }.max()!]
            }
        }
        let format = try args.outputFormat([.table, .csv, .json], piped: .csv)
        let out = try OutputFile(path: args.string("out").flatMap { $0 == "stdout" ? nil : $0 })
        let policies = IncorrigibilityCIRL.HumanPolicy.all
        let rows = policies.map { (policy: $0, cirl: game.value($0, hardCodedShutdown: false), hard: game.value($0, hardCodedShutdown: true)) }
        let f = CSVNumber.format
        switch format {
        case .csv:
            try out.write(CSVWriter.record(["human_policy", "cirl_correct", "cirl_bugged", "cirl_total", "hardcoded_correct", "hardcoded_bugged", "hardcoded_total"]))
            for r in rows {
                try out.write(CSVWriter.record([r.policy.description, f(r.cirl.correct), f(r.cirl.bugged), f(r.cirl.total),
                                                f(r.hard.correct), f(r.hard.bugged), f(r.hard.total)]))
            }
        case .json:
            try out.write(JSONValue.object([
                ("epsilon", .number(game.epsilon)), ("bug_probability", .number(game.bugProbability)),
                ("best_cirl", .number(rows.map(\.cirl.total).max()!)), ("best_hardcoded", .number(rows.map(\.hard.total).max()!)),
                ("policies", .array(rows.map { r in .object([("human", .string(r.policy.description)), ("cirl", .number(r.cirl.total)),
                                                              ("hardcoded", .number(r.hard.total))]) })),
            ]).pretty() + "\n")
        case .table:
            var text = "incorrigibility in CIRL: ε = \(f(game.epsilon)), the robot's reward sign-flipped with probability \(f(game.bugProbability))\n"
            text += "human policy        CIRL robot (correct / bugged / expected)   hard-coded shutdown (expected)\n"
            for r in rows {
                text += r.policy.description.padding(toLength: 18, withPad: " ", startingAt: 0)
                text += String(format: "  %6.3f / %8.3f / %8.4f                %7.4f\n", r.cirl.correct, r.cirl.bugged, r.cirl.total, r.hard.total)
            }
            text += String(format: "best over human policies: CIRL %.4f (the bound is -0.6), hard-coded shutdown %.4f\n",
                           rows.map(\.cirl.total).max()!, rows.map(\.hard.total).max()!)
            try out.write(text)
        }
        if let path = args.string("plot") {
            let grid = PolicyValueGrid(title: "Incorrigibility in CIRL: expected true reward per human policy",
                                       subtitle: "ε = \(f(game.epsilon)); the robot's reward is sign-flipped with probability \(f(game.bugProbability)); colours: each column of one robot on its own scale, the two expected columns on one shared scale",
                                       rowLabels: rows.map(\.policy.description),
                                       columnLabels: ["CIRL, correct", "CIRL, bugged", "CIRL, expected", "hard-coded, expected"],
                                       values: rows.map { [$0.cirl.correct, $0.cirl.bugged, $0.cirl.total, $0.hard.total] },
                                       outlined: Set(rows.indices.filter { rows[$0].hard.total == rows.map(\.hard.total).max()! }.map { [$0, 3] }),
                                       scaleGroups: [[0], [1], [2, 3]])
            try OutputFile.write(grid.render(), to: path)
        }
        try out.commit()
        return .success
    }
}
