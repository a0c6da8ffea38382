import SafetyKitAnalysis
import Foundation
import SafetyKitGames
import SafetyKitNumerics

extension OffSwitchCommand {
    /// Runs a sweep (or one shard of it) to CSV, with an optional heatmap.
    static func runSweep(_ args: ParsedArguments, configuration: GameConfiguration, threads: Int,
                         monteCarlo: OffSwitchMonteCarlo?, seed: UInt64, quiet: Bool) throws -> ExitCode {
        let specs = args.all("grid")
        let sweep: Sweep
        if specs.isEmpty {
            guard configuration.priorKind == .gaussian, configuration.humanKind == .boltzmann else {
                throw CLIError.usage("the default sweep is for --prior gaussian --human boltzmann; give --grid NAME=SPEC for others")
            }
            sweep = Sweep.standard()
        } else {
            var axes: [SweepAxis] = []
            for spec in specs { axes.append(try SweepAxis(parsing: spec)) }
            sweep = try Sweep(configuration: configuration, axes: axes)
        }
        // Refuse absurd work before doing any: about 110 bytes of CSV a point.
        let limit = 2_000_000_000
        if sweep.count > limit && !args.flag("large") {
            let terabytes = Double(sweep.count) * 110 / 1e12
            throw CLIError.usage("the sweep has \(sweep.count) points (about \(String(format: "%.1f", terabytes)) TB of CSV); give --large to run more than \(limit), or shard it")
        }
        var range = 0..<sweep.count
        var shard: ShardHeader? = nil
        if let text = args.string("shard") {
            let parts = text.split(separator: "/")
            guard parts.count == 2, let k = Int(parts[0]), let n = Int(parts[1]), n >= 1, k >= 1, k <= n else {
                throw CLIError.usage("--shard must be K/N with 1 <= K <= N, got '\(text)'")
            }
            guard args.string("out").map({ $0 != "stdout" }) ?? false else {
                throw CLIError.usage("--shard needs --out FILE: the shard's record is written beside it (FILE.shard) for merge to check")
            }
            range = Sweep.shardRange(k, of: n, count: sweep.count)
            shard = ShardHeader(index: k, count: n, rows: range, total: sweep.count,
                                fingerprint: ShardHeader.fingerprint(of: describe(sweep, monteCarlo: monteCarlo, seed: seed)))
        }
        let plotter: SweepHeatmapPlotter? = try args.string("plot").map { path in
            if shard != nil { throw CLIError.usage("--plot needs the whole sweep; plot after 'safetykit merge' instead of per shard") }
            return try SweepHeatmapPlotter(sweep: sweep, path: path)
        }

        let output = try OutputFile(path: args.string("out"))
        let table = SweepTable(configuration: sweep.configuration, includesMonteCarlo: monteCarlo != nil)
        try output.write(table.headerRecord)
        let runner = SweepRunner(sweep: sweep, range: range, threads: threads, monteCarlo: monteCarlo, seed: seed)
        let progress = ProgressBar(total: range.count, unit: "points", quiet: quiet)
        let start = Date()
        let statistics = try runner.run(table: table, output: output,
                                        observe: plotter.map { plotter in { i, _, s in plotter.record(i, s) } },
                                        progress: { progress.update($0) })
        progress.finish()
        try output.commit()
        if let shard, let path = args.string("out") { try shard.seal(csvAt: path) }
        let elapsed = Date().timeIntervalSince(start)
        try plotter?.write()
        if !quiet {
            let perPoint = elapsed / Double(max(1, statistics.points)) * 1e9
            let methods = statistics.methods.sorted { $0.points > $1.points }.map { "\($0.method.rawValue) \($0.points)" }.joined(separator: ", ")
            var summary = "wrote \(statistics.points) rows to \(args.string("out") ?? "stdout")"
            if let shard { summary += " (shard \(shard.index)/\(shard.count))" }
            summary += String(format: " in %.3f s (%.0f ns/point on %d threads; %.1f integrand evaluations/point; %@)",
                              elapsed, perPoint, threads, Double(statistics.evaluations) / Double(max(1, statistics.points)), methods)
            if let plot = args.string("plot") { summary += ", and a heatmap to \(plot)" }
            Terminal.printError(summary)
        }
        return .success
    }

    /// A canonical description of a sweep, fingerprinted into shard headers so that merge can
    /// refuse shards of different sweeps.
    static func describe(_ sweep: Sweep, monteCarlo: OffSwitchMonteCarlo?, seed: UInt64) -> String {
        let c = sweep.configuration
        var text = "prior=\(c.priorKind.rawValue);human=\(c.humanKind.rawValue);"
        text += ParameterName.allCases.map { "\($0.rawValue)=\(c.parameters[$0].bitPattern)" }.joined(separator: ",")
        // Samples have no short specification: fingerprint their bit patterns. (Never hashValue:
        // Swift seeds it per process, and shards run in separate processes.)
        let samples = (c.fixedPrior as? DiscretePrior)?.values.map { String($0.bitPattern) }.joined(separator: ",") ?? ""
        text += ";fixed=\(c.fixedPrior?.specification ?? ShardHeader.fingerprint(of: samples))"
        for axis in sweep.axes { text += ";\(axis.name.rawValue)=" + axis.values.map { String($0.bitPattern) }.joined(separator: ",") }
        if let monteCarlo { text += ";mc=\(monteCarlo.rounds);seed=\(seed)" }
        return text
    }
}
