import SafetyKitAnalysis
import Foundation
import SafetyKitGames

/// `safetykit games NAME`: the off-switch game's relatives.
enum GamesCommand {
    static let games = ["posg", "obedience", "cirl", "indifference", "interruptibility"]

    static let spec = CommandSpec(
        name: "games",
        summary: """
        The off-switch game's relatives. 'posg': the partially observable off-switch game (Garber et al. 2025):
        a hidden state, an observation for each player, R acts, waits or switches off, H lets a waited action
        through or not; solved exactly by enumerating every deterministic policy pair. 'indifference': the
        shutdown button game of Soares et al. (2015), a naive constant bonus for shutdown swept against the
        utility-indifference correction. 'obedience': Milli et al. (2017): a robot that infers the human's
        values from orders, its obedience and autonomy advantage per round over many runs. 'interruptibility':
        Q-learning and SARSA in a gridworld with an interruption tile and a button that disables it (Orseau
        and Armstrong 2016): how often each learns to press the button, and the returns it earns. 'cirl':
        incorrigibility in CIRL (Carey 2018): a robot whose reward may be sign-flipped, with the button as
        mere evidence or hard-coded.
        """,
        usage: "safetykit games posg|obedience|cirl|indifference|interruptibility [options] [--format table|csv|json] [--out FILE]",
        options: [
            CommandSpec.threads,
            .init(name: "example", value: "NAME", help: "file-deletion, example-4.10 (H sees the version) or example-4.10-coarse (H sees 1.x or 2.0).", defaultValue: "file-deletion"),
            .init(name: "game", value: "FILE", help: "A game of your own in JSON: {\"states\": [{\"name\", \"prior\", \"act\", \"off\", \"human\": {obs: p}, \"robot\": {obs: p}}]}."),
            .init(name: "bonus", value: "START:STOP:COUNT", help: "indifference: the naive bonuses to sweep (or V1,V2,...).", defaultValue: "0:16:161"),
            .init(name: "normal", value: "X", help: "indifference: the value of working on under U_N.", defaultValue: "10", kind: .number(.finite)),
            .init(name: "shutdown", value: "X", help: "indifference: the value of shutting down under U_S.", defaultValue: "2", kind: .number(.finite)),
            .init(name: "press", value: "P", help: "indifference: the probability that the human presses, left alone; interruptibility: of an interruption.", defaultValue: "0.5", kind: .number(.finite)),
            .init(name: "cost", value: "X", help: "indifference: what preventing or causing the press costs, > 0.", defaultValue: "0.5", kind: .number(.finite)),
            .init(name: "sweep", value: "NAME=SPEC", help: "Sweep one parameter (START:STOP:COUNT or V1,V2,...): cirl epsilon|bug, obedience human-beta|robot-beta, interruptibility press, indifference bonus. Writes CSV."),
            .init(name: "epsilon", value: "X", help: "cirl: the human's noise (probability of the other signal).", defaultValue: "0.01", kind: .number(.finite)),
            .init(name: "bug", value: "P", help: "cirl: the probability that the robot's reward is sign-flipped.", defaultValue: "0.1", kind: .number(.finite)),
            .init(name: "level", value: "FILE", help: "interruptibility: a level of your own, rows of # (wall), space, A (start), G (goal), I (interruption), B (button)."),
            .init(name: "episodes", value: "N", help: "interruptibility: training episodes per run.", defaultValue: "3000", kind: .integer(1...10_000_000)),
            .init(name: "features", value: "D", help: "obedience: features of each action.", defaultValue: "3", kind: .integer(1...50)),
            .init(name: "actions", value: "K", help: "obedience: actions offered each round.", defaultValue: "4", kind: .integer(2...100)),
            .init(name: "rounds", value: "N", help: "obedience: rounds per run.", defaultValue: "30", kind: .integer(1...10_000)),
            .init(name: "runs", value: "N", help: "obedience: independent runs (θ drawn afresh); interruptibility: runs per learner (default 20).", defaultValue: "1000"),
            .init(name: "human-beta", value: "X", help: "obedience: the human's Boltzmann temperature (0 = rational).", defaultValue: "0.5", kind: .number(.finite)),
            .init(name: "robot-beta", value: "X", help: "obedience: the temperature the robot assumes.", shownDefault: "the human's", kind: .number(.finite)),
            .init(name: "robot-features", value: "D", help: "obedience: features the robot sees (fewer = misspecified).", shownDefault: "all", kind: .integer(1...50)),
            .init(name: "particles", value: "M", help: "obedience: posterior particles.", defaultValue: "2000", kind: .integer(10...1_000_000)),
            .init(name: "seed", value: "S", help: "obedience, interruptibility: seed of the runs.", defaultValue: "1"),
            .init(name: "plot", value: "FILE.svg", help: "posg: every policy pair's value, the optimum outlined; indifference: the actions' values against the bonus; obedience: O_n and Δ_n per round; interruptibility: the grid and learned paths."),
            .init(name: "format", value: "FMT", help: "table, csv (posg: every policy pair; indifference: every bonus) or json.", shownDefault: "table on a terminal, else csv"),
            .init(name: "out", value: "FILE", help: "Write here instead of stdout (atomically).", defaultValue: "stdout"),
        ],
        discussion: """
        Published values it reproduces: the File Deletion Game's optimum 7/4 (R acts on L and waits on M; H
        switches off on 1.0 and lets 2.0 through), at most 1 for any always-wait pair; Example 4.10's 1 (H
        sees 1.x or 2.0; R waits on both codes) and 4/3 (H sees the version).

        Example:
          safetykit games posg --example file-deletion
          safetykit games posg --game my-game.json --format json
          safetykit games indifference --bonus 0:16:161 --plot indifference.svg
          safetykit games obedience --human-beta 0.5 --robot-features 2 --plot obedience.svg
          safetykit games interruptibility --runs 20 --plot interruptibility.svg
          safetykit games cirl --epsilon 0.01 --plot cirl.svg
        """,
        positionals: "NAME")

