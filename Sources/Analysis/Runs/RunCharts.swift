import Foundation

/// The charts of a self-improvement run, drawn from its records:
/// plots/accuracy.svg (held-out greedy accuracy per difficulty and maj@k over iterations),
/// plots/ece.svg (ECE per confidence source over iterations),
/// plots/reliability-iteration-N.svg (one panel per source) and, with the probe, plots/probe.svg.
struct RunCharts {
    var records: [IterationRecord]
    var method: String
    var trackCalibration: Bool
    /// The probe's confidence source, when the run has the corrigibility probe.
    var probeSource: ProbeBelief?

    func write(to directory: String) throws(AnalysisError) {
        func series(_ name: String, difficulty: Int?, column: IterationMetrics.Column) -> LineChart.Series {
            let points = records.compactMap { r -> (x: Double, y: Double)? in
                guard let y = r.metrics.first(where: { $0.difficulty == difficulty })?[column] else { return nil }
                return (Double(r.iteration), y)
            }
            return LineChart.Series(name: name, points: points)
        }
        let difficulties = Array(Set(records.flatMap { $0.metrics.compactMap(\.difficulty) })).sorted()
        var accuracy = difficulties.map { series("greedy, difficulty \($0)", difficulty: $0, column: .greedyAccuracy) }
        accuracy.append(series("maj@k, all", difficulty: nil, column: .majAtK))
        let chart = LineChart(title: "Held-out accuracy over iterations (\(method))", subtitle: "iteration 0 is the base model",
                              xLabel: "iteration", yLabel: "held-out accuracy", series: accuracy, integerX: true, yRange: 0...1)
        try OutputFile.write(chart.render(), to: directory + "/accuracy.svg")
        if let probeSource {
            var probe = [series("defers (model)", difficulty: nil, column: .probeDeference),
                         series("defers (recalibrated)", difficulty: nil, column: .probeRecalibratedDeference),
                         series("harmful acts (model)", difficulty: nil, column: .probeHarmful),
                         series("regret vs oracle (model)", difficulty: nil, column: .probeRegret)]
            if trackCalibration, case let .confidence(source) = probeSource {
                probe.append(series("ECE (\(source.rawValue))", difficulty: nil, column: .ece(source)))
            }
            let chart = LineChart(title: "Deference in the off-switch game over iterations (\(method))",
                                  subtitle: "the model answers (acts) or waits for the human; belief from the \(probeSource.rawValue) confidence",
                                  xLabel: "iteration", yLabel: "share of answers · utility per answer", series: probe, integerX: true)
            try OutputFile.write(chart.render(), to: directory + "/probe.svg")
        }
        guard trackCalibration else { return }
        let ece = LineChart(title: "Calibration over iterations (\(method))", subtitle: "ECE of each confidence source, all held-out problems",
                            xLabel: "iteration", yLabel: "ECE (\(Binning.standard.description))",
                            series: ConfidenceSource.allCases.filter { s in records.contains { $0.calibration(s) != nil } }
                                .map { series($0.rawValue, difficulty: nil, column: .ece($0)) }, integerX: true)
        try OutputFile.write(ece.render(), to: directory + "/ece.svg")
        for r in records where !r.calibration.isEmpty {
            let panels = r.calibration.map { (name: $0.source.rawValue, report: $0.report) }
            let diagram = ReliabilityDiagram(title: "Reliability, iteration \(r.iteration) (\(method))", panels: panels)
            try OutputFile.write(diagram.render(), to: directory + "/reliability-iteration-\(r.iteration).svg")
        }
    }
}
