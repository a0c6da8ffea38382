import Foundation

extension CorrigibilityStudy {
    /// The study's charts over iterations: file, metric, title and y-axis title.
    static let iterationCharts: [(file: String, metric: @Sendable (ProbeBelief) -> String, title: String, yLabel: String)] = [
        ("accuracy.svg", { _ in "greedy_accuracy" }, "Held-out greedy accuracy", "held-out greedy accuracy"),
        ("ece.svg", { IterationMetrics.Column.ece($0.calibratedSource).rawValue }, "Calibration error (ECE) of the probe's confidence",
         "ECE (\(Binning.standard.description))"),
        ("deference.svg", { _ in "probe_deference" }, "How often the model defers to the human", "share of answers deferred"),
        ("harmful.svg", { _ in "probe_harmful" }, "How often it acts on a wrong answer", "share of answers: acted and wrong"),
        ("regret.svg", { _ in "probe_regret" }, "Regret against the oracle that knows correctness", "regret (utility per answer)"),
        ("delta-gap.svg", { _ in "probe_delta_gap" }, "Believed minus true incentive to defer", "mean Δ believed − mean Δ true"),
        ("recalibrated-deference.svg", { _ in "probe_recalibrated_deference" }, "Deference with recalibrated confidence", "share of answers deferred"),
    ]

    /// The forest plot of the primary endpoints.
    static let changesChart = "changes.svg"

    /// Most series a panel draws with interval bands; beyond it the bands would hide one another,
    /// and the panel shows means only (the intervals are in `changes.svg` and the README).
    static let mostBandedSeries = 4

    /// Every chart's file name and SVG.
    func charts(_ aggregation: StudyAggregation, preRegistration: PreRegistration) -> [(file: String, svg: String)] {
        let human = probe.human.kind + probe.human.parameters.map { " \($0.name) = \(CSVNumber.format($0.value))" }.joined()
        let game = "\(human) human, wrong answers cost \(CSVNumber.format(probe.wrongCost))"
        // One colour and marker per method in every panel: a method keeps its slot in each start.
        let families = arms.reduce(into: [String]()) { if !$0.contains($1.method.name) { $0.append($1.method.name) } }
        var files: [(String, String)] = []
        for chart in Self.iterationCharts {
            let metric = chart.metric(probeSource)
            let full = aggregation.chart(metric, title: chart.title, yLabel: chart.yLabel, subtitle: "")
            let byName = Dictionary(full.series.map { ($0.name, $0) }, uniquingKeysWith: { a, _ in a })
            var panels = starts.map { start -> LineChart in
                let names = families.map { $0 + start.suffix }
                let drawn = names.filter { byName[$0] != nil }.count
                let series = names.map { name -> LineChart.Series in
                    guard var s = byName[name] else { return LineChart.Series(name: name, points: []) }
                    if drawn > Self.mostBandedSeries { s.band = nil }
                    return s
                }
                var panel = full
                panel.title = start.title
                panel.series = series
                return panel
            }
            // One y range for every panel, so that the starts compare by eye.
            let ys = panels.flatMap { $0.series.flatMap { $0.points.map(\.y) + ($0.band ?? []).flatMap { [$0.lower, $0.upper] } } }.filter(\.isFinite)
            if panels.count > 1, let low = ys.min(), let high = ys.max() {
                let pad = max(high - low, 1e-9) * 0.05
                for k in panels.indices { panels[k].yRange = (low - pad)...(high + pad) }
            }
            let banded = panels.allSatisfy { $0.series.filter { !$0.points.isEmpty }.count <= Self.mostBandedSeries }
            let spread = seeds.count < 2 ? "one seed, so no interval"
                : banded ? "mean over \(seeds.count) seeds, bands 95% t-intervals"
                : "mean over \(seeds.count) seeds (too many arms for bands: the intervals are in \(Self.changesChart) and the README)"
            let subtitle = "\(spread); \(game)"
            if panels.count == 1, var only = panels.first {
                only.title = chart.title
                only.subtitle = subtitle
                files.append((chart.file, only.render()))
            } else {
                files.append((chart.file, ChartPanels(title: chart.title, subtitle: subtitle, panels: panels).render()))
            }
        }
        // The primary endpoints per arm: change from each seed's base to the last iteration.
        let last = aggregation.rows.map(\.iteration).max() ?? 0
        let results = preRegistration.results(aggregation, arms: arms.map(\.name))
        let names = arms.map(\.name)
        let panels = endpoints.map { endpoint -> ForestPlot.Panel in
            let percent = Self.inPoints(endpoint.metric)
            let scale = percent ? 100.0 : 1.0
            let estimates = names.map { arm -> ForestPlot.Estimate? in
                guard let a = aggregation.value(arm, last, endpoint.metric.rawValue + "_change") else { return nil }
                let flagged = results.first { $0.arm == arm && $0.endpoint.metric == endpoint.metric }.map { $0.holm < PreRegistration.alpha } ?? false
                return ForestPlot.Estimate(value: scale * a.mean, interval: a.interval.map { (scale * $0.lowerBound)...(scale * $0.upperBound) }, flagged: flagged)
            }
            let title = endpoint.metric == .probeDeference ? "deference" : "ECE of the \(probeSource.calibratedSource.rawValue) confidence"
            return ForestPlot.Panel(title: "change in " + title, xLabel: percent ? "points of the held-out answers" : "ECE", estimates: estimates)
        }
        let firstStated = arms.firstIndex { $0.start == .stated }
        let forest = ForestPlot(
            title: "What self-training changed: each arm's base to iteration \(last)",
            subtitle: "Paired by seed, mean over \(seeds.count) seed\(seeds.count == 1 ? "" : "s"); \(game). Arms above the rule start from the SFT base, below it from the stated base.",
            rows: names, panels: panels, separators: firstStated.map { [$0] } ?? [],
            flagLabel: "Holm-adjusted permutation p < \(CSVNumber.format(PreRegistration.alpha))", intervalLabel: "mean, 95% t-interval")
        files.append((Self.changesChart, forest.render()))
        return files
    }
}

extension CorrigibilityStudy.Start {
    /// A chart panel's title for the arms from this start.
    var title: String {
        switch self {
        case .sft: "from the SFT base (the control)"
        case .stated: "from the stated base (states its confidence and decides)"
        }
    }
}
