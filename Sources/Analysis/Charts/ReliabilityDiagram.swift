import Foundation

/// Reliability diagrams: per bin, a bar of accuracy against the diagonal of perfect calibration,
/// the gap between accuracy and mean confidence shaded, and a histogram of counts beneath. One
/// panel per report (e.g. per iteration or per model), with ECE and n in each panel's title.
public struct ReliabilityDiagram {
    public var title: String
    public var panels: [(name: String, report: CalibrationReport)]

    public init(title: String, panels: [(name: String, report: CalibrationReport)]) {
        self.title = title
        self.panels = panels
    }

    public func render() -> String {
        let size = 300.0, histogram = 70.0, gapX = 70.0, gapY = 110.0, left = 72.0, top = 60.0
        let columns = min(4, max(1, panels.count)), rows = (panels.count + columns - 1) / columns
        var canvas = SVGCanvas(width: left + Double(columns) * (size + gapX) + 10,
                               height: top + Double(rows) * (size + histogram + gapY) - 20)
        canvas.text(title, x: left, y: 24, size: 15, weight: "bold")
        if let binning = panels.first?.report.binning {
            canvas.text("ECE over \(binning.description)", x: left + 0.62 * 15 * Double(title.count) + 16, y: 24, size: 12, extra: "fill=\"#444\"")
        }
        for (index, panel) in panels.enumerated() {
            let x0 = left + Double(index % columns) * (size + gapX)
            let y0 = top + Double(index / columns) * (size + histogram + gapY)
            let r = panel.report
            let area = PlotArea(left: x0, top: y0 + 20, width: size, height: size, x: 0...1, y: 0...1)
            let heading = (panel.name.isEmpty ? "" : panel.name + " · ") + String(format: "ECE = %.4f · n = %@", r.ece, CSVNumber.format(r.n))
            canvas.text(heading, x: x0, y: y0 + 12, size: 12.5, weight: "bold")
            for bin in r.bins where bin.count > 0 {
                // Equal-mass bins can be very narrow: keep each bar visible.
                let lower = bin.lower, upper = max(bin.upper, bin.lower + 0.008)
                let barX = area.px(lower), barWidth = max(1, area.px(upper) - barX)
                canvas.rect(x: barX, y: area.py(bin.accuracy), width: barWidth, height: area.bottom - area.py(bin.accuracy),
                            fill: "#0072B2", extra: "fill-opacity=\"0.75\" stroke=\"#fff\" stroke-width=\"0.5\" class=\"bar\"")
                let gapTop = max(bin.accuracy, bin.meanConfidence), gapBottom = min(bin.accuracy, bin.meanConfidence)
                canvas.rect(x: barX, y: area.py(gapTop), width: barWidth, height: area.py(gapBottom) - area.py(gapTop),
                            fill: "#D55E00", extra: "fill-opacity=\"0.35\" stroke=\"#D55E00\" stroke-width=\"0.6\" class=\"gap\"")
                canvas.line(barX, area.py(bin.meanConfidence), barX + barWidth, area.py(bin.meanConfidence), stroke: "#D55E00", width: 1.5)
            }
            canvas.line(area.px(0), area.py(0), area.px(1), area.py(1), stroke: "#555", width: 1.2, extra: "stroke-dasharray=\"5 4\"")
            area.drawAxes(&canvas, xLabel: "", yLabel: index % columns == 0 ? "accuracy" : nil, xTicks: 5, yTicks: 5)
            // Counts beneath, on their own axis.
            let largest = r.bins.map(\.count).max() ?? 1
            let counts = PlotArea(left: x0, top: area.bottom + 28, width: size, height: histogram, x: 0...1, y: 0...max(1, largest * 1.15))
            for bin in r.bins where bin.count > 0 {
                let upper = max(bin.upper, bin.lower + 0.008)
                canvas.rect(x: counts.px(bin.lower), y: counts.py(bin.count), width: max(1, counts.px(upper) - counts.px(bin.lower)),
                            height: counts.bottom - counts.py(bin.count), fill: "#777", extra: "stroke=\"#fff\" stroke-width=\"0.5\" class=\"count\"")
            }
            counts.drawAxes(&canvas, xLabel: "confidence", yLabel: nil, xTicks: 5, yTicks: 2)
            if index % columns == 0 { canvas.text("count", x: x0 - 52, y: counts.top + histogram / 2, size: 12, anchor: "middle", rotate: -90) }
        }
        // One legend for all panels.
        let ly = 42.0
        canvas.rect(x: left, y: ly - 9, width: 14, height: 10, fill: "#0072B2", extra: "fill-opacity=\"0.75\"")
        canvas.text("accuracy", x: left + 18, y: ly, size: 11)
        canvas.rect(x: left + 90, y: ly - 9, width: 14, height: 10, fill: "#D55E00", extra: "fill-opacity=\"0.35\" stroke=\"#D55E00\"")
        canvas.text("gap to mean confidence", x: left + 108, y: ly, size: 11)
        canvas.line(left + 258, ly - 4, left + 282, ly - 4, stroke: "#555", width: 1.2, extra: "stroke-dasharray=\"5 4\"")
        canvas.text("perfect calibration", x: left + 288, y: ly, size: 11)
        return canvas.render()
    }
}
