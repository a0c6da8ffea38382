import Foundation
#if canImport(FoundationXML)
import FoundationXML
#endif
import Testing
@testable import SafetyKitAnalysis
@testable import SafetyKitGames

/// Parses SVG as XML and collects element names, attributes and text.
final class SVGProbe: NSObject, XMLParserDelegate {
    var elements: [String: Int] = [:]
    var texts: [String] = []
    /// Every element's name and attributes, in document order.
    var nodes: [(name: String, attributes: [String: String])] = []
    /// Each text element's attributes and content.
    var textNodes: [(attributes: [String: String], text: String)] = []
    private var current = "", currentAttributes: [String: String] = [:]
    func parser(_ parser: XMLParser, didStartElement name: String, namespaceURI: String?, qualifiedName: String?, attributes: [String: String] = [:]) {
        elements[name, default: 0] += 1
        nodes.append((name, attributes))
        current = ""
        currentAttributes = attributes
    }
    func parser(_ parser: XMLParser, foundCharacters string: String) { current += string }
    func parser(_ parser: XMLParser, didEndElement name: String, namespaceURI: String?, qualifiedName: String?) {
        if name == "text" { texts.append(current); textNodes.append((currentAttributes, current)) }
    }

    /// The canvas size from the root element.
    var canvas: (width: Double, height: Double) {
        let root = nodes.first { $0.name == "svg" }?.attributes ?? [:]
        return (Double(root["width"] ?? "") ?? 0, Double(root["height"] ?? "") ?? 0)
    }

    /// Text elements whose estimated extent leaves the canvas (unrotated text only; rotated
    /// axis titles are checked by their anchor point).
    var textsOutsideCanvas: [String] {
        let (width, height) = canvas
        return textNodes.compactMap { node in
            let a = node.attributes
            guard let x = Double(a["x"] ?? ""), let y = Double(a["y"] ?? ""), let size = Double(a["font-size"] ?? "") else { return node.text }
            if a["transform"] != nil { return (0...width).contains(x) && (0...height).contains(y) ? nil : node.text }
            let w = SVGCanvas.estimatedWidth(node.text, size: size, bold: a["font-weight"] == "bold")
            let start = a["text-anchor"] == "middle" ? x - w / 2 : a["text-anchor"] == "end" ? x - w : x
            let inside = start >= 0 && start + w <= width && y - size >= 0 && y <= height
            return inside ? nil : node.text
        }
    }

    static func parse(_ svg: String) -> SVGProbe? {
        let probe = SVGProbe()
        let parser = XMLParser(data: Data(svg.utf8))
        parser.delegate = probe
        return parser.parse() ? probe : nil
    }
}

@Suite("Charts")
struct ChartTests {
    @Test func sweepHeatmapIsWellFormedWithPanelsRegionsAndBoundary() throws {
        let sweep = try Sweep(configuration: GameConfiguration(priorKind: .gaussian, humanKind: .boltzmann),
                              axes: [try SweepAxis(parsing: "mu=-1,0.5,2"), try SweepAxis(parsing: "sigma=0.05:5:30"), try SweepAxis(parsing: "beta=0:5:31")])
        let path = try OutputFileTests.temporaryDirectory() + "/h.svg"
        let plotter = try SweepHeatmapPlotter(sweep: sweep, path: path)
        for i in 0..<sweep.count { plotter.record(i, try sweep.solve(at: i).solution) }
        let svg = plotter.heatmap().render()
        let probe = try #require(SVGProbe.parse(svg))
        #expect(probe.elements["svg"] == 1)
        #expect(probe.elements["rect", default: 0] > 100)
        for label in ["μ = -1", "μ = 0.5", "μ = 2", "wait", "act", "off", AxisLabel.readable("sigma"), AxisLabel.readable("beta"),
                      "Δ = E[πU] − max(E[U], 0)", "exact boundary σ² = 2|μ|β (Δ = 0)", "best-action regions"] {
            #expect(probe.texts.contains(label), "missing \(label)")
        }
        // The exact boundary σ² = 2|μ|β is one dashed path per panel whose curve is one subpath
        // (one-cell segments each restart the dash pattern and render solid).
        let dashed = probe.nodes.filter { $0.name == "path" && $0.attributes["class"] == "overlay" }
        #expect(dashed.count == 3)
        for path in dashed {
            let d = path.attributes["d"] ?? ""
            #expect(d.filter { $0 == "M" }.count == 1, "a boundary split into \(d.filter { $0 == "M" }.count) subpaths")
            #expect(d.filter { $0 == "L" }.count > 20)
        }
        #expect(probe.textsOutsideCanvas.isEmpty, "outside: \(probe.textsOutsideCanvas)")
        try plotter.write()
        #expect(FileManager.default.fileExists(atPath: path))
    }

