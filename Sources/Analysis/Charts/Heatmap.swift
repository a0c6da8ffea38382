import Foundation

/// A heatmap of a signed quantity over a grid, optionally in several panels (small multiples)
/// sharing one colour scale. Cells may carry a category (e.g. the best action); boundaries
/// between categories are drawn as solid lines and each region is labelled. Curves in data
/// coordinates (e.g. an exact boundary) are overlaid dashed.
package struct Heatmap {
    /// One panel: values row-major with x varying fastest (`values[iy * xValues.count + ix]`).
    package struct Panel {
        package var title: String
        package var values: [Double]
        package var categories: [String]?
        package var overlay: [(Double, Double, Double, Double)]
        package init(title: String, values: [Double], categories: [String]? = nil, overlay: [(Double, Double, Double, Double)] = []) {
            self.title = title
            self.values = values
            self.categories = categories
            self.overlay = overlay
        }
    }

    package var title: String
    /// A second, smaller heading line (what was held fixed, the models), or empty.
    package var subtitle: String
    package var xLabel: String
    package var yLabel: String
    package var colorLabel: String
    package var overlayLabel: String?
    package var xValues: [Double]
    package var yValues: [Double]
    package var panels: [Panel]

    package init(title: String, subtitle: String = "", xLabel: String, yLabel: String, colorLabel: String, overlayLabel: String? = nil,
                xValues: [Double], yValues: [Double], panels: [Panel]) {
        self.title = title
        self.subtitle = subtitle
        self.xLabel = xLabel
        self.yLabel = yLabel
        self.colorLabel = colorLabel
        self.overlayLabel = overlayLabel
        self.xValues = xValues
        self.yValues = yValues
        self.panels = panels
    }

    /// Cell edges: midpoints between sorted values, the ends extended by half a step.
    static func edges(_ values: [Double]) -> [Double] {
        guard values.count > 1 else {
            let v = values.first ?? 0
            let half = v == 0 ? 0.5 : abs(v) * 0.5
            return [v - half, v + half]
        }
        var edges = [values[0] - (values[1] - values[0]) / 2]
        for i in 0..<(values.count - 1) { edges.append((values[i] + values[i + 1]) / 2) }
        edges.append(values[values.count - 1] + (values[values.count - 1] - values[values.count - 2]) / 2)
        return edges
    }

    /// The SVG document.
    package func render() -> String {
        let plotWidth = 340.0, plotHeight = 300.0, left = 72.0, top = 74.0, gap = 56.0, bottom = 58.0
        let colorBarWidth = 16.0, right = 110.0
        // Wide enough for the panels and for the headings (about 0.6 em per character).
        let panelsWidth = left + Double(panels.count) * plotWidth + Double(panels.count - 1) * gap + 24 + colorBarWidth + right
        let width = max(panelsWidth, left + 24 + max(SVGCanvas.estimatedWidth(title, size: 15, bold: true), SVGCanvas.estimatedWidth(subtitle, size: 13)),
                        left + 60 + SVGCanvas.estimatedWidth((overlayLabel ?? "") + "best-action regions", size: 12) + 90)
        let height = top + plotHeight + bottom + 18
        var canvas = SVGCanvas(width: width, height: height)
        let scale = TwoSlopeScale(values: panels.flatMap(\.values))
        let xEdges = Self.edges(xValues), yEdges = Self.edges(yValues)
        let xRange = min(xEdges.first!, xEdges.last!)...max(xEdges.first!, xEdges.last!)
        let yRange = min(yEdges.first!, yEdges.last!)...max(yEdges.first!, yEdges.last!)
        canvas.text(title, x: left, y: 22, size: 15, weight: "bold")
        if !subtitle.isEmpty { canvas.text(subtitle, x: left, y: 40, size: 13, extra: "fill=\"#444\"") }

        var drewBoundaries = false, drewOverlay = false
        for (p, panel) in panels.enumerated() {
            let x0 = left + Double(p) * (plotWidth + gap)
            let area = PlotArea(left: x0, top: top, width: plotWidth, height: plotHeight, x: xRange, y: yRange)
            let px = area.px, py = area.py
            canvas.text(panel.title, x: x0 + plotWidth / 2, y: top - 8, size: 13, anchor: "middle")
            // Cells, with runs of equal colour along a row merged into one rectangle; crisp edges
            // keep renderers from anti-aliasing seams between neighbouring cells.
            canvas.raw("<g shape-rendering=\"crispEdges\">")
            let nx = xValues.count
            let colors = panel.values.map { ColorMap.diverging(scale.normalized($0)) }
            for iy in 0..<yValues.count {
                var ix = 0
                while ix < nx {
                    let color = colors[iy * nx + ix]
                    var end = ix + 1
                    while end < nx && colors[iy * nx + end] == color { end += 1 }
                    let xa = px(xEdges[ix]), xb = px(xEdges[end]), ya = py(yEdges[iy]), yb = py(yEdges[iy + 1])
                    // Overlap by a hair so anti-aliasing leaves no seams between cells.
                    canvas.rect(x: min(xa, xb), y: min(ya, yb), width: abs(xb - xa) + 0.3, height: abs(yb - ya) + 0.3, fill: color)
                    ix = end
                }
            }
            canvas.raw("</g>")
            if let categories = panel.categories, drawRegions(categories, canvas: &canvas, px: px, py: py, xEdges: xEdges, yEdges: yEdges) { drewBoundaries = true }
            // The exact curve as joined polylines (one path per curve, so its dashes run on), on a
            // white halo so it stays visible where it runs along a region boundary.
            let overlay = Contour.chains(panel.overlay.map { (px($0.0), py($0.1), px($0.2), py($0.3)) }, tolerance: 1e-6).map { $0 }
            if overlay.contains(where: { $0.count > 1 }) { drewOverlay = true }
            canvas.paths(overlay, stroke: "#fff", width: 4, extra: "stroke-linecap=\"round\" opacity=\"0.8\"")
            canvas.paths(overlay, stroke: "#000", width: 2, extra: "stroke-dasharray=\"6 4\" class=\"overlay\"")
            area.drawAxes(&canvas, xLabel: xLabel, yLabel: p == 0 ? yLabel : nil)
        }
        // Colour bar: linear on each side of zero, matching the two-slope scale.
        func barY(_ v: Double) -> Double { top + plotHeight * (1 - (scale.normalized(v) + 1) / 2) }
        let barX = left + Double(panels.count) * plotWidth + Double(panels.count - 1) * gap + 24
        let steps = 120
        for k in 0..<steps {
            let t = 1 - 2 * (Double(k) + 0.5) / Double(steps)
            canvas.rect(x: barX, y: top + plotHeight * Double(k) / Double(steps), width: colorBarWidth,
                        height: plotHeight / Double(steps) + 0.3, fill: ColorMap.diverging(t))
        }
        canvas.rect(x: barX, y: top, width: colorBarWidth, height: plotHeight, fill: "none", stroke: "#333")
        // Each side of zero has its own slope, so each gets its own ticks, and its end is labelled
        // when no tick lies near it (a side too short for a nice tick still shows its range).
        var ticks = [0.0]
        for (low, high) in [(0.0, scale.maximum), (scale.minimum, 0.0)] where high > low {
            let side = AxisTicks.nice(from: low, to: high, target: 3).filter { $0 != 0 }
            ticks += side
            let end = low == 0 ? high : low
            if !side.contains(where: { abs(barY($0) - barY(end)) < 14 }) { ticks.append(end) }
        }
        for t in ticks {
            canvas.line(barX + colorBarWidth, barY(t), barX + colorBarWidth + 4, barY(t), stroke: "#333")
            canvas.text(AxisTicks.label(t), x: barX + colorBarWidth + 7, y: barY(t) + 4, size: 11)
        }
        canvas.text(colorLabel, x: barX + colorBarWidth + 62, y: top + plotHeight / 2, size: 12, anchor: "middle", rotate: 90)
        // The legend names only the lines that were drawn.
        var legendX = left
        let legendY = top + plotHeight + bottom + 6
        if let overlayLabel, drewOverlay {
            canvas.line(legendX, legendY - 4, legendX + 28, legendY - 4, stroke: "#000", width: 2, extra: "stroke-dasharray=\"6 4\"")
            canvas.text(overlayLabel, x: legendX + 34, y: legendY, size: 12)
            legendX += 34 + SVGCanvas.estimatedWidth(overlayLabel, size: 12) + 24
        }
        if drewBoundaries {
            canvas.line(legendX, legendY - 4, legendX + 28, legendY - 4, stroke: "#444", width: 0.9)
            canvas.text("best-action regions", x: legendX + 34, y: legendY, size: 12)
        }
        return canvas.render()
    }

    /// Solid lines between cells of different categories, and a label inside each region at
    /// the cell farthest from any other region (a breadth-first distance transform).
    /// Returns whether any boundary was drawn.
    private func drawRegions(_ categories: [String], canvas: inout SVGCanvas, px: (Double) -> Double, py: (Double) -> Double,
                             xEdges: [Double], yEdges: [Double]) -> Bool {
        let nx = xValues.count, ny = yValues.count
        var boundary: [(Double, Double, Double, Double)] = []
        var distance = [Int](repeating: Int.max, count: nx * ny)
        var queue: [Int] = []
        for iy in 0..<ny {
            for ix in 0..<nx {
                let c = categories[iy * nx + ix]
                var onEdge = false
                if ix + 1 < nx, categories[iy * nx + ix + 1] != c {
                    boundary.append((px(xEdges[ix + 1]), py(yEdges[iy]), px(xEdges[ix + 1]), py(yEdges[iy + 1])))
                    onEdge = true
                }
                if iy + 1 < ny, categories[(iy + 1) * nx + ix] != c {
                    boundary.append((px(xEdges[ix]), py(yEdges[iy + 1]), px(xEdges[ix + 1]), py(yEdges[iy + 1])))
                    onEdge = true
                }
                if ix > 0, categories[iy * nx + ix - 1] != c { onEdge = true }
                if iy > 0, categories[(iy - 1) * nx + ix] != c { onEdge = true }
                if onEdge { distance[iy * nx + ix] = 0; queue.append(iy * nx + ix) }
            }
        }
        canvas.segments(boundary, stroke: "#444", width: 0.9)
        var head = 0
        while head < queue.count {
            let cell = queue[head]; head += 1
            let ix = cell % nx, iy = cell / nx
            for (dx, dy) in [(1, 0), (-1, 0), (0, 1), (0, -1)] {
                let jx = ix + dx, jy = iy + dy
                guard jx >= 0, jx < nx, jy >= 0, jy < ny else { continue }
                let next = jy * nx + jx
                if distance[next] == Int.max { distance[next] = distance[cell] + 1; queue.append(next) }
            }
        }
        var best: [String: (cell: Int, score: Int)] = [:]
        for cell in 0..<(nx * ny) {
            let ix = cell % nx, iy = cell / nx
            // Prefer cells far from other regions and from the plot's edge.
            let edge = min(ix, iy, nx - 1 - ix, ny - 1 - iy) + 1
            let score = min(distance[cell] == Int.max ? nx + ny : distance[cell], edge)
            if score > (best[categories[cell]]?.score ?? -1) { best[categories[cell]] = (cell, score) }
        }
        for (name, place) in best.sorted(by: { $0.key < $1.key }) {
            let count = categories.lazy.filter { $0 == name }.count
            guard count * 200 >= nx * ny else { continue }   // too small a region to label legibly
            let ix = place.cell % nx, iy = place.cell / nx
            let x = px((xEdges[ix] + xEdges[ix + 1]) / 2), y = py((yEdges[iy] + yEdges[iy + 1]) / 2)
            canvas.text(name, x: x, y: y + 5, size: 15, anchor: "middle", weight: "bold",
                        extra: "fill=\"#111\" stroke=\"#fff\" stroke-width=\"3\" paint-order=\"stroke\"")
        }
        return !boundary.isEmpty
    }
}
