import Foundation
#if canImport(FoundationXML)
import FoundationXML
#endif
import Testing
@testable import Analysis
@testable import Games

/// Parses SVG as XML and collects element names and text.
final class SVGProbe: NSObject, XMLParserDelegate {
    var elements: [String: Int] = [:]
    var texts: [String] = []
    private var current = ""
    func parser(_ parser: XMLParser, didStartElement name: String, namespaceURI: String?, qualifiedName: String?, attributes: [String: String] = [:]) {
        elements[name, default: 0] += 1
        current = ""
    }
    func parser(_ parser: XMLParser, foundCharacters string: String) { current += string }
    func parser(_ parser: XMLParser, didEndElement name: String, namespaceURI: String?, qualifiedName: String?) {
        if name == "text" { texts.append(current) }
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
        for label in ["mu = -1", "mu = 0.5", "mu = 2", "wait", "act", "off", "sigma", "beta", "Δ = E[πU] − max(E[U], 0)"] {
            #expect(probe.texts.contains(label), "missing \(label)")
        }
        #expect(svg.contains("stroke-dasharray"))   // the exact boundary σ² = 2|μ|β
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
        #expect(probe.elements["polyline"] == 2 && probe.elements["polygon"] == 1)
        #expect(probe.texts.contains("STaR") && probe.texts.contains("RFT") && probe.texts.contains("iteration"))
    }

    @Test func reliabilityDiagramShowsBinsGapsCountsAndTitle() throws {
        let report = CalibrationAnalysis(CalibrationTests.datasetA, binning: .equalWidth(10)).report()
        let svg = ReliabilityDiagram(title: "Reliability", panels: [("iteration 1", report), ("iteration 2", report)]).render()
        let probe = try #require(SVGProbe.parse(svg))
        #expect(svg.components(separatedBy: "class=\"bar\"").count - 1 == 20)
        #expect(svg.components(separatedBy: "class=\"gap\"").count - 1 == 20)
        #expect(svg.components(separatedBy: "class=\"count\"").count - 1 == 20)
        #expect(probe.texts.contains("iteration 1 · ECE = 0.1687 · n = 1000"))
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
