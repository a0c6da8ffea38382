import Foundation

/// A line chart of one or more series, with a legend and optional error bands (for example
/// bootstrap or t-intervals), on axes with nice ticks.
///
/// Drawing order keeps every line readable: all bands first (light, with dashed edges in their
/// series' colour, so overlapping bands do not merge into one grey mass), then every line with
/// its own marker shape, so a line always matches its legend entry even where colours mix.
package struct LineChart {
    package struct Series {
        package var name: String
        package var points: [(x: Double, y: Double)]
        /// Lower and upper ends of a band at each x, drawn behind every line.
        package var band: [(x: Double, lower: Double, upper: Double)]?
        package init(name: String, points: [(x: Double, y: Double)], band: [(x: Double, lower: Double, upper: Double)]? = nil) {
            self.name = name
            self.points = points
            self.band = band
        }
    }

    package var title: String
    package var subtitle: String
    package var xLabel: String
    package var yLabel: String
    package var series: [Series]
    /// Draw y on a log₁₀ scale (non-positive values are left out), with ticks at powers of ten.
    package var logY: Bool = false
    /// x takes whole values only (iterations, rounds): ticks never fall between them.
    package var integerX: Bool = false
    /// A fixed y range (a rate's [0, 1]); by default the data's range with 5% margins.
    package var yRange: ClosedRange<Double>?

    /// Okabe–Ito colours: distinguishable with the common colour-vision deficiencies.
    static let palette = ["#0072B2", "#D55E00", "#009E73", "#CC79A7", "#E69F00", "#56B4E9", "#000000", "#999999"]

    /// Series k's marker shape: k itself for the first `palette.count` series, then shifted by
    /// one per round of colours, so that no two of the first 4 × 8 series share both colour and
    /// marker (series 8 was series 0's blue circle).
    static func marker(_ k: Int) -> Int { k + k / palette.count }

    package init(title: String, subtitle: String = "", xLabel: String, yLabel: String, series: [Series],
                integerX: Bool = false, yRange: ClosedRange<Double>? = nil) {
        self.title = title
        self.subtitle = subtitle
        self.xLabel = xLabel
        self.yLabel = yLabel
        self.series = series
        self.integerX = integerX
        self.yRange = yRange
    }

    /// The legend entry of the bands; the title or subtitle says which interval they are.
    static let bandLabel = "interval band (stated above)"

    /// The plot's size in pixels, without the title block.
    static let plotWidth = 560.0, plotHeight = 330.0, marginLeft = 80.0

    /// The series the legend lists: those with a point to draw (an arm without this quantity,
    /// such as a confidence only one method states, has none). Each keeps its index, so its
    /// colour and marker match the other charts of the same series.
    var listed: [Int] { series.indices.filter { series[$0].points.contains { $0.x.isFinite && $0.y.isFinite } } }

    /// The legend's width for these series.
    var legendWidth: Double {
        let names = listed.map { series[$0].name } + (series.contains { ($0.band?.count ?? 0) > 1 } ? [Self.bandLabel] : [])
        let widest = names.map { SVGCanvas.estimatedWidth($0, size: 12) }.max() ?? 0
        return series.isEmpty ? 0 : 70 + widest
    }

    /// The whole chart's width.
    var width: Double { Self.marginLeft + Self.plotWidth + 20 + legendWidth + 10 }

    package func render() -> String {
        let lines = SVGCanvas.wrap(subtitle, size: 12, width: max(width, 700) - Self.marginLeft - 10)
        let titleWidth = SVGCanvas.estimatedWidth(title, size: 15, bold: true)
        let canvasWidth = max(width, Self.marginLeft + titleWidth + 20, 700)
        let top = 44 + 16 * Double(lines.count)
        var canvas = SVGCanvas(width: canvasWidth, height: top + Self.plotHeight + 60)
        canvas.text(title, x: Self.marginLeft, y: 24, size: 15, weight: "bold")
        for (k, line) in lines.enumerated() { canvas.text(line, x: Self.marginLeft, y: 42 + 16 * Double(k), size: 12, extra: "fill=\"#444\"") }
        draw(into: &canvas, top: top)
        return canvas.render()
    }

    /// Draws the axes, bands, lines and legend with the plot's top edge at `top`.
    func draw(into canvas: inout SVGCanvas, top: Double) {
        var series = self.series
        if logY {
            series = series.map { s in
                Series(name: s.name, points: s.points.filter { $0.y > 0 }.map { ($0.x, Foundation.log10($0.y)) },
                       band: s.band.map { $0.filter { $0.lower > 0 && $0.upper > 0 }.map { ($0.x, Foundation.log10($0.lower), Foundation.log10($0.upper)) } })
            }
        }
        let xs = series.flatMap { $0.points.map(\.x) }.filter(\.isFinite)
        var ys = series.flatMap { $0.points.map(\.y) }
        ys += series.flatMap { ($0.band ?? []).flatMap { [$0.lower, $0.upper] } }
        ys = ys.filter(\.isFinite)
        let xLow = xs.min() ?? 0, xHigh = xs.max() ?? 1
        let yLow = ys.min() ?? 0, yHigh = ys.max() ?? 1
        let pad = (yHigh - yLow) * 0.05
        let range = yRange.map { logY ? Foundation.log10(max($0.lowerBound, 1e-300))...Foundation.log10($0.upperBound) : $0 } ?? (yLow - pad)...(yHigh + pad)
        let area = PlotArea(left: Self.marginLeft, top: top, width: Self.plotWidth, height: Self.plotHeight, x: xLow...xHigh, y: range)
        if logY {
            area.drawAxes(&canvas, xLabel: xLabel, yLabel: yLabel + " (log scale)", yTicks: 0, grid: true, integerX: integerX)
            let low = Int(area.yRange.lowerBound.rounded(.up)), high = Int(area.yRange.upperBound.rounded(.down))
            let step = max(1, (high - low) / 8 + 1)
            for k in stride(from: low, through: high, by: step) {
                let y = area.py(Double(k))
                canvas.line(area.left, y, area.right, y, stroke: "#e5e5e5")
                canvas.line(area.left - 5, y, area.left, y, stroke: "#333")
                canvas.text(k >= -2 && k <= 3 ? AxisTicks.label(Foundation.pow(10, Double(k))) : "1e\(k)", x: area.left - 8, y: y + 4, size: 11, anchor: "end")
            }
        } else {
            area.drawAxes(&canvas, xLabel: xLabel, yLabel: yLabel, grid: true, integerX: integerX)
        }
        func color(_ k: Int) -> String { Self.palette[k % Self.palette.count] }
        var hasBands = false
        for (k, s) in series.enumerated() {
            guard let band = s.band?.filter({ $0.x.isFinite && $0.lower.isFinite && $0.upper.isFinite }), band.count > 1 else { continue }
            hasBands = true
            let upper = band.map { (area.px($0.x), area.py(min($0.upper, area.yRange.upperBound))) }
            let lower = band.map { (area.px($0.x), area.py(max($0.lower, area.yRange.lowerBound))) }
            let polygon = (upper + lower.reversed()).map { "\(SVGCanvas.n($0.0)),\(SVGCanvas.n($0.1))" }.joined(separator: " ")
            canvas.raw("<polygon points=\"\(polygon)\" fill=\"\(color(k))\" fill-opacity=\"0.10\" stroke=\"none\" class=\"band\" data-name=\"\(SVGCanvas.escape(s.name))\"/>")
            for edge in [upper, lower] {
                canvas.polyline(edge, stroke: color(k), width: 1, extra: "stroke-opacity=\"0.7\" stroke-dasharray=\"4 3\" class=\"band-edge\"")
            }
        }
        for (k, s) in series.enumerated() {
            let points = s.points.filter { $0.x.isFinite && $0.y.isFinite }.map { (area.px($0.x), area.py($0.y)) }
            canvas.polyline(points, stroke: color(k), width: 2, extra: "class=\"series\" data-name=\"\(SVGCanvas.escape(s.name))\"")
            if points.count <= 60 { for (x, y) in points { canvas.marker(Self.marker(k), x: x, y: y, fill: color(k)) } }
        }
        // The legend: line and marker per series, then what the bands are.
        let lx = area.right + 20
        let listed = listed
        for (row, k) in listed.enumerated() {
            let s = series[k], ly = area.top + 12 + Double(row) * 20
            canvas.line(lx, ly - 4, lx + 28, ly - 4, stroke: color(k), width: 2)
            canvas.marker(Self.marker(k), x: lx + 14, y: ly - 4, fill: color(k))
            canvas.text(s.name, x: lx + 36, y: ly, size: 12)
        }
        if hasBands {
            let ly = area.top + 12 + Double(listed.count) * 20 + 6
            canvas.rect(x: lx, y: ly - 10, width: 28, height: 10, fill: "#777", extra: "fill-opacity=\"0.15\" stroke=\"#777\" stroke-dasharray=\"4 3\"")
            canvas.text(Self.bandLabel, x: lx + 36, y: ly, size: 12, extra: "fill=\"#444\"")
        }
    }
}

