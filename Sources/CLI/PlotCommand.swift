import SafetyKitAnalysis
import Foundation

/// `safetykit plot`: charts from any CSV that SafetyKit writes.
enum PlotCommand {
    static let spec = CommandSpec(
        name: "plot",
        summary: "Draw an SVG chart from a CSV file: a line chart (default), a heatmap, or a reliability diagram.",
        usage: "safetykit plot FILE.csv --x COL --y COL[,COL...] [--group COL] [--kind line|heatmap|reliability] --out FILE.svg",
        options: [
            .init(name: "x", value: "COL", help: "The x column (for reliability: the confidence column)."),
            .init(name: "y", value: "COLS", help: "Comma-separated y columns (for heatmap: one; for reliability: the correctness column)."),
            .init(name: "z", value: "COL", help: "Heatmap value column.", defaultValue: "delta"),
            .init(name: "group", value: "COL", help: "One series (line) or panel (reliability) per value of this column."),
            .init(name: "kind", value: "KIND", help: "line, heatmap or reliability.", defaultValue: "line", kind: .choices(ChartKind.self)),
            .init(name: "bins", value: "B", help: "Reliability bins.", defaultValue: "15", kind: .integer(1...100_000)),
            .init(name: "binning", value: "SCHEME", help: "Reliability binning: width or mass.", defaultValue: "width"),
            .init(name: "title", value: "TEXT", help: "Chart title.", shownDefault: "from the columns"),
            .init(name: "log-y", value: nil, help: "Line charts: y on a log scale (non-positive values are left out)."),
            .init(name: "out", value: "FILE.svg", help: "Where to write the SVG (atomically)."),
        ],
        discussion: """
        Line charts draw an error band for a y column Y when the file also has Y_ci_lo and Y_ci_hi (or
        Y_lo and Y_hi) columns, as calibrate's CSV output does. Heatmaps outline the regions of a
        best_action column when there is one.

        Examples:
          safetykit offswitch --sweep --grid beta=0.1,1,5 --grid sigma=0.05:5:60 --out sweep.csv
          safetykit plot sweep.csv --x sigma --y delta --group beta --out delta.svg
          safetykit plot sweep.csv --kind heatmap --x beta --y sigma --z delta --out map.svg
          safetykit plot notebooks-data/calibration/two-models.csv --kind reliability --x confidence --y correct --group model --out r.svg
        """,
        positionals: "FILE.csv")

