import Foundation

/// A line chart of one or more series, with a legend and optional error bands (for example
/// bootstrap intervals), on axes with nice ticks.
public struct LineChart {
    public struct Series {
        public var name: String
        public var points: [(x: Double, y: Double)]
        /// Lower and upper ends of a band at each x, drawn translucent behind the line.
        public var band: [(x: Double, lower: Double, upper: Double)]?
        public init(name: String, points: [(x: Double, y: Double)], band: [(x: Double, lower: Double, upper: Double)]? = nil) {
            self.name = name
            self.points = points
            self.band = band
        }
    }

    public var title: String
    public var subtitle: String
    public var xLabel: String
    public var yLabel: String
    public var series: [Series]
    /// Draw y on a log₁₀ scale (non-positive values are left out), with ticks at powers of ten.
    public var logY: Bool = false

    /// Okabe–Ito colours: distinguishable with the common colour-vision deficiencies.
    static let palette = ["#0072B2", "#D55E00", "#009E73", "#CC79A7", "#E69F00", "#56B4E9", "#000000", "#999999"]

    public init(title: String, subtitle: String = "", xLabel: String, yLabel: String, series: [Series]) {
        self.title = title
        self.subtitle = subtitle
        self.xLabel = xLabel
        self.yLabel = yLabel
        self.series = series
    }

    public func render() -> String {
        guard logY else { return draw(series, yTicksAsPowers: false) }
        func log10Points(_ s: Series) -> Series {
            Series(name: s.name, points: s.points.filter { $0.y > 0 }.map { ($0.x, Foundation.log10($0.y)) },
                   band: s.band.map { $0.filter { $0.lower > 0 && $0.upper > 0 }.map { ($0.x, Foundation.log10($0.lower), Foundation.log10($0.upper)) } })
        }
        return draw(series.map(log10Points), yTicksAsPowers: true)
    }

    private func draw(_ series: [Series], yTicksAsPowers: Bool) -> String {
        let legendWidth = min(520, 40 + 7 * Double(series.map(\.name.count).max() ?? 0))
        var canvas = SVGCanvas(width: 80 + 560 + 30 + legendWidth, height: 470)
        let xs = series.flatMap { $0.points.map(\.x) }.filter(\.isFinite)
        var ys = series.flatMap { $0.points.map(\.y) }
        ys += series.flatMap { ($0.band ?? []).flatMap { [$0.lower, $0.upper] } }
        ys = ys.filter(\.isFinite)
        let xLow = xs.min() ?? 0, xHigh = xs.max() ?? 1
        let yLow = ys.min() ?? 0, yHigh = ys.max() ?? 1
        let pad = (yHigh - yLow) * 0.05
        let area = PlotArea(left: 80, top: 64, width: 560, height: 330, x: xLow...xHigh, y: (yLow - pad)...(yHigh + pad))
        canvas.text(title, x: area.left, y: 24, size: 15, weight: "bold")
        if !subtitle.isEmpty { canvas.text(subtitle, x: area.left, y: 42, size: 12, extra: "fill=\"#444\"") }
        if yTicksAsPowers {
            // Ticks at whole powers of ten, labelled 1e-3, 0.01, 1, 100 …
            var axisArea = area
            axisArea.yRange = area.yRange
            axisArea.drawAxes(&canvas, xLabel: xLabel, yLabel: yLabel + " (log scale)", yTicks: 0, grid: true)
            let low = Int(area.yRange.lowerBound.rounded(.up)), high = Int(area.yRange.upperBound.rounded(.down))
            let step = max(1, (high - low) / 8 + 1)
            for k in stride(from: low, through: high, by: step) {
                let y = area.py(Double(k))
                canvas.line(area.left, y, area.right, y, stroke: "#e5e5e5")
                canvas.line(area.left - 5, y, area.left, y, stroke: "#333")
                canvas.text(k >= -2 && k <= 3 ? AxisTicks.label(Foundation.pow(10, Double(k))) : "1e\(k)", x: area.left - 8, y: y + 4, size: 11, anchor: "end")
            }
        } else {
            area.drawAxes(&canvas, xLabel: xLabel, yLabel: yLabel, grid: true)
        }
        for (k, s) in series.enumerated() {
            let color = Self.palette[k % Self.palette.count]
            if let band = s.band?.filter({ $0.x.isFinite && $0.lower.isFinite && $0.upper.isFinite }), band.count > 1 {
                let upper = band.map { "\(SVGCanvas.n(area.px($0.x))),\(SVGCanvas.n(area.py($0.upper)))" }
                let lower = band.reversed().map { "\(SVGCanvas.n(area.px($0.x))),\(SVGCanvas.n(area.py($0.lower)))" }
                canvas.raw("<polygon points=\"\((upper + lower).joined(separator: " "))\" fill=\"\(color)\" fill-opacity=\"0.18\" stroke=\"none\"/>")
            }
            let points = s.points.filter { $0.x.isFinite && $0.y.isFinite }.map { (area.px($0.x), area.py($0.y)) }
            canvas.polyline(points, stroke: color, width: 2, extra: "class=\"series\" data-name=\"\(SVGCanvas.escape(s.name))\"")
            if points.count <= 60 {
                for (x, y) in points { canvas.raw("<circle cx=\"\(SVGCanvas.n(x))\" cy=\"\(SVGCanvas.n(y))\" r=\"3\" fill=\"\(color)\"/>") }
            }
            let ly = area.top + 12 + Double(k) * 20
            canvas.line(area.right + 20, ly - 4, area.right + 44, ly - 4, stroke: color, width: 2.5)
            canvas.text(s.name, x: area.right + 50, y: ly, size: 12)
        }
        return canvas.render()
    }
}
