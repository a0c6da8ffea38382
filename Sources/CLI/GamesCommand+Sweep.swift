import SafetyKitAnalysis
import Foundation
import SafetyKitGames
import SafetyKitNumerics

/// `--sweep NAME=START:STOP:COUNT` (or NAME=V1,V2,...) for the relatives: one parameter swept
/// with the off-switch sweep's grid grammar (`SweepAxis`), points computed in parallel and
/// written in order, one CSV row per value, and `--plot` drawing every column against it.
extension GamesCommand {
    /// The most values a games sweep takes (each is a whole game, up to thousands of simulated runs).
    static let maximumValues = 100_000

    /// The sweep asked for, if any, checked against the game's sweepable parameters.
    static func sweep(_ args: ParsedArguments, game: String, allowed: [String]) throws -> (name: String, values: [Double])? {
        guard let spec = args.string("sweep") else { return nil }
        guard let equals = spec.firstIndex(of: "="), allowed.contains(String(spec[..<equals])) else {
            throw CLIError.usage("--sweep for '\(game)' must be NAME=START:STOP:COUNT or NAME=V1,V2,... with NAME one of \(allowed.joined(separator: ", ")), got '\(spec)'")
        }
        let name = String(spec[..<equals])
        let values = try SweepAxis.values(parsing: String(spec[spec.index(after: equals)...]), name: name)
        guard values.count <= maximumValues else {
            throw CLIError.usage("--sweep for '\(game)' has \(values.count) values; a games sweep takes at most \(maximumValues) (each value is a whole game)")
        }
        return (name, values)
    }

    /// Computes `point(i)` for every value i (in parallel, written in order) and writes the table and chart.
    static func writeSweep(_ args: ParsedArguments, game: String, parameter: String, values: [Double], columns: [String],
                           point: @escaping @Sendable (Int) -> [Double]) throws -> ExitCode {
        if let format = args.string("format"), format != "csv" { throw CLIError.usage("--format \(format) is for a single game; sweeps write CSV") }
        let out = try OutputFile(path: args.string("out").flatMap { $0 == "stdout" ? nil : $0 })
        let plot = try args.string("plot").map { path throws(AnalysisError) in try OutputFile(path: path) }
        // Rows stream out in order as they are computed (a bounded window in memory), as the
        // off-switch sweep's do; only a plot keeps them all.
        try out.write(CSVWriter.record([parameter] + columns))
        var rows: [[Double]] = []
        try Parallel.orderedPipeline(values.count, threads: Parallel.availableCores, window: 64, produce: { point($0) }) { i, row in
            try out.write(CSVWriter.record([CSVNumber.format(values[i])] + row.map(CSVNumber.format)))
            if plot != nil { rows.append(row) }
        }
        if let plot {
            let series = columns.indices.map { c in LineChart.Series(name: AxisLabel.readable(columns[c]), points: zip(values, rows).map { ($0, $1[c]) }) }
            try plot.write(LineChart(title: "safetykit games \(game): a sweep over \(AxisLabel.readable(parameter))", subtitle: "\(values.count) values",
                                     xLabel: AxisLabel.readable(parameter), yLabel: "value of each column (see legend)", series: series).render())
            try plot.commit()
        }
        try out.commit()
        return .success
    }
}
