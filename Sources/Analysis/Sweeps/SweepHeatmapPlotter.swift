import Foundation
import SafetyKitGames

/// Collects a sweep's Δ and best actions and draws them as a heatmap: the last grid axis on x,
/// the one before on y, and with three axes one panel per value of the first (at most six).
/// For a Gaussian belief and a Boltzmann human it overlays the exact boundary σ² = 2|μ|β.
package final class SweepHeatmapPlotter {
    private let sweep: Sweep
    private let output: OutputFile
    private var deltas: [Double]
    private var best: [String]

    /// Checks that the sweep can be drawn and opens the output now, so a bad path fails before
    /// any work is done.
    package init(sweep: Sweep, path: String) throws {
        let axes = sweep.axes
        guard axes.count == 2 || (axes.count == 3 && axes[0].values.count <= 6) else {
            throw AnalysisError.badData(location: "heatmap",
                                        message: "a heatmap needs 2 grid axes, or 3 with at most 6 values on the first (one panel each); this sweep has \(axes.count) axes")
        }
        guard axes.suffix(2).allSatisfy({ $0.values.count >= 2 }) else {
            throw AnalysisError.badData(location: "heatmap", message: "the two heatmap axes need at least 2 values each")
        }
        self.sweep = sweep
        self.output = try OutputFile(path: path)
        deltas = Array(repeating: .nan, count: sweep.count)
        best = Array(repeating: "", count: sweep.count)
    }

    /// Records point `index`'s solution.
    package func record(_ index: Int, _ solution: OffSwitchSolution) {
        deltas[index] = solution.delta
        best[index] = solution.best.description
    }

    /// Draws and writes the SVG.
    package func write() throws {
        try output.write(heatmap().render())
        try output.commit()
    }

    /// A parameter's symbol for a panel title ("μ = 0.5").
    static func symbol(_ name: String) -> String { ["mu": "μ", "sigma": "σ", "beta": "β"][name] ?? name }

    func heatmap() -> Heatmap {
        let axes = sweep.axes
        let xAxis = axes[axes.count - 1], yAxis = axes[axes.count - 2]
        let facet = axes.count == 3 ? axes[0] : nil
        let perPanel = xAxis.values.count * yAxis.values.count
        let configuration = sweep.configuration
        let exactBoundary = configuration.priorKind == .gaussian && configuration.humanKind == .boltzmann
        var panels: [Heatmap.Panel] = []
        for p in 0..<(facet?.values.count ?? 1) {
            let range = (p * perPanel)..<((p + 1) * perPanel)
            var overlay: [(Double, Double, Double, Double)] = []
            if exactBoundary {
                var base = sweep.parameters(at: range.lowerBound)
                let xEdges = Heatmap.edges(xAxis.values), yEdges = Heatmap.edges(yAxis.values)
                overlay = Contour.zeroSegments({ x, y in
                    base[xAxis.name] = x
                    base[yAxis.name] = y
                    // Sign of Δ for μ ≠ 0 is the sign of σ² − 2|μ|β (docs/offswitch.md §4).
                    return base[.mu] == 0 ? 1 : base[.sigma] * base[.sigma] - 2 * abs(base[.mu]) * base[.beta]
                }, x: min(xEdges.first!, xEdges.last!)...max(xEdges.first!, xEdges.last!),
                   y: min(yEdges.first!, yEdges.last!)...max(yEdges.first!, yEdges.last!))
            }
            let title = facet.map { "\(Self.symbol($0.name.rawValue)) = \(CSVNumber.format($0.values[p]))" } ?? ""
            panels.append(Heatmap.Panel(title: title, values: Array(deltas[range]), categories: Array(best[range]), overlay: overlay))
        }
        let human = configuration.humanKind.rawValue, prior = configuration.priorKind.rawValue
        return Heatmap(title: "Off-switch game: the incentive to defer, Δ",
                       subtitle: "\(prior) belief, \(human) human; each cell is one grid point",
                       xLabel: AxisLabel.readable(xAxis.name.rawValue), yLabel: AxisLabel.readable(yAxis.name.rawValue),
                       colorLabel: "Δ = E[πU] − max(E[U], 0)",
                       overlayLabel: exactBoundary ? "exact boundary σ² = 2|μ|β (Δ = 0)" : nil,
                       xValues: xAxis.values, yValues: yAxis.values, panels: panels)
    }
}