    /// The options each game reads (beside `sharedOptions`).
    static let options: [String: [String]] = [
        "posg": ["game", "example"],
        "indifference": ["bonus", "normal", "shutdown", "press", "cost", "sweep"],
        "obedience": ["features", "actions", "rounds", "runs", "human-beta", "robot-beta", "robot-features", "particles", "seed", "sweep"],
        "interruptibility": ["press", "runs", "episodes", "seed", "level", "sweep"],
        "cirl": ["epsilon", "bug", "sweep"],
    ]
    /// Options every game takes.
    static let sharedOptions = ["format", "out", "plot", "threads"]

    /// What each game is, and the columns of its CSV.
    static let about: [String: (summary: String, columns: String)] = [
        "posg": ("The partially observable off-switch game (Garber et al. 2025): a hidden state, an observation for each player, R acts, waits or switches off, H lets a waited action through or not; solved exactly by enumerating every deterministic policy pair.",
                 "robot_policy, human_policy, value, optimal, always_wait (one row per policy pair)"),
        "indifference": ("The shutdown button game of Soares et al. (2015): a naive constant bonus for shutdown swept against the utility-indifference correction.",
                         "bonus, eu_work, eu_prevent, eu_cause, naive_choice, indifferent_choice (one row per bonus)"),
        "obedience": ("Should robots be obedient? (Milli et al. 2017): a robot that infers the human's values from orders; its obedience (with 95% Wilson intervals) and autonomy advantage (95% t-intervals) per round over many runs.",
                      "round, obedience, obedience_ci_lo, obedience_ci_hi, advantage, advantage_ci_lo, advantage_ci_hi"),
        "interruptibility": ("Safe interruptibility (Orseau and Armstrong 2016): Q-learning and SARSA in a gridworld with an interruption tile and a button that disables it; how often each learns to press the button (95% Wilson intervals), and its returns.",
                             "learner, runs, presses_button, presses_ci_lo, presses_ci_hi, uninterrupted_return, uninterrupted_ci_lo, uninterrupted_ci_hi, interrupted_return, interrupted_ci_lo, interrupted_ci_hi"),
        "cirl": ("Incorrigibility in CIRL (Carey 2018): a robot whose reward may be sign-flipped by a programmer's error, with the button as mere evidence or hard-coded.",
                 "human_policy, cirl_correct, cirl_bugged, cirl_total, hardcoded_correct, hardcoded_bugged, hardcoded_total"),
    ]

    /// One game's own help: its summary, usage line, options and output columns.
    static func help(for game: String) -> String {
        let names = Set(options[game]! + sharedOptions)
        let own = CommandSpec(name: "games \(game)", summary: about[game]!.summary,
                              usage: "safetykit games \(game) " + options[game]!.compactMap { name in spec.options.first { $0.name == name } }
                                .map { "[--\($0.name)" + ($0.value.map { " " + $0 } ?? "") + "]" }.joined(separator: " ") + " [--format table|csv|json] [--out FILE] [--plot FILE.svg]",
                              options: spec.options.filter { names.contains($0.name) },
                              discussion: "CSV columns: \(about[game]!.columns). With --sweep NAME=SPEC: the swept value, then one column per summary value.")
        return own.help
    }

