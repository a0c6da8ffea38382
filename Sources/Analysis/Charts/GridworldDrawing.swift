import Foundation

/// A gridworld drawn as SVG: one square per cell (walls dark, special cells coloured and
/// lettered in their top-left corner, clear of the paths through the centres) and one path
/// per learner, offset slightly so overlapping paths stay visible.
package struct GridworldDrawing {
    package var title: String
    /// Rows of cell letters ("#", " ", and letters for special cells).
    package var rows: [String]
    /// Per path: a name and its cells as (row, column).
    package var paths: [(name: String, cells: [(Int, Int)])]

    package init(title: String, rows: [String], paths: [(name: String, cells: [(Int, Int)])]) {
        self.title = title
        self.rows = rows
        self.paths = paths
    }

    static let fills: [Character: String] = ["#": "#444", " ": "#f4f4f4", "A": "#cfe8ff", "G": "#c8f0c8", "I": "#ffd2a8", "B": "#f3c6f3"]
    static let colors = ["#0072B2", "#D55E00", "#009E73", "#CC79A7"]
    static let cellNames: [(Character, String)] = [("A", "agent's start"), ("G", "goal"), ("I", "interruption tile"), ("B", "button that disables interruption")]

    package func render() -> String {
        let size = 48.0, left = 20.0, top = 50.0
        let width = Double(rows.map(\.count).max() ?? 0) * size
        let legendWidth = 60 + (paths.map { SVGCanvas.estimatedWidth($0.name, size: 12) } + Self.cellNames.map { SVGCanvas.estimatedWidth($0.1, size: 12) }).max()!
        var canvas = SVGCanvas(width: max(left * 2 + width + legendWidth, left * 2 + SVGCanvas.estimatedWidth(title, size: 15, bold: true)),
                               height: top + max(Double(rows.count) * size, Double(paths.count + Self.cellNames.count + 1) * 22) + 30)
        canvas.text(title, x: left, y: 26, size: 15, weight: "bold")
        for (r, row) in rows.enumerated() {
            for (c, ch) in row.enumerated() {
                let x = left + Double(c) * size, y = top + Double(r) * size
                canvas.rect(x: x, y: y, width: size, height: size, fill: Self.fills[ch] ?? "#fff", extra: "stroke=\"#fff\" stroke-width=\"1\"")
            }
        }
        for (k, path) in paths.enumerated() {
            let offset = (Double(k) - Double(paths.count - 1) / 2) * 6
            let color = Self.colors[k % Self.colors.count]
            canvas.polyline(path.cells.map { (left + (Double($0.1) + 0.5) * size + offset, top + (Double($0.0) + 0.5) * size + offset) },
                            stroke: color, width: 3, extra: "stroke-linejoin=\"round\" class=\"path\"")
            let y = top + 14 + Double(k) * 22
            canvas.line(left + width + 20, y - 4, left + width + 44, y - 4, stroke: color, width: 3)
            canvas.text(path.name, x: left + width + 52, y: y, size: 12)
        }
        // Letters last, in the corners, on a white halo: no path runs through them.
        for (r, row) in rows.enumerated() {
            for (c, ch) in row.enumerated() where ch != "#" && ch != " " {
                canvas.text(String(ch), x: left + Double(c) * size + 5, y: top + Double(r) * size + 16, size: 14, weight: "bold",
                            extra: "stroke=\"#fff\" stroke-width=\"3\" paint-order=\"stroke\"")
            }
        }
        let present = Set(rows.joined())
        for (k, (letter, name)) in Self.cellNames.filter({ present.contains($0.0) }).enumerated() {
            let y = top + 14 + Double(paths.count + 1 + k) * 22
            canvas.rect(x: left + width + 20, y: y - 12, width: 24, height: 16, fill: Self.fills[letter] ?? "#fff", extra: "stroke=\"#999\"")
            canvas.text(String(letter), x: left + width + 27, y: y + 1, size: 12, weight: "bold")
            canvas.text(name, x: left + width + 52, y: y, size: 12)
        }
        return canvas.render()
    }
}
