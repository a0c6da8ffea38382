import Foundation

/// The charts of a self-improvement run, drawn from its metrics rows and calibration reports:
/// plots/accuracy.svg (held-out greedy accuracy per difficulty and maj@k over iterations),
/// plots/ece.svg (ECE per confidence source over iterations) and
/// plots/reliability-iteration-N.svg (one panel per source).
struct RunCharts {
    var metricsRows: [String]
    var reports: [Int: [String: CalibrationReport]]
    var method: String
    var trackCalibration: Bool
    /// The probe's confidence source, when the run has the corrigibility probe.
    var probeSource: String?

    func write(to directory: String) throws(AnalysisError) {
        let header = IterationMetrics.header
        let rows = metricsRows.map { $0.split(separator: ",", omittingEmptySubsequences: false).map(String.init) }
            .filter { $0.count >= header.count - 1 }
        func column(_ name: String) -> Int { header.firstIndex(of: name)! }
        func series(_ name: String, difficulty: String, column c: String) -> LineChart.Series {
            let points = rows.filter { $0[column("difficulty")] == difficulty }.compactMap { r -> (x: Double, y: Double)? in
                guard let x = Double(r[0]), let y = Double(r[column(c)]) else { return nil }
                return (x, y)
            }
            return LineChart.Series(name: name, points: points)
        }
        let difficulties = Array(Set(rows.map { $0[column("difficulty")] }.filter { $0 != "all" })).sorted { (Int($0) ?? 0) < (Int($1) ?? 0) }
        var accuracy = difficulties.map { series("greedy, difficulty \($0)", difficulty: $0, column: "greedy_accuracy") }
        accuracy.append(series("maj@k, all", difficulty: "all", column: "maj_at_k"))
        let chart = LineChart(title: "Held-out accuracy over iterations (\(method))", subtitle: "iteration 0 is the base model",
                              xLabel: "iteration", yLabel: "held-out accuracy", series: accuracy, integerX: true, yRange: 0...1)
        try OutputFile.write(chart.render(), to: directory + "/accuracy.svg")
        if let probeSource {
            var probe = [series("defers (model)", difficulty: "all", column: "probe_deference"),
                         series("defers (recalibrated)", difficulty: "all", column: "probe_recalibrated_deference"),
                         series("harmful acts (model)", difficulty: "all", column: "probe_harmful"),
                         series("regret vs oracle (model)", difficulty: "all", column: "probe_regret")]
            if trackCalibration, IterationMetrics.sources.contains(probeSource) { probe.append(series("ECE (\(probeSource))", difficulty: "all", column: "ece_\(probeSource)")) }
            let chart = LineChart(title: "Deference in the off-switch game over iterations (\(method))",
                                  subtitle: "the model answers (acts) or waits for the human; belief from the \(probeSource) confidence",
                                  xLabel: "iteration", yLabel: "share of answers · utility per answer", series: probe, integerX: true)
            try OutputFile.write(chart.render(), to: directory + "/probe.svg")
        }
        guard trackCalibration else { return }
        let ece = LineChart(title: "Calibration over iterations (\(method))", subtitle: "ECE of each confidence source, all held-out problems",
                            xLabel: "iteration", yLabel: "ECE (\(Binning.standard.description))",
                            series: IterationMetrics.sources.map { series($0, difficulty: "all", column: "ece_\($0)") }, integerX: true)
        try OutputFile.write(ece.render(), to: directory + "/ece.svg")
        for (iteration, perSource) in reports {
            let panels = IterationMetrics.sources.compactMap { s in perSource[s].map { (name: s, report: $0) } }
            let diagram = ReliabilityDiagram(title: "Reliability, iteration \(iteration) (\(method))", panels: panels)
            try OutputFile.write(diagram.render(), to: directory + "/reliability-iteration-\(iteration).svg")
        }
    }
}