/// Line charts stacked in one figure under a shared title, for quantities that need their own
/// axes (a rate beside a reward difference).
package struct ChartPanels {
    package var title: String
    package var subtitle: String
    package var panels: [LineChart]

    package init(title: String, subtitle: String = "", panels: [LineChart]) {
        self.title = title
        self.subtitle = subtitle
        self.panels = panels
    }

    package func render() -> String {
        let widest = panels.map(\.width).max() ?? 700
        let width = max(widest, LineChart.marginLeft + SVGCanvas.estimatedWidth(title, size: 15, bold: true) + 20, 700)
        let lines = SVGCanvas.wrap(subtitle, size: 12, width: width - LineChart.marginLeft - 10)
        let head = 44 + 16 * Double(lines.count)
        let panelHeight = 30 + LineChart.plotHeight + 60
        var canvas = SVGCanvas(width: width, height: head + Double(panels.count) * panelHeight)
        canvas.text(title, x: LineChart.marginLeft, y: 24, size: 15, weight: "bold")
        for (k, line) in lines.enumerated() { canvas.text(line, x: LineChart.marginLeft, y: 42 + 16 * Double(k), size: 12, extra: "fill=\"#444\"") }
        for (k, panel) in panels.enumerated() {
            let top = head + Double(k) * panelHeight
            canvas.text(panel.title, x: LineChart.marginLeft, y: top + 16, size: 13, weight: "bold")
            panel.draw(into: &canvas, top: top + 30)
        }
        return canvas.render()
    }
}