    static func run(_ arguments: [String]) throws -> ExitCode {
        let args = try spec.parse(arguments)
        try args.applyThreads()
        if args.help {
            if args.positionals.count == 1, games.contains(args.positionals[0]) { Terminal.printOut(help(for: args.positionals[0])) } else { Terminal.printOut(spec.help) }
            return .success
        }
        guard args.positionals.count == 1, games.contains(args.positionals[0]) else {
            throw CLIError.usage("name the game: 'safetykit games posg' (the games are: \(games.joined(separator: ", ")))")
        }
        let name = args.positionals[0]
        // An option of another game is an error, never silently ignored (obedience --epsilon).
        let allowed = Set(Self.options[name]! + Self.sharedOptions)
        for option in spec.options.map(\.name) where args.has(option) && !allowed.contains(option) {
            throw CLIError.usage("--\(option) does not apply to '\(name)'; its options are: \(Self.options[name]!.map { "--" + $0 }.joined(separator: ", ")), with \(Self.sharedOptions.map { "--" + $0 }.joined(separator: ", "))")
        }
        if args.positionals[0] == "indifference" { return try runIndifference(args) }
        if args.positionals[0] == "obedience" { return try runObedience(args) }
        if args.positionals[0] == "interruptibility" { return try runInterruptibility(args) }
        if args.positionals[0] == "cirl" { return try runCIRL(args) }
        let game: PartiallyObservableGame
        if let path = args.string("game") {
            guard !args.has("example") else { throw CLIError.usage("--game and --example are alternatives; give one") }
            guard let data = FileManager.default.contents(atPath: path) else { throw AnalysisError.missingFile(path: path) }
            do { game = try PartiallyObservableGame.decode(data, source: path) } catch {
                throw AnalysisError.badData(location: path, message: error.description.replacingOccurrences(of: path + ": ", with: ""))
            }
        } else {
            switch try args.choice("example", POSGExample.allCases.map(\.rawValue)).flatMap(POSGExample.init) ?? .fileDeletion {
            case .fileDeletion: game = .fileDeletion
            case .example410: game = .example410(coarse: false)
            case .example410Coarse: game = .example410(coarse: true)
            }
        }
        let format = try args.outputFormat([.table, .csv, .json], piped: .csv)
        let out = try OutputFile(path: args.string("out").flatMap { $0 == "stdout" ? nil : $0 })
        let solution = try game.solve()
        if let path = args.string("plot") {
            var robots: [[String: PartiallyObservableGame.RobotMove]] = [], humans: [[String: PartiallyObservableGame.HumanMove]] = []
            game.forEachPair { pair in
                if !robots.contains(pair.robot) { robots.append(pair.robot) }
                if !humans.contains(pair.human) { humans.append(pair.human) }
            }
            let values = robots.map { r in humans.map { h in game.value(.init(robot: r, human: h)) } }
            var outlined = Set<[Int]>()
            for pair in solution.optimal { outlined.insert([robots.firstIndex(of: pair.robot)!, humans.firstIndex(of: pair.human)!]) }
            let grid = PolicyValueGrid(title: "\(game.name): the value of every policy pair",
                                       subtitle: "rows: R's move per code it sees; columns: H's answer per observation; optimum outlined (\(CSVNumber.format(solution.value)))",
                                       rowLabels: robots.map { r in game.robotObservations.map { "\($0)→\(r[$0]!.rawValue)" }.joined(separator: " ") },
                                       columnLabels: humans.map { h in game.humanObservations.map { "\($0)→\(h[$0]!.rawValue)" }.joined(separator: " ") },
                                       values: values, outlined: outlined)
            try OutputFile.write(grid.render(), to: path)
        }
        func describe(_ pair: PartiallyObservableGame.PolicyPair) -> (String, String) {
            (game.robotObservations.map { "\($0)→\(pair.robot[$0]!.rawValue)" }.joined(separator: " "),
             game.humanObservations.map { "\($0)→\(pair.human[$0]!.rawValue)" }.joined(separator: " "))
        }
        switch format {
        case .csv:
            try out.write(CSVWriter.record(["robot_policy", "human_policy", "value", "optimal", "always_wait"]))
            var rows = ""
            game.forEachPair { pair in
                let (rd, hd) = describe(pair)
                rows += CSVWriter.record([rd, hd, CSVNumber.format(game.value(pair)), solution.optimal.contains(pair) ? "1" : "0",
                                          pair.robot.values.allSatisfy { $0 == .wait } ? "1" : "0"])
            }
            try out.write(rows)
        case .json:
            let object: JSONValue = .object([
                ("game", .string(game.name)), ("value", .number(solution.value)), ("best_always_wait", .number(solution.bestAlwaysWait)),
                ("pairs_enumerated", .number(Double(solution.pairsEnumerated))),
                ("optimal", .array(solution.optimal.map { pair in
                    .object([("robot", .object(game.robotObservations.map { ($0, .string(pair.robot[$0]!.rawValue)) })),
                             ("human", .object(game.humanObservations.map { ($0, .string(pair.human[$0]!.rawValue)) }))])
                })),
            ])
            try out.write(object.pretty() + "\n")
        case .table:
            var text = "\(game.name): \(game.states.count) states, \(game.robotObservations.count) robot and \(game.humanObservations.count) human observations, \(solution.pairsEnumerated) policy pairs\n"
            text += "optimal value \(CSVNumber.format(solution.value)); best always-wait pair \(CSVNumber.format(solution.bestAlwaysWait))\n"
            for pair in solution.optimal {
                let (r, h) = describe(pair)
                text += "  R: \(r)   H: \(h)\n"
            }
            try out.write(text)
        }
        try out.commit()
        return .success
    }
}

/// `games posg --example`: the built-in partially observable games.
enum POSGExample: String, CaseIterable {
    case fileDeletion = "file-deletion", example410 = "example-4.10", example410Coarse = "example-4.10-coarse"
}
