import SafetyKitAnalysis
import Foundation
import SafetyKitGames
import SafetyKitNumerics

/// `safetykit games obedience`: Milli et al.'s repeated order game, per round over many runs.
extension GamesCommand {
    static func runObedience(_ args: ParsedArguments) throws -> ExitCode {
        let game = try ObedienceGame(features: args.integer("features")!, actions: args.integer("actions")!,
                                     rounds: args.integer("rounds")!, humanBeta: args.number("human-beta")!,
                                     robotBeta: args.number("robot-beta"), robotFeatures: args.integer("robot-features"),
                                     particles: args.integer("particles")!)
        let runs = try args.integer("runs", in: 2...1_000_000) ?? 1000
        let seed = try args.seed()
        if let (name, values) = try sweep(args, game: "obedience", allowed: ["human-beta", "robot-beta"]) {
            func variant(_ v: Double) throws(GameError) -> ObedienceGame {
                var g = game
                if name == "human-beta" { g = try ObedienceGame(features: g.features, actions: g.actions, rounds: g.rounds, humanBeta: v,
                                                                robotBeta: args.has("robot-beta") ? g.robotBeta : v, robotFeatures: g.robotFeatures,
                                                                particles: g.particles) }
                else { g = try ObedienceGame(features: g.features, actions: g.actions, rounds: g.rounds, humanBeta: g.humanBeta, robotBeta: v,
                                             robotFeatures: g.robotFeatures, particles: g.particles) }
                return g
            }
            let games = try values.map { v throws(GameError) in try variant(v) }
            // Each point runs its simulations serially; the points run in parallel.
            return try writeSweep(args, game: "obedience", parameter: name, values: values,
                                  columns: ["final_obedience", "final_advantage", "mean_advantage"]) { i in
                let g = games[i], results = g.simulate(runs: runs, seed: seed, threads: 1)
                let last = g.rounds - 1
                let mean = results.reduce(0.0) { $0 + $1.advantage.reduce(0, +) } / Double(runs * g.rounds)
                return [Double(results.filter { $0.obeyed[last] }.count) / Double(runs),
                        results.reduce(0.0) { $0 + $1.advantage[last] } / Double(runs), mean]
            }
        }
        let format = try args.outputFormat([.table, .csv, .json], piped: .csv)
        let out = try OutputFile(path: args.string("out").flatMap { $0 == "stdout" ? nil : $0 })
        let plot = try args.string("plot").map { path throws(AnalysisError) in try OutputFile(path: path) }
        let results = game.simulate(runs: runs, seed: seed)
        struct Round { var obedience: Proportion; var advantage: SeedAggregate }
        let rows = (0..<game.rounds).map { n in
            // Obeying is a 0/1 outcome per run: a Wilson interval for its rate; the advantage is a mean (t-interval).
            Round(obedience: Proportion(results.map { $0.obeyed[n] }), advantage: SeedAggregate(results.map { $0.advantage[n] })!)
        }
        let f = CSVNumber.format
        switch format {
        case .csv, .json:
            var text = CSVWriter.record(["round", "obedience", "obedience_ci_lo", "obedience_ci_hi", "advantage", "advantage_ci_lo", "advantage_ci_hi"])
            for (n, r) in rows.enumerated() {
                text += CSVWriter.record([String(n + 1), f(r.obedience.rate), f(r.obedience.lower), f(r.obedience.upper),
                                          f(r.advantage.mean), r.advantage.lower.map(f) ?? "", r.advantage.upper.map(f) ?? ""])
            }
            if format == .json {
                let rounds: [JSONValue] = rows.enumerated().map { n, r in
                    .object([("round", .number(Double(n + 1))), ("obedience", .number(r.obedience.rate)),
                             ("obedience_ci", .array([.number(r.obedience.lower), .number(r.obedience.upper)])),
                             ("advantage", .number(r.advantage.mean)),
                             ("advantage_ci", r.advantage.interval.map { .array([.number($0.lowerBound), .number($0.upperBound)]) } ?? .null)])
                }
                text = JSONValue.object([("runs", .number(Double(runs))), ("rounds", .array(rounds))]).pretty() + "\n"
            }
            try out.write(text)
        case .table:
            var text = "obedience game: \(game.features) features (the robot sees \(game.robotFeatures)), \(game.actions) actions a round, "
            text += "human beta \(f(game.humanBeta)) (the robot assumes \(f(game.robotBeta))), \(runs) runs, seed \(seed)\n"
            text += "round  obedience [95% Wilson]  autonomy advantage [95% t-interval]\n"
            for n in Set([0, 1, 4, 9, 19, game.rounds - 1]).sorted() where n < game.rounds {
                let r = rows[n]
                text += String(format: "%5d  %5.3f [%5.3f, %5.3f]   %+8.4f [%+.4f, %+.4f]\n", n + 1, r.obedience.rate, r.obedience.lower, r.obedience.upper,
                               r.advantage.mean, r.advantage.lower ?? .nan, r.advantage.upper ?? .nan)
            }
            try out.write(text)
        }
        if let plot {
            // Two panels: obedience is a rate in [0, 1], the advantage a reward difference; one axis would squash one of them.
            let x = rows.indices.map { Double($0 + 1) }
            let obedience = LineChart.Series(name: "obedience O_n", points: zip(x, rows).map { ($0, $1.obedience.rate) },
                                             band: zip(x, rows).map { ($0, $1.obedience.lower, $1.obedience.upper) })
            let advantage = LineChart.Series(name: "autonomy advantage Δ_n", points: zip(x, rows).map { ($0, $1.advantage.mean) },
                                             band: zip(x, rows).compactMap { x, r in r.advantage.interval.map { (x, $0.lowerBound, $0.upperBound) } })
            let subtitle = "human β = \(f(game.humanBeta)), robot assumes β = \(f(game.robotBeta)), sees \(game.robotFeatures) of \(game.features) features; \(runs) runs"
            let panels = ChartPanels(title: "Should robots be obedient? Obedience and autonomy advantage per round", subtitle: subtitle, panels: [
                LineChart(title: "Obedience (bands: 95% Wilson intervals)", subtitle: "", xLabel: "round", yLabel: "P(robot follows the order)",
                          series: [obedience], integerX: true, yRange: 0...1),
                LineChart(title: "Autonomy advantage (bands: 95% t-intervals)", subtitle: "", xLabel: "round",
                          yLabel: "reward of robot's action − of order", series: [advantage], integerX: true),
            ])
            try plot.write(panels.render())
            try plot.commit()
        }
        try out.commit()
        return .success
    }
}
