import Foundation

/// A forest plot: one row per item (a study's arm) and, in each panel, a dot at the item's
/// estimate with a whisker over its interval, beside a reference line (no change). The panels
/// share the rows, so a reader follows an arm across endpoints. A filled dot marks an estimate
/// the caller flags (a test that rejects); a hollow one, the rest.
package struct ForestPlot {
    /// One row's estimate in one panel; `interval` nil when there is none (one seed).
    package struct Estimate: Equatable {
        package var value: Double
        package var interval: ClosedRange<Double>?
        package var flagged: Bool

        package init(value: Double, interval: ClosedRange<Double>?, flagged: Bool) {
            self.value = value
            self.interval = interval
            self.flagged = flagged
        }
    }

    package struct Panel {
        package var title: String
        package var xLabel: String
        /// One per row, in the rows' order; nil where the row has no estimate.
        package var estimates: [Estimate?]

        package init(title: String, xLabel: String, estimates: [Estimate?]) {
            self.title = title
            self.xLabel = xLabel
            self.estimates = estimates
        }
    }

    package var title: String
    package var subtitle: String
    package var rows: [String]
    package var panels: [Panel]
    /// Rows before which a separating rule is drawn (where a group of rows begins).
    package var separators: Set<Int>
    /// What a filled dot means, for the legend ("Holm-adjusted p < 0.05").
    package var flagLabel: String
    /// What the whiskers are, for the legend.
    package var intervalLabel: String
    /// The reference value drawn as a vertical line in every panel.
    package var reference: Double

    package init(title: String, subtitle: String = "", rows: [String], panels: [Panel], separators: Set<Int> = [],
                flagLabel: String, intervalLabel: String, reference: Double = 0) {
        self.title = title
        self.subtitle = subtitle
        self.rows = rows
        self.panels = panels
        self.separators = separators
        self.flagLabel = flagLabel
        self.intervalLabel = intervalLabel
        self.reference = reference
    }

    static let rowHeight = 20.0, panelWidth = 250.0, panelGap = 30.0, colour = "#0072B2"

    /// The x range a panel shows: every estimate, interval end and the reference, with 5% margins.
    static func range(of panel: Panel, reference: Double) -> ClosedRange<Double> {
        let values = panel.estimates.compactMap { $0 }.flatMap { [$0.value] + ($0.interval.map { [$0.lowerBound, $0.upperBound] } ?? []) } + [reference]
        let finite = values.filter(\.isFinite)
        let low = finite.min() ?? 0, high = finite.max() ?? 1
        let pad = max(high - low, 1e-9) * 0.05
        return (low - pad)...(high + pad)
    }

    package func render() -> String {
        let labelWidth = (rows.map { SVGCanvas.estimatedWidth($0, size: 12) }.max() ?? 0) + 24
        let width = max(labelWidth + Double(panels.count) * (Self.panelWidth + Self.panelGap) + 10, 700)
        let lines = SVGCanvas.wrap(subtitle, size: 12, width: width - 20)
        let top = 44 + 16 * Double(lines.count) + 26
        let height = Double(rows.count) * Self.rowHeight
        var canvas = SVGCanvas(width: width, height: top + height + 90)
        canvas.text(title, x: 10, y: 24, size: 15, weight: "bold")
        for (k, line) in lines.enumerated() { canvas.text(line, x: 10, y: 42 + 16 * Double(k), size: 12, extra: "fill=\"#444\"") }
        func rowY(_ i: Int) -> Double { top + (Double(i) + 0.5) * Self.rowHeight }
        for (i, row) in rows.enumerated() {
            canvas.text(row, x: labelWidth - 10, y: rowY(i) + 4, size: 12, anchor: "end")
        }
        for (p, panel) in panels.enumerated() {
            let left = labelWidth + Double(p) * (Self.panelWidth + Self.panelGap)
            let area = PlotArea(left: left, top: top, width: Self.panelWidth, height: height,
                                x: Self.range(of: panel, reference: reference), y: 0...1)
            canvas.text(panel.title, x: left + Self.panelWidth / 2, y: top - 10, size: 13, anchor: "middle", weight: "bold")
            area.drawAxes(&canvas, xLabel: panel.xLabel, yLabel: nil, xTicks: 5, yTicks: 0, grid: true)
            for i in separators.sorted() where i > 0 && i < rows.count {
                let y = top + Double(i) * Self.rowHeight
                canvas.line(left, y, left + Self.panelWidth, y, stroke: "#999")
            }
            let x0 = area.px(reference)
            canvas.line(x0, top, x0, top + height, stroke: "#333", width: 1, extra: "stroke-dasharray=\"4 3\" class=\"reference\"")
            for (i, estimate) in panel.estimates.enumerated() where i < rows.count {
                guard let estimate, estimate.value.isFinite else { continue }
                let y = rowY(i)
                if let interval = estimate.interval {
                    canvas.line(area.px(interval.lowerBound), y, area.px(interval.upperBound), y, stroke: Self.colour, width: 2, extra: "class=\"whisker\"")
                }
                let fill = estimate.flagged ? Self.colour : "#fff"
                canvas.raw("<circle cx=\"\(SVGCanvas.n(area.px(estimate.value)))\" cy=\"\(SVGCanvas.n(y))\" r=\"4\" fill=\"\(fill)\" stroke=\"\(Self.colour)\" stroke-width=\"1.5\" class=\"\(estimate.flagged ? "flagged" : "estimate")\"/>")
            }
        }
        // The legend, under the panels.
        let ly = top + height + 68
        canvas.line(10, ly - 4, 38, ly - 4, stroke: Self.colour, width: 2)
        canvas.raw("<circle cx=\"24\" cy=\"\(SVGCanvas.n(ly - 4))\" r=\"4\" fill=\"#fff\" stroke=\"\(Self.colour)\" stroke-width=\"1.5\"/>")
        canvas.text(intervalLabel, x: 46, y: ly, size: 12)
        let next = 46 + SVGCanvas.estimatedWidth(intervalLabel, size: 12) + 30
        canvas.raw("<circle cx=\"\(SVGCanvas.n(next + 4))\" cy=\"\(SVGCanvas.n(ly - 4))\" r=\"4\" fill=\"\(Self.colour)\" stroke=\"\(Self.colour)\" stroke-width=\"1.5\"/>")
        canvas.text(flagLabel, x: next + 14, y: ly, size: 12)
        return canvas.render()
    }
}
