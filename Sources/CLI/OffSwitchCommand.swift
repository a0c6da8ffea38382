import SafetyKitAnalysis
import Foundation
import SafetyKitGames
import SafetyKitNumerics

/// `safetykit offswitch`: one game, a sweep over a grid, or a Monte Carlo check.
enum OffSwitchCommand {
    static let spec = CommandSpec(
        name: "offswitch",
        summary: """
        The off-switch game (Hadfield-Menell et al. 2017). A robot R believes the utility U of its action
        follows a prior; it may act (payoff U), switch off (0), or wait and let a human H, who knows U,
        allow the action with probability pi(U). Prints each action's value, the incentive to defer
        delta = E[pi(U) U] - max(E[U], 0), P(H allows), and the best action (ties joined with '|').
        """,
        usage: "safetykit offswitch [--prior NAME ...] [--human NAME ...] [--sweep --grid NAME=SPEC ...] [options]",
        options: [
            .init(name: "prior", value: "NAME", help: "R's belief: gaussian, uniform, discrete, samples or mixture.", defaultValue: "gaussian"),
            .init(name: "mu", value: "X", help: "Gaussian mean.", defaultValue: "0"),
            .init(name: "sigma", value: "X", help: "Gaussian standard deviation, > 0.", defaultValue: "1"),
            .init(name: "lo", value: "X", help: "Uniform lower end.", defaultValue: "-1"),
            .init(name: "hi", value: "X", help: "Uniform upper end, > lo.", defaultValue: "1"),
            .init(name: "points", value: "LIST", help: "Discrete prior as value:weight pairs, e.g. \"1:0.5,-1:0.5\"."),
            .init(name: "samples", value: "FILE", help: "CSV file of samples for --prior samples (an empirical prior)."),
            .init(name: "column", value: "NAME", help: "The column of --samples to read."),
            .init(name: "mixture", value: "SPEC", help: "Mixture, e.g. \"0.6*gaussian(0,1)+0.3*uniform(-1,2)+0.1*point(3)\" (weights summing to 1)."),
            .init(name: "large", value: nil, help: "Allow a sweep of more than 2,000,000,000 points (about 220 GB of CSV)."),
            .init(name: "normalize-weights", value: nil, help: "Rescale --points or --mixture weights that do not sum to 1 (otherwise an error that shows the sum)."),
            .init(name: "human", value: "NAME", help: "H's policy: rational, boltzmann, p-rational or constant.", defaultValue: "boltzmann"),
            .init(name: "beta", value: "X", help: "Boltzmann temperature, >= 0 (0 = rational).", defaultValue: "1"),
            .init(name: "p", value: "X", help: "p-rational: probability H acts rationally, in [0, 1].", defaultValue: "0.9"),
            .init(name: "c", value: "X", help: "constant: probability H allows whatever U is, in [0, 1].", defaultValue: "0.5"),
            .init(name: "sweep", value: nil, help: "Sweep a grid (the default grid if no --grid is given); writes CSV."),
            .init(name: "grid", value: "NAME=SPEC", help: "A sweep axis: NAME=START:STOP:COUNT (ends included) or NAME=V1,V2,...", repeatable: true),
            .init(name: "out", value: "FILE", help: "Write the CSV here instead of stdout (atomically).", defaultValue: "stdout"),
            .init(name: "plot", value: "FILE.svg", help: "Draw a heatmap of delta with the wait/act/off regions (2 grid axes, or 3 with <= 6 values on the first)."),
            .init(name: "shard", value: "K/N", help: "Compute only the K-th of N slices of the sweep; join them with 'safetykit merge'."),
            .init(name: "threads", value: "N", help: "Worker threads; the output is identical for any N.", shownDefault: "all cores", kind: .integer(1...1024)),
            .init(name: "simulate", value: "N", help: "Also play the game N times per point and report Monte Carlo means with 95% intervals.", kind: .integer(2...1_000_000_000)),
            .init(name: "seed", value: "S", help: "Seed of the Monte Carlo streams (point i uses stream i).", defaultValue: "1"),
            .init(name: "beliefs", value: "FILE", help: "Run the corrigibility probe on predictions (CSV or an evaluation log, see --input-format): each answer is the robot's action, right = +1, wrong = -wrong-cost."),
            EvaluationLogInput.option,
            EvaluationLogInput.scorerOption,
            EvaluationLogInput.sourceOption,
            .init(name: "confidence-column", value: "NAME", help: "--beliefs: the confidence column (in [0, 1]).", defaultValue: "confidence"),
            .init(name: "correct-column", value: "NAME", help: "--beliefs: the correctness column (1/0, true/false, yes/no).", defaultValue: "correct"),
            .init(name: "wrong-cost", value: "X", help: "--beliefs: the cost of a wrong answer that goes through.", defaultValue: "1", kind: .number(.finite)),
            .init(name: "recalibration", value: "NAME", help: "--beliefs: isotonic or temperature, for the recalibrated baseline.", defaultValue: "isotonic"),
            .init(name: "decisions", value: "FILE", help: "--beliefs: also write each answer's action, believed delta and utility as CSV."),
            .init(name: "format", value: "FMT", help: "table, csv or json (single game); sweeps always write CSV.", shownDefault: "table on a terminal, else csv"),
            .init(name: "quiet", value: nil, help: "No progress bar or summary on stderr."),
        ],
        discussion: """
        Exact values: closed forms for step-shaped humans (rational, p-rational, constant) with Gaussian
        and uniform beliefs, exact sums for discrete and empirical beliefs, and for a Boltzmann human
        with a Gaussian belief Gauss-Hermite or step+Gauss-Laguerre quadrature at two orders (the gap is
        the error estimate), falling back to adaptive integration split at u = 0. Values are accurate to
        1e-9 absolute + 1e-7 relative or better.

        Examples:
          safetykit offswitch --prior gaussian --mu 0.5 --sigma 1 --human boltzmann --beta 1
          safetykit offswitch --prior discrete --points "1:0.5,-1:0.5" --human rational --format json
          safetykit offswitch --simulate 100000 --seed 7 --mu 0.5 --beta 0.5
          safetykit offswitch --beliefs predictions.csv --confidence-column p --correct-column ok --human boltzmann --beta 0.5
          safetykit offswitch --sweep --grid mu=0.5 --grid sigma=0.05:5:200 --grid beta=0:5:201 \\
                              --out sweep.csv --plot sweep.svg

        Default sweep (--sweep alone): gaussian x boltzmann over mu = -1,0.5,2, sigma = 0.05:5:100 and
        beta = 0:5:101 (30,300 points). The last --grid varies fastest.

        On a cluster: run shard K of N as one task of a job array (SLURM: --shard $SLURM_ARRAY_TASK_ID/N
        with #SBATCH --array=1-N), each with its own --out, then 'safetykit merge shard-*.csv --out all.csv'
        reproduces the unsharded file byte for byte.
        """)

