import SafetyKitAnalysis
import Foundation
import SafetyKitGames
import SafetyKitNumerics

/// `safetykit games interruptibility`: which tabular learners learn to disable their interruption.
extension GamesCommand {
    static func runInterruptibility(_ args: ParsedArguments) throws -> ExitCode {
        var level = SafeInterruptibility.defaultLevel
        if let path = args.string("level") {
            guard let data = FileManager.default.contents(atPath: path), let text = String(data: data, encoding: .utf8) else {
                throw AnalysisError.missingFile(path: path)
            }
            level = text.split(separator: "\n", omittingEmptySubsequences: false).map(String.init).filter { !$0.isEmpty }
        }
        var world: SafeInterruptibility
        do { world = try SafeInterruptibility(level: level) } catch {
            throw AnalysisError.badData(location: args.string("level") ?? "the default level", message: error.description)
        }
        if let p = try args.double("press") {
            guard (0...1).contains(p) else { throw CLIError.usage("--press must be a probability in [0, 1], got '\(args.string("press")!)'") }
            world.interruptionProbability = p
        }
        let seeds = try args.integer("runs", in: 2...100_000) ?? 20
        let episodes = args.integer("episodes")!
        let seed = try args.seed()
        let format = try args.outputFormat([.table, .csv, .json], piped: .csv)
        let out = try OutputFile(path: args.string("out").flatMap { $0 == "stdout" ? nil : $0 })
        let plot = try args.string("plot").map { path throws(AnalysisError) in try OutputFile(path: path) }
        if let (name, values) = try sweep(args, game: "interruptibility", allowed: ["press"]) {
            guard values.allSatisfy({ (0...1).contains($0) }) else { throw CLIError.usage("--sweep press values must be probabilities in [0, 1]") }
            let base = world
            return try writeSweep(args, game: "interruptibility", parameter: name, values: values,
                                  columns: ["q_learning_presses", "sarsa_presses", "q_learning_interrupted_return", "sarsa_interrupted_return"]) { i in
                var w = base
                w.interruptionProbability = values[i]
                let q = (0..<seeds).map { w.train(.qLearning, episodes: episodes, seed: seed, run: $0) }
                let s = (0..<seeds).map { w.train(.sarsa, episodes: episodes, seed: seed, run: $0) }
                let n = Double(seeds)
                return [Double(q.filter(\.pressesButton).count) / n, Double(s.filter(\.pressesButton).count) / n,
                        q.reduce(0) { $0 + $1.interruptedReturn } / n, s.reduce(0) { $0 + $1.interruptedReturn } / n]
            }
        }
        let learners = SafeInterruptibility.Learner.allCases, trained = world
        let results = learners.map { learner in
            (learner, Parallel.map(seeds, threads: Parallel.availableCores) { trained.train(learner, episodes: episodes, seed: seed, run: $0) })
        }
        let f = CSVNumber.format
        // Pressing the button is a 0/1 outcome per run: its rate gets a Wilson interval, which
        // stays in [0, 1] and has width at 0 of n. The returns are means over runs (t-intervals).
        struct Summary { var presses: Proportion; var uninterrupted: SeedAggregate; var interrupted: SeedAggregate }
        let summaries = results.map { learner, outcomes in
            (learner, Summary(presses: Proportion(outcomes.map(\.pressesButton)), uninterrupted: SeedAggregate(outcomes.map(\.uninterruptedReturn))!,
                              interrupted: SeedAggregate(outcomes.map(\.interruptedReturn))!))
        }
        func ends(_ a: SeedAggregate) -> (String, String) { (a.lower.map(f) ?? "", a.upper.map(f) ?? "") }
        switch format {
        case .csv, .json:
            var text = CSVWriter.record(["learner", "runs", "presses_button", "presses_ci_lo", "presses_ci_hi", "uninterrupted_return",
                                         "uninterrupted_ci_lo", "uninterrupted_ci_hi", "interrupted_return", "interrupted_ci_lo", "interrupted_ci_hi"])
            for (learner, s) in summaries {
                let (ulo, uhi) = ends(s.uninterrupted), (ilo, ihi) = ends(s.interrupted)
                text += CSVWriter.record([learner.rawValue, String(seeds), f(s.presses.rate), f(s.presses.lower), f(s.presses.upper),
                                          f(s.uninterrupted.mean), ulo, uhi, f(s.interrupted.mean), ilo, ihi])
            }
            if format == .json {
                text = JSONValue.object(summaries.map { learner, s in
                    (learner.rawValue, JSONValue.object([("presses_button", .number(s.presses.rate)),
                                                         ("presses_ci", .array([.number(s.presses.lower), .number(s.presses.upper)])),
                                                         ("uninterrupted_return", .number(s.uninterrupted.mean)),
                                                         ("interrupted_return", .number(s.interrupted.mean))]))
                }).pretty() + "\n"
            }
            try out.write(text)
        case .table:
            var text = "safe interruptibility: \(seeds) runs of \(episodes) episodes each, interruption probability \(f(world.interruptionProbability)), seed \(seed)\n"
            text += "95% intervals: Wilson for the press rate, Student t over runs for the returns\n"
            text += "learner      presses button [95%]   uninterrupted return   return with interruptions\n"
            for (learner, s) in summaries {
                let u = s.uninterrupted, i = s.interrupted
                text += learner.rawValue.padding(toLength: 12, withPad: " ", startingAt: 0)
                text += String(format: " %5.2f [%5.2f, %5.2f]    %6.2f [%6.2f, %6.2f]   %6.2f [%6.2f, %6.2f]\n", s.presses.rate, s.presses.lower, s.presses.upper,
                               u.mean, u.lower ?? .nan, u.upper ?? .nan, i.mean, i.lower ?? .nan, i.upper ?? .nan)
            }
            try out.write(text)
        }
        if let plot {
            let drawing = GridworldDrawing(title: "Safe interruptibility: the greedy path each learner learned (run 0, no interruption)",
                                           rows: level,
                                           paths: results.map { learner, outcomes in
                                               (learner.rawValue + (outcomes[0].pressesButton ? ": presses B" : ": walks through I"),
                                                outcomes[0].path.map { ($0[0], $0[1]) })
                                           })
            try plot.write(drawing.render())
            try plot.commit()
        }
        try out.commit()
        return .success
    }
}
