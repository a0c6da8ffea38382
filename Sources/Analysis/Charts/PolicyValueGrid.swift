import Foundation

/// A table of values drawn as coloured cells: one row per robot policy and one column per human
/// policy (or any two labelled factors), the value printed in each cell on a diverging scale
/// centred at 0, and chosen cells (the optimum) outlined.
public struct PolicyValueGrid {
    public var title: String
    public var subtitle: String
    public var rowLabels: [String]
    public var columnLabels: [String]
    /// values[row][column].
    public var values: [[Double]]
    public var outlined: Set<[Int]>

    public init(title: String, subtitle: String, rowLabels: [String], columnLabels: [String], values: [[Double]], outlined: Set<[Int]>) {
        self.title = title
        self.subtitle = subtitle
        self.rowLabels = rowLabels
        self.columnLabels = columnLabels
        self.values = values
        self.outlined = outlined
    }

    public func render() -> String {
        let cellWidth = 86.0, cellHeight = 24.0
        let left = 24 + 7 * Double(rowLabels.map(\.count).max() ?? 0), top = 96.0
        let width = left + Double(columnLabels.count) * cellWidth + 20
        var canvas = SVGCanvas(width: max(width, 8.6 * Double(title.count) + 40, 6.4 * Double(subtitle.count) + 40), height: top + Double(rowLabels.count) * cellHeight + 30)
        canvas.text(title, x: 16, y: 24, size: 15, weight: "bold")
        canvas.text(subtitle, x: 16, y: 44, size: 12, extra: "fill=\"#444\"")
        let scale = TwoSlopeScale(values: values.flatMap { $0 })
        for (c, label) in columnLabels.enumerated() {
            canvas.text(label, x: left + (Double(c) + 0.5) * cellWidth, y: top - 10, size: 10.5, anchor: "middle")
        }
        for (r, label) in rowLabels.enumerated() {
            let y = top + Double(r) * cellHeight
            canvas.text(label, x: left - 8, y: y + cellHeight / 2 + 4, size: 10.5, anchor: "end")
            for c in columnLabels.indices {
                let x = left + Double(c) * cellWidth, v = values[r][c]
                let stroke = outlined.contains([r, c]) ? "stroke=\"#000\" stroke-width=\"2.5\"" : "stroke=\"#fff\" stroke-width=\"1\""
                canvas.rect(x: x, y: y, width: cellWidth, height: cellHeight, fill: ColorMap.diverging(scale.normalized(v)), extra: stroke + " class=\"cell\"")
                // Dark cells (far from the scale's centre) get white figures.
                let dark = abs(scale.normalized(v) - 0.5) > 0.35
                canvas.text(CSVNumber.format((v * 1000).rounded() / 1000), x: x + cellWidth / 2, y: y + cellHeight / 2 + 4, size: 10.5, anchor: "middle",
                            extra: dark ? "fill=\"#fff\"" : "")
            }
        }
        return canvas.render()
    }
}