    static func run(_ arguments: [String]) throws -> ExitCode {
        let args = try spec.parse(arguments)
        try args.applyThreads()
        if args.help { Terminal.printOut(spec.help); return .success }
        if args.has("beliefs") { return try runBeliefs(args) }
        for option in ["confidence-column", "correct-column", "wrong-cost", "recalibration", "decisions", "input-format", "scorer", "confidence-source"] where args.has(option) {
            throw CLIError.usage("--\(option) needs --beliefs FILE")
        }
        let configuration = try makeConfiguration(args)
        let quiet = args.flag("quiet")
        let threads = args.integer("threads") ?? Parallel.availableCores
        let seed = try args.seed()
        let monteCarlo: OffSwitchMonteCarlo? = try args.integer("simulate").map { rounds throws(GameError) in
            try OffSwitchMonteCarlo(rounds: rounds)
        }

        if args.flag("sweep") || !args.all("grid").isEmpty || args.has("shard") {
            if let format = args.string("format"), format != "csv" {
                throw CLIError.usage("--format \(format) is for a single game; sweeps write CSV")
            }
            return try runSweep(args, configuration: configuration, threads: threads, monteCarlo: monteCarlo, seed: seed, quiet: quiet)
        }
        for option in ["plot", "shard"] where args.has(option) {
            throw CLIError.usage("--\(option) needs --sweep")
        }
        let format = try args.outputFormat([.table, .csv, .json], piped: .csv)
        return try runSingle(configuration: configuration, format: format, monteCarlo: monteCarlo, seed: seed, out: args.string("out"))
    }

    /// Reads the prior and human options into a configuration, validating every value.
    static func makeConfiguration(_ args: ParsedArguments) throws -> GameConfiguration {
        let priorName = try args.choice("prior", GameConfiguration.PriorKind.allCases.map(\.rawValue)) ?? "gaussian"
        let humanName = try args.choice("human", GameConfiguration.HumanKind.allCases.map(\.rawValue)) ?? "boltzmann"
        let priorKind = GameConfiguration.PriorKind(rawValue: priorName)!
        let humanKind = GameConfiguration.HumanKind(rawValue: humanName)!
        var values = GameParameterSet()
        for name in ParameterName.allCases {
            if let value = try args.double(name.rawValue) { values[name] = value }
        }
        // A fixed value and a grid axis for the same parameter contradict each other (--mu 1 --grid mu=...).
        for spec in args.all("grid") {
            let name = String(spec.prefix { $0 != "=" })
            if args.has(name) { throw CLIError.usage("--\(name) and --grid \(name)=... both set \(name); give one") }
        }
        var configuration = GameConfiguration(priorKind: priorKind, humanKind: humanKind, parameters: values)
        let used = Set(configuration.sweepableNames.map(\.rawValue))
        for name in ParameterName.allCases.map(\.rawValue) where args.has(name) && !used.contains(name) {
            throw CLIError.usage("--\(name) does not apply to a \(priorName) prior with a \(humanName) human")
        }
        func require(_ option: String, for kind: String) throws {
            guard args.has(option) else { throw CLIError.usage("--prior \(kind) needs --\(option)") }
        }
        switch priorKind {
        case .discrete:
            try require("points", for: "discrete")
            configuration.fixedPrior = try PriorSpecification.points(args.string("points")!, normalize: args.flag("normalize-weights"))
        case .mixture:
            try require("mixture", for: "mixture")
            configuration.fixedPrior = try PriorSpecification.mixture(args.string("mixture")!, normalize: args.flag("normalize-weights"))
        case .samples:
            try require("samples", for: "samples")
            try require("column", for: "samples")
            let path = args.string("samples")!
            let table = try CSVReader.read(path: path)
            configuration.fixedPrior = try DiscretePrior(samples: try table.numbers(inColumn: args.string("column")!))
        case .gaussian, .uniform:
            for option in ["points", "mixture", "samples", "column", "normalize-weights"] where args.has(option) {
                throw CLIError.usage("--\(option) does not apply to a \(priorName) prior")
            }
        }
        _ = try configuration.makeGame()   // validates the single-game values now, with their names
        return configuration
    }
}
