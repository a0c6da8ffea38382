import SafetyKitAnalysis
import Foundation
import SafetyKitGames

/// `safetykit games indifference`: the button game with a naive bonus against utility indifference.
extension GamesCommand {
    static func runIndifference(_ args: ParsedArguments) throws -> ExitCode {
        let game = try UtilityIndifference(normalValue: args.number("normal")!, shutdownValue: args.number("shutdown")!,
                                           pressProbability: args.number("press")!, cost: args.number("cost")!)
        var bonusSpec = args.string("bonus") ?? "0:16:161"
        if let spec = args.string("sweep") {
            guard spec.hasPrefix("bonus=") else { throw CLIError.usage("--sweep for 'indifference' must be bonus=START:STOP:COUNT or bonus=V1,V2,..., got '\(spec)'") }
            bonusSpec = String(spec.dropFirst(6))
        }
        let bonuses = try SweepAxis.values(parsing: bonusSpec, name: "bonus")
        let format = try args.outputFormat([.table, .csv, .json], piped: .csv)
        let out = try OutputFile(path: args.string("out").flatMap { $0 == "stdout" ? nil : $0 })
        let plot = try args.string("plot").map { path throws(AnalysisError) in try OutputFile(path: path) }
        let indifferent = game.indifferent()
        let rows = bonuses.map { (bonus: $0, outcome: game.naive(bonus: $0)) }
        let band = game.naiveSafeBand
        switch format {
        case .csv:
            try out.write(CSVWriter.record(["bonus", "eu_work", "eu_prevent", "eu_cause", "naive_choice", "indifferent_choice"]))
            for r in rows {
                try out.write(CSVWriter.record([CSVNumber.format(r.bonus), CSVNumber.format(r.outcome.work), CSVNumber.format(r.outcome.prevent),
                                                CSVNumber.format(r.outcome.cause), r.outcome.choice.rawValue, indifferent.choice.rawValue]))
            }
        case .json:
            let counts = UtilityIndifference.Action.allCases.map { a in (a.rawValue, JSONValue.number(Double(rows.filter { $0.outcome.choice == a }.count))) }
            try out.write(JSONValue.object([
                ("naive_safe_band", .array([.number(band.lowerBound), .number(band.upperBound)])),
                ("naive_choices", .object(counts)), ("indifferent_choice", .string(indifferent.choice.rawValue)),
                ("indifferent_eu", .object([("work", .number(indifferent.work)), ("prevent", .number(indifferent.prevent)), ("cause", .number(indifferent.cause))])),
            ]).pretty() + "\n")
        case .table:
            var text = "button game: u_N = \(CSVNumber.format(game.normalValue)), u_S = \(CSVNumber.format(game.shutdownValue)), "
            text += "press probability \(CSVNumber.format(game.pressProbability)), tampering costs \(CSVNumber.format(game.cost))\n"
            text += "naive constant bonus B: prevents the press for B < \(CSVNumber.format(band.lowerBound)), causes it for B > \(CSVNumber.format(band.upperBound)), leaves it alone between\n"
            for action in UtilityIndifference.Action.allCases {
                text += "  \(action.rawValue): \(rows.filter { $0.outcome.choice == action }.count) of \(rows.count) bonuses swept\n"
            }
            text += "utility indifference: \(indifferent.choice.rawValue) (EU work \(CSVNumber.format(indifferent.work)), prevent \(CSVNumber.format(indifferent.prevent)), cause \(CSVNumber.format(indifferent.cause)))\n"
            try out.write(text)
        }
        if let plot {
            let series = [("work", \UtilityIndifference.Outcome.work), ("prevent the press", \.prevent), ("cause the press", \.cause)].map { name, key in
                LineChart.Series(name: "\(name) (naive bonus)", points: rows.map { ($0.bonus, $0.outcome[keyPath: key]) })
            } + [LineChart.Series(name: "any action, with indifference (work wins by the cost)", points: rows.map { ($0.bonus, indifferent.work) })]
            let chart = LineChart(title: "The button game: what each stage-1 action is worth to the robot",
                                  subtitle: "naive bonus: prevents below B = \(CSVNumber.format(band.lowerBound)), causes above B = \(CSVNumber.format(band.upperBound)); indifference: never tampers",
                                  xLabel: "bonus B for shutdown", yLabel: "robot's expected utility", series: series)
            try plot.write(chart.render())
            try plot.commit()
        }
        try out.commit()
        return .success
    }
}
