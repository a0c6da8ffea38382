import Foundation

/// Reliability diagrams: per bin, a bar whose height is the bin's accuracy, against the diagonal
/// of perfect calibration; the gap between accuracy and mean confidence hatched on top of it (so
/// the bar's own top stays visible whichever way the gap goes) with the mean confidence as a
/// line; and a histogram of counts beneath. One panel per report (per iteration, per model),
/// with ECE and n in each panel's heading.
package struct ReliabilityDiagram {
    package var title: String
    package var panels: [(name: String, report: CalibrationReport)]

    package init(title: String, panels: [(name: String, report: CalibrationReport)]) {
        self.title = title
        self.panels = panels
    }

    static let barColor = "#0072B2", gapColor = "#D55E00"

    package func render() -> String {
        let size = 300.0, histogram = 70.0, gapX = 70.0, gapY = 110.0, left = 72.0
        let columns = min(4, max(1, panels.count)), rows = (panels.count + columns - 1) / columns
        let width = max(left + Double(columns) * (size + gapX) + 10, left + SVGCanvas.estimatedWidth(title, size: 15, bold: true) + 20, 560)
        // The header: title, the binning, then the legend, each on its own line so none runs off the canvas.
        let subtitle = panels.first.map { "ECE over \($0.report.binning.description); bar height = the bin's accuracy" } ?? ""
        let legend: [(String, (inout SVGCanvas, Double, Double) -> Void)] = [
            ("accuracy (bar)", { c, x, y in c.rect(x: x, y: y - 9, width: 14, height: 10, fill: Self.barColor, extra: "fill-opacity=\"0.75\"") }),
            ("gap to mean confidence (hatched)", { c, x, y in
                c.rect(x: x, y: y - 9, width: 14, height: 10, fill: "url(#gap-hatch)", extra: "stroke=\"\(Self.gapColor)\" stroke-width=\"0.8\"") }),
            ("mean confidence", { c, x, y in c.line(x, y - 4, x + 14, y - 4, stroke: Self.gapColor, width: 2) }),
            ("perfect calibration", { c, x, y in c.line(x, y - 4, x + 24, y - 4, stroke: "#555", width: 1.2, extra: "stroke-dasharray=\"5 4\"") }),
        ]
        var legendRows: [[(String, (inout SVGCanvas, Double, Double) -> Void, Double)]] = [[]]
        var rowWidth = 0.0
        for (label, swatch) in legend {
            let w = 48 + SVGCanvas.estimatedWidth(label, size: 11)
            if rowWidth + w > width - left - 10, !legendRows[legendRows.count - 1].isEmpty { legendRows.append([]); rowWidth = 0 }
            legendRows[legendRows.count - 1].append((label, swatch, rowWidth))
            rowWidth += w
        }
        let top = 62 + 16 * Double(legendRows.count)
        var canvas = SVGCanvas(width: width, height: top + Double(rows) * (size + histogram + gapY) - 20)
        canvas.raw("<defs><pattern id=\"gap-hatch\" width=\"5\" height=\"5\" patternUnits=\"userSpaceOnUse\" patternTransform=\"rotate(45)\">"
                   + "<line x1=\"0\" y1=\"0\" x2=\"0\" y2=\"5\" stroke=\"\(Self.gapColor)\" stroke-width=\"2\"/></pattern></defs>")
        canvas.text(title, x: left, y: 24, size: 15, weight: "bold")
        canvas.text(subtitle, x: left, y: 42, size: 12, extra: "fill=\"#444\"")
        for (r, row) in legendRows.enumerated() {
            let y = 60 + 16 * Double(r)
            for (label, swatch, offset) in row {
                swatch(&canvas, left + offset, y)
                canvas.text(label, x: left + offset + 30, y: y, size: 11)
            }
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
                            fill: Self.barColor, extra: "fill-opacity=\"0.75\" stroke=\"#fff\" stroke-width=\"0.5\" class=\"bar\" data-accuracy=\"\(bin.accuracy)\"")
                let gapTop = max(bin.accuracy, bin.meanConfidence), gapBottom = min(bin.accuracy, bin.meanConfidence)
                if gapTop > gapBottom {
                    canvas.rect(x: barX, y: area.py(gapTop), width: barWidth, height: area.py(gapBottom) - area.py(gapTop),
                                fill: "url(#gap-hatch)", extra: "stroke=\"\(Self.gapColor)\" stroke-width=\"0.6\" class=\"gap\"")
                }
                canvas.line(barX, area.py(bin.meanConfidence), barX + barWidth, area.py(bin.meanConfidence), stroke: Self.gapColor, width: 2)
            }
            canvas.line(area.px(0), area.py(0), area.px(1), area.py(1), stroke: "#555", width: 1.2, extra: "stroke-dasharray=\"5 4\"")
            area.drawAxes(&canvas, xLabel: "", yLabel: index % columns == 0 ? "accuracy" : nil, xTicks: 5, yTicks: 5)
            // Counts beneath, on their own axis.
            // The count axis ends on a nice tick above the largest bin, so it is always labelled.
            let largest = max(1, r.bins.map(\.count).max() ?? 1)
            let ticks = AxisTicks.nice(from: 0, to: 2 * largest, target: 4)
            let step = ticks.count > 1 ? ticks[1] - ticks[0] : largest
            let counts = PlotArea(left: x0, top: area.bottom + 28, width: size, height: histogram, x: 0...1,
                                  y: 0...(Foundation.ceil(largest * 1.05 / step) * step))
            for bin in r.bins where bin.count > 0 {
                let upper = max(bin.upper, bin.lower + 0.008)
                canvas.rect(x: counts.px(bin.lower), y: counts.py(bin.count), width: max(1, counts.px(upper) - counts.px(bin.lower)),
                            height: counts.bottom - counts.py(bin.count), fill: "#777", extra: "stroke=\"#fff\" stroke-width=\"0.5\" class=\"count\"")
            }
            counts.drawAxes(&canvas, xLabel: "confidence", yLabel: nil, xTicks: 5, yTicks: 2)
            if index % columns == 0 { canvas.text("count", x: x0 - 52, y: counts.top + histogram / 2, size: 12, anchor: "middle", rotate: -90) }
        }
        return canvas.render()
    }
}
