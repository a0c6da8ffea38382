/// A rectangle of a chart with a linear mapping from data to pixels, and its axes. Every chart
/// draws its frame, ticks and labels through this one type.
package struct PlotArea {
    /// The pixel rectangle (y grows downwards).
    package var left: Double, top: Double, width: Double, height: Double
    /// The data ranges shown.
    package var xRange: ClosedRange<Double>, yRange: ClosedRange<Double>

    package init(left: Double, top: Double, width: Double, height: Double, x: ClosedRange<Double>, y: ClosedRange<Double>) {
        self.left = left
        self.top = top
        self.width = width
        self.height = height
        // A range of zero width would divide by zero: widen it around its value.
        self.xRange = x.upperBound > x.lowerBound ? x : (x.lowerBound - 0.5)...(x.lowerBound + 0.5)
        self.yRange = y.upperBound > y.lowerBound ? y : (y.lowerBound - 0.5)...(y.lowerBound + 0.5)
    }

    package var bottom: Double { top + height }
    package var right: Double { left + width }

    package func px(_ x: Double) -> Double {
        left + (x - xRange.lowerBound) / (xRange.upperBound - xRange.lowerBound) * width
    }

    package func py(_ y: Double) -> Double {
        bottom - (y - yRange.lowerBound) / (yRange.upperBound - yRange.lowerBound) * height
    }

    /// The frame, nice ticks with labels on both axes, and the axis titles (the y title only if given).
    /// With `integerX`, x ticks fall on whole numbers only (iterations, rounds): never at 0.5.
    package func drawAxes(_ canvas: inout SVGCanvas, xLabel: String, yLabel: String?, xTicks: Int = 6, yTicks: Int = 6,
                         grid: Bool = false, integerX: Bool = false) {
        let xPositions = integerX ? AxisTicks.integers(from: xRange.lowerBound, to: xRange.upperBound, target: xTicks)
            : AxisTicks.nice(from: xRange.lowerBound, to: xRange.upperBound, target: xTicks)
        for t in xPositions {
            if grid { canvas.line(px(t), top, px(t), bottom, stroke: "#e5e5e5") }
            canvas.line(px(t), bottom, px(t), bottom + 5, stroke: "#333")
            canvas.text(AxisTicks.label(t), x: px(t), y: bottom + 18, size: 11, anchor: "middle")
        }
        for t in yTicks > 0 ? AxisTicks.nice(from: yRange.lowerBound, to: yRange.upperBound, target: yTicks) : [] {
            if grid { canvas.line(left, py(t), right, py(t), stroke: "#e5e5e5") }
            canvas.line(left - 5, py(t), left, py(t), stroke: "#333")
            canvas.text(AxisTicks.label(t), x: left - 8, y: py(t) + 4, size: 11, anchor: "end")
        }
        canvas.rect(x: left, y: top, width: width, height: height, fill: "none", stroke: "#333")
        canvas.text(xLabel, x: left + width / 2, y: bottom + 38, size: 13, anchor: "middle")
        if let yLabel { canvas.text(yLabel, x: left - 52, y: top + height / 2, size: 13, anchor: "middle", rotate: -90) }
    }
}