    @Test func plotsNeedTwoAxesOrThreeWithFewPanels() throws {
        let configuration = GameConfiguration(priorKind: .gaussian, humanKind: .boltzmann)
        let one = try Sweep(configuration: configuration, axes: [try SweepAxis(parsing: "sigma=1:2:3")])
        #expect(throws: AnalysisError.self) { try SweepHeatmapPlotter(sweep: one, path: "/tmp/x.svg") }
        let many = try Sweep(configuration: configuration, axes: [try SweepAxis(parsing: "mu=1:2:7"), try SweepAxis(parsing: "sigma=1:2:3"), try SweepAxis(parsing: "beta=1:2:3")])
        #expect(throws: AnalysisError.self) { try SweepHeatmapPlotter(sweep: many, path: "/tmp/x.svg") }
    }

    @Test func zeroContourLiesOnTheCurve() {
        let segments = Contour.zeroSegments({ x, y in x * x + y * y - 1 }, x: -2...2, y: -2...2, resolution: 80)
        #expect(segments.count > 100)
        for (x1, y1, x2, y2) in segments {
            #expect(abs((x1 * x1 + y1 * y1).squareRoot() - 1) < 0.01)
            #expect(abs((x2 * x2 + y2 * y2).squareRoot() - 1) < 0.01)
        }
    }

    @Test func niceTicksAndScales() {
        #expect(AxisTicks.nice(from: 0, to: 5) == [0, 1, 2, 3, 4, 5])
        #expect(AxisTicks.nice(from: 0.05, to: 5.05, target: 5) == [1, 2, 3, 4, 5])
        let scale = TwoSlopeScale(values: [-4, 0, 1])
        #expect(scale.normalized(-4) == -1 && scale.normalized(1) == 1 && scale.normalized(0) == 0 && scale.normalized(-2) == -0.5)
        #expect(ColorMap.diverging(0) == "#f7f7f7")
    }
}

@Suite("Line charts and reliability diagrams")
struct MoreChartTests {
    @Test func lineChartHasSeriesLegendAndBands() throws {
        let chart = LineChart(title: "ECE over iterations", xLabel: "iteration", yLabel: "ECE", series: [
            .init(name: "STaR", points: [(1, 0.10), (2, 0.12), (3, 0.15)], band: [(1, 0.08, 0.12), (2, 0.10, 0.14), (3, 0.12, 0.18)]),
            .init(name: "RFT", points: [(1, 0.09), (2, 0.10), (3, 0.11)]),
        ])
        let svg = chart.render()
        let probe = try #require(SVGProbe.parse(svg))
        #expect(probe.nodes.filter { $0.attributes["class"] == "series" }.count == 2)
        #expect(probe.nodes.filter { $0.attributes["class"] == "band" }.count == 1)
        #expect(probe.nodes.filter { $0.attributes["class"] == "band-edge" }.count == 2)
        #expect(probe.texts.contains("STaR") && probe.texts.contains("RFT") && probe.texts.contains("iteration"))
        #expect(probe.textsOutsideCanvas.isEmpty, "outside: \(probe.textsOutsideCanvas)")
    }

