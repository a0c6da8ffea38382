import Foundation

/// A table of values drawn as coloured cells: one row per robot policy and one column per human
/// policy (or any two labelled factors), the value printed in each cell on a diverging scale
/// centred at 0, and chosen cells (the optimum) outlined.
///
/// Columns that measure different things (a correct robot's reward beside the expected reward)
/// can each get their own colour scale (`scaleGroups`); the subtitle should say so. Text is dark
/// or light by the cell's luminance, so a zero on a near-white cell stays readable; every cell
/// has a grey border, so pale cells stand out from the page; headers wrap to the cell width.
package struct PolicyValueGrid {
    package var title: String
    package var subtitle: String
    package var rowLabels: [String]
    package var columnLabels: [String]
    /// values[row][column].
    package var values: [[Double]]
    package var outlined: Set<[Int]>
    /// Sets of column indices that share a colour scale; a column in none shares the global one.
    package var scaleGroups: [[Int]]

    package init(title: String, subtitle: String, rowLabels: [String], columnLabels: [String], values: [[Double]], outlined: Set<[Int]>,
                scaleGroups: [[Int]] = []) {
        self.title = title
        self.subtitle = subtitle
        self.rowLabels = rowLabels
        self.columnLabels = columnLabels
        self.values = values
        self.outlined = outlined
        self.scaleGroups = scaleGroups
    }

    package func render() -> String {
        let headerSize = 10.5
        // Cells wide enough for the longest word of any header and for every value.
        let widestWord = columnLabels.flatMap { $0.split(separator: " ").map { SVGCanvas.estimatedWidth(String($0), size: headerSize) } }.max() ?? 0
        let cellWidth = max(86, widestWord + 12), cellHeight = 24.0
        let headers = columnLabels.map { SVGCanvas.wrap($0, size: headerSize, width: cellWidth - 8) }
        let headerLines = Double(headers.map(\.count).max() ?? 1)
        let left = 24 + (rowLabels.map { SVGCanvas.estimatedWidth($0, size: 10.5) }.max() ?? 0)
        let top = 62 + 14 * headerLines
        let width = max(left + Double(columnLabels.count) * cellWidth + 20, SVGCanvas.estimatedWidth(title, size: 15, bold: true) + 40,
                        SVGCanvas.estimatedWidth(subtitle, size: 12) + 40)
        var canvas = SVGCanvas(width: width, height: top + Double(rowLabels.count) * cellHeight + 30)
        canvas.text(title, x: 16, y: 24, size: 15, weight: "bold")
        canvas.text(subtitle, x: 16, y: 44, size: 12, extra: "fill=\"#444\"")
        let grouped = Set(scaleGroups.flatMap { $0 })
        let global = TwoSlopeScale(values: columnLabels.indices.filter { !grouped.contains($0) }.flatMap { c in values.map { $0[c] } })
        var scales = [TwoSlopeScale](repeating: global, count: columnLabels.count)
        for group in scaleGroups {
            let scale = TwoSlopeScale(values: group.flatMap { c in values.map { $0[c] } })
            for c in group { scales[c] = scale }
        }
        for (c, lines) in headers.enumerated() {
            for (k, line) in lines.enumerated() {
                let y = top - 10 - 14 * (Double(lines.count - 1 - k))
                canvas.text(line, x: left + (Double(c) + 0.5) * cellWidth, y: y, size: headerSize, anchor: "middle")
            }
        }
        for (r, label) in rowLabels.enumerated() {
            let y = top + Double(r) * cellHeight
            canvas.text(label, x: left - 8, y: y + cellHeight / 2 + 4, size: 10.5, anchor: "end")
            for c in columnLabels.indices {
                let x = left + Double(c) * cellWidth, v = values[r][c]
                let fill = ColorMap.diverging(scales[c].normalized(v))
                canvas.rect(x: x, y: y, width: cellWidth, height: cellHeight, fill: fill, extra: "stroke=\"#bbb\" stroke-width=\"1\" class=\"cell\"")
                canvas.text(CSVNumber.format((v * 1000).rounded() / 1000), x: x + cellWidth / 2, y: y + cellHeight / 2 + 4, size: 10.5, anchor: "middle",
                            extra: ColorMap.needsLightText(fill) ? "fill=\"#fff\"" : "fill=\"#111\"")
            }
        }
        // Outlines last, so no neighbouring cell's border covers them.
        for cell in outlined.sorted(by: { $0.lexicographicallyPrecedes($1) }) where cell.count == 2 {
            canvas.rect(x: left + Double(cell[1]) * cellWidth, y: top + Double(cell[0]) * cellHeight, width: cellWidth, height: cellHeight,
                        fill: "none", extra: "stroke=\"#000\" stroke-width=\"2.5\" class=\"outline\"")
        }
        return canvas.render()
    }
}