    static func run(_ arguments: [String]) throws -> ExitCode {
        let args = try spec.parse(arguments)
        if args.help { Terminal.printOut(spec.help); return .success }
        guard args.positionals.count == 1, let path = args.positionals.first else {
            throw CLIError.usage("plot needs one CSV file, e.g.: safetykit plot sweep.csv --x sigma --y delta --group beta --out delta.svg")
        }
        guard let x = args.string("x"), let yText = args.string("y") else { throw CLIError.usage("plot needs --x COL and --y COL") }
        guard let outPath = args.string("out") else { throw CLIError.usage("plot needs --out FILE.svg") }
        let ys = yText.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }
        let kind = args.choice("kind", as: ChartKind.self)!
        // An option of another kind of chart is an error, never silently ignored (--z on a line chart).
        let kindOnly: [String: String] = ["z": "heatmap", "bins": "reliability", "binning": "reliability", "log-y": "line"]
        for (option, owner) in kindOnly.sorted(by: { $0.key < $1.key }) where args.has(option) && owner != kind.rawValue {
            throw CLIError.usage("--\(option) applies to --kind \(owner) only, not to a \(kind) chart")
        }
        let group = args.string("group")
        let output = try OutputFile(path: outPath)
        let svg: String
        switch kind {
        case .reliability:
            let binning = try Binning(scheme: try args.choice("binning", ["width", "mass"]) ?? "width", count: args.integer("bins")!)
            let table = try PredictionTable.read(path: path, confidenceColumn: x, correctColumn: ys[0], groupColumn: group)
            let panels = table.groups.prefix(12).map { g in
                (name: g.name.map { "\(group!) = \($0)" } ?? "", report: CalibrationAnalysis(g.predictions, binning: binning).report())
            }
            svg = ReliabilityDiagram(title: args.string("title") ?? "Reliability: \(x) against \(ys[0])", panels: Array(panels)).render()
        case .heatmap:
            let z = args.string("z") ?? "delta"
            let table = try CSVReader.read(path: path)
            let hasRegions = table.header.contains("best_action")
            let xs = try table.numbers(inColumn: x), yv = try table.numbers(inColumn: ys[0]), zs = try table.numbers(inColumn: z)
            let xValues = Array(Set(xs)).sorted(), yValues = Array(Set(yv)).sorted()
            guard xValues.count >= 2, yValues.count >= 2 else {
                throw AnalysisError.badData(location: path, message: "a heatmap needs at least 2 distinct values of \(x) and of \(ys[0])")
            }
            let xIndex = Dictionary(uniqueKeysWithValues: xValues.enumerated().map { ($1, $0) })
            let yIndex = Dictionary(uniqueKeysWithValues: yValues.enumerated().map { ($1, $0) })
            var values = [Double](repeating: .nan, count: xValues.count * yValues.count)
            var categories = [String](repeating: "", count: values.count)
            let best = hasRegions ? try table.columnIndex("best_action") : nil
            for r in table.rows.indices {
                let cell = yIndex[yv[r]]! * xValues.count + xIndex[xs[r]]!
                values[cell] = zs[r]
                if let best { categories[cell] = table.rows[r][best] }
            }
            svg = Heatmap(title: args.string("title") ?? "\(z) over \(x) and \(ys[0])", subtitle: path, xLabel: x, yLabel: ys[0], colorLabel: z,
                          xValues: xValues, yValues: yValues,
                          panels: [Heatmap.Panel(title: "", values: values, categories: hasRegions ? categories : nil)]).render()
        case .line:
            let table = try CSVReader.read(path: path)
            let xs = try table.numbers(inColumn: x)
            var series: [LineChart.Series] = []
            for y in ys {
                // A blank y cell is a missing point.
                let values = try table.numbersOrBlank(inColumn: y)
                let band = try bandColumns(table, for: y)
                for (name, rows) in groups(table, column: group.map { try? table.columnIndex($0) } ?? nil) {
                    let ordered = rows.filter { values[$0] != nil }.sorted { xs[$0] < xs[$1] }
                    var label = ys.count > 1 || name == nil ? y : ""
                    if let name { label += (label.isEmpty ? "" : ", ") + "\(group!) = \(name)" }
                    series.append(LineChart.Series(name: label, points: ordered.map { (xs[$0], values[$0]!) },
                                                   band: band.map { b in ordered.map { (xs[$0], b.lower[$0], b.upper[$0]) } }))
                }
            }
            if let group { _ = try table.columnIndex(group) }
            let defaultTitle = "\(ys.map(AxisLabel.readable).joined(separator: ", ")) against \(AxisLabel.readable(x))"
            var chart = LineChart(title: args.string("title") ?? defaultTitle.prefix(1).uppercased() + defaultTitle.dropFirst(),
                                  subtitle: "from \(path)",
                                  xLabel: AxisLabel.readable(x), yLabel: ys.count == 1 ? AxisLabel.readable(ys[0]) : "value (see legend)", series: series,
                                  integerX: ["iteration", "round", "step"].contains(x))
            chart.logY = args.flag("log-y")
            svg = chart.render()
        }
        try output.write(svg)
        try output.commit()
        Terminal.printError("wrote a \(kind) chart to \(outPath)")
        return .success
    }

    /// Row indices per value of a column, in order of first appearance (one group of all rows if none).
    static func groups(_ table: CSVTable, column: Int?) -> [(String?, [Int])] {
        guard let column else { return [(nil, Array(table.rows.indices))] }
        var order: [String] = [], members: [String: [Int]] = [:]
        for (r, row) in table.rows.enumerated() {
            if members[row[column]] == nil { order.append(row[column]) }
            members[row[column], default: []].append(r)
        }
        return order.map { ($0, members[$0]!) }
    }

    /// The lower and upper columns of a band for y, if the table has them.
    static func bandColumns(_ table: CSVTable, for y: String) throws -> (lower: [Double], upper: [Double])? {
        for (lo, hi) in [("\(y)_ci_lo", "\(y)_ci_hi"), ("\(y)_lo", "\(y)_hi")] where table.header.contains(lo) && table.header.contains(hi) {
            return (try table.numbers(inColumn: lo), try table.numbers(inColumn: hi))
        }
        return nil
    }
}

/// `plot --kind`.
enum ChartKind: String, CaseIterable { case line, heatmap, reliability }
