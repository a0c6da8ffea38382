import Foundation

/// A gridworld drawn as SVG: one square per cell (walls dark, special cells coloured and
/// lettered) and one path per learner, offset slightly so overlapping paths stay visible.
public struct GridworldDrawing {
    public var title: String
    /// Rows of cell letters ("#", " ", and letters for special cells).
    public var rows: [String]
    /// Per path: a name and its cells as (row, column).
    public var paths: [(name: String, cells: [(Int, Int)])]

    public init(title: String, rows: [String], paths: [(name: String, cells: [(Int, Int)])]) {
        self.title = title
        self.rows = rows
        self.paths = paths
    }

    static let fills: [Character: String] = ["#": "#444", " ": "#f4f4f4", "A": "#cfe8ff", "G": "#c8f0c8", "I": "#ffd2a8", "B": "#f3c6f3"]
    static let colors = ["#0072B2", "#D55E00", "#009E73", "#CC79A7"]

    public func render() -> String {
        let size = 48.0, left = 20.0, top = 50.0
        let width = Double(rows.map(\.count).max() ?? 0) * size
        var canvas = SVGCanvas(width: max(left * 2 + width + 260, left * 2 + 8.6 * Double(title.count)), height: top + Double(rows.count) * size + 30)
        canvas.text(title, x: left, y: 26, size: 15, weight: "bold")
        for (r, row) in rows.enumerated() {
            for (c, ch) in row.enumerated() {
                let x = left + Double(c) * size, y = top + Double(r) * size
                canvas.rect(x: x, y: y, width: size, height: size, fill: Self.fills[ch] ?? "#fff", extra: "stroke=\"#fff\" stroke-width=\"1\"")
                if ch != "#" && ch != " " { canvas.text(String(ch), x: x + size / 2, y: y + size / 2 + 6, size: 18, anchor: "middle", weight: "bold") }
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
        return canvas.render()
    }
}