    /// A series with nothing to draw (an arm without this quantity) is left out of the legend;
    /// the others keep their own colours.
    @Test func theLegendListsOnlySeriesWithPoints() throws {
        let chart = LineChart(title: "ECE of the feedback confidence", xLabel: "iteration", yLabel: "ECE", series: [
            .init(name: "star", points: []), .init(name: "rft", points: [(0, .nan)]), .init(name: "self", points: [(0, 0.12), (1, 0.09)]),
        ])
        let probe = try #require(SVGProbe.parse(chart.render()))
        #expect(probe.texts.contains("self") && !probe.texts.contains("star") && !probe.texts.contains("rft"))
        let all = LineChart(title: "t", xLabel: "x", yLabel: "y", series: [.init(name: "star", points: [(0, 1), (1, 1)]), .init(name: "rft", points: [(0, 1), (1, 1)]),
                                                                          .init(name: "self", points: [(0, 2), (1, 2)])])
        let line = { (c: LineChart) in try #require(SVGProbe.parse(c.render())).nodes.first { $0.attributes["data-name"] == "self" }?.attributes["stroke"] }
        #expect(try line(chart) != nil && line(chart) == line(all))
    }

    /// No two of the first 32 series share both colour and marker (series 8 was series 0's blue
    /// circle), and the first 8 keep the markers they had.
    @Test func seriesBeyondThePaletteGetAnotherMarker() {
        let styles = (0..<32).map { "\(LineChart.palette[$0 % LineChart.palette.count]) \(LineChart.marker($0) % 4)" }
        #expect(Set(styles).count == 32)
        #expect((0..<8).allSatisfy { LineChart.marker($0) == $0 })
    }

    /// A forest plot by hand: the dot sits at its estimate, the whisker spans its interval, the
    /// reference line is at 0, a flagged estimate is filled, a row without an estimate draws
    /// nothing, and a rule separates the groups.
    @Test func forestPlotDrawsEstimatesIntervalsAndFlags() throws {
        let plot = ForestPlot(title: "Changes", subtitle: "paired by seed", rows: ["star", "grpo", "rloo+stated"],
                              panels: [.init(title: "change in deference", xLabel: "points",
                                             estimates: [.init(value: 0, interval: -1...1, flagged: false), .init(value: 3, interval: 2...4, flagged: true), nil])],
                              separators: [2], flagLabel: "Holm p < 0.05", intervalLabel: "mean, 95% t-interval")
        let probe = try #require(SVGProbe.parse(plot.render()))
        #expect(["star", "grpo", "rloo+stated", "change in deference", "points", "Holm p < 0.05"].allSatisfy(probe.texts.contains))
        let dots = probe.nodes.filter { $0.attributes["class"] == "estimate" || $0.attributes["class"] == "flagged" }
        #expect(dots.count == 2 && dots.filter { $0.attributes["class"] == "flagged" }.count == 1)
        let whiskers = probe.nodes.filter { $0.attributes["class"] == "whisker" }
        #expect(whiskers.count == 2)
        // The x range is [-1, 4] with 5% margins over 250 px; x = 0 and the whisker's ends map linearly.
        let reference = try #require(probe.nodes.first { $0.attributes["class"] == "reference" })
        let x = { (value: Double) in Double(whiskers[1].attributes["x1"]!)! + (value - 2) * 250 / 5.5 }
        #expect(abs(Double(reference.attributes["x1"]!)! - x(0)) < 0.01)
        #expect(abs(Double(whiskers[1].attributes["x2"]!)! - x(4)) < 0.01)
        #expect(abs(Double(dots[1].attributes["cx"]!)! - x(3)) < 0.01)
        #expect(probe.textsOutsideCanvas.isEmpty, "outside: \(probe.textsOutsideCanvas)")
        // The rule between the groups: a grey line across the panel at the third row's top.
        #expect(probe.nodes.contains { $0.name == "line" && $0.attributes["stroke"] == "#999" })
    }

    /// Iterations are whole numbers: no tick at 0.5 whatever the range.
    @Test func iterationAxesTickOnWholeNumbersOnly() throws {
        for last in [1.0, 2, 3, 7, 40] {
            let chart = LineChart(title: "t", xLabel: "iteration", yLabel: "y", series: [.init(name: "a", points: [(0, 0.1), (last, 0.2)])], integerX: true)
            let probe = try #require(SVGProbe.parse(chart.render()))
            let ticks = probe.textNodes.filter { $0.attributes["text-anchor"] == "middle" && $0.attributes["font-size"] == "11" }.map(\.text)
            #expect(!ticks.isEmpty && ticks.allSatisfy { Double($0).map { $0 == $0.rounded() } ?? false }, "ticks \(ticks)")
        }
    }

    /// A long subtitle wraps instead of running off the canvas; a long legend widens it.
    @Test func longSubtitlesAndLegendsStayOnTheCanvas() throws {
        let chart = LineChart(title: "Held-out accuracy", subtitle: String(repeating: "a long explanation of the chart ", count: 8), xLabel: "x", yLabel: "y",
                              series: [.init(name: "a series with a rather long name indeed", points: [(0, 1), (1, 2)])])
        let probe = try #require(SVGProbe.parse(chart.render()))
        #expect(probe.textsOutsideCanvas.isEmpty, "outside: \(probe.textsOutsideCanvas)")
    }

    @Test func reliabilityDiagramShowsBinsGapsCountsAndTitle() throws {
        let report = CalibrationAnalysis(CalibrationTests.datasetA, binning: .equalWidth(10)).report()
        let svg = ReliabilityDiagram(title: "Reliability", panels: [("iteration 1", report), ("iteration 2", report)]).render()
        let probe = try #require(SVGProbe.parse(svg))
        #expect(svg.components(separatedBy: "class=\"bar\"").count - 1 == 20)
        #expect(svg.components(separatedBy: "class=\"gap\"").count - 1 == 20)
        #expect(svg.components(separatedBy: "class=\"count\"").count - 1 == 20)
        #expect(probe.texts.contains("iteration 1 · ECE = 0.1687 · n = 1000"))
        #expect(probe.textsOutsideCanvas.isEmpty, "outside: \(probe.textsOutsideCanvas)")
    }

    /// A bar's height is its bin's accuracy, whichever side of the confidence it lies on (the
    /// gap used to be painted over the bar, so an accurate bin looked as tall as its confidence).
    @Test func reliabilityBarsAreAsTallAsTheirAccuracy() throws {
        // Bin [0.4, 0.6): confidence 0.5, accuracy 0.75 (under-confident); bin [0.8, 1]: 0.9 and 0.5.
        let p = try Predictions(confidences: [0.5, 0.5, 0.5, 0.5, 0.9, 0.9], correct: [true, true, true, false, true, false])
        let report = CalibrationAnalysis(p, binning: .equalWidth(5)).report()
        for panels in [[("", report)], [("a", report), ("b", report)]] {
            let probe = try #require(SVGProbe.parse(ReliabilityDiagram(title: "Reliability", panels: panels).render()))
            let bars = probe.nodes.filter { $0.attributes["class"] == "bar" }.map(\.attributes)
            #expect(bars.count == 2 * panels.count)
            for bar in bars {
                let height = try #require(Double(bar["height"] ?? "")), accuracy = try #require(Double(bar["data-accuracy"] ?? ""))
                #expect(abs(height - 300 * accuracy) < 0.02, "bar of accuracy \(accuracy) drawn \(height) px tall")
            }
            #expect(probe.texts.contains("gap to mean confidence (hatched)"))
            #expect(probe.textsOutsideCanvas.isEmpty, "\(panels.count) panel(s), outside: \(probe.textsOutsideCanvas)")
        }
    }
}

@Suite("Log-scale line charts")
struct LogScaleTests {
    @Test func powersOfTenAreTicksAndNonPositiveValuesAreLeftOut() throws {
        var chart = LineChart(title: "loss", xLabel: "step", yLabel: "loss",
                              series: [.init(name: "run", points: [(1, 1), (2, 0.01), (3, 1e-5), (4, 0), (5, -1)])])
        chart.logY = true
        let svg = chart.render()
        let probe = try #require(SVGProbe.parse(svg))
        #expect(probe.texts.contains("1") && probe.texts.contains("0.01") && probe.texts.contains("1e-5"))
        #expect(probe.texts.contains("loss (log scale)"))
        let points = try #require(svg.components(separatedBy: "<polyline points=\"").dropFirst().first?.split(separator: "\"").first)
        #expect(points.split(separator: " ").count == 3)   // 0 and −1 have no logarithm
    }
}
