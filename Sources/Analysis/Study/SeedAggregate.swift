import Foundation
import SafetyKitNumerics

/// A metric's mean over seeds with a two-sided Student-t confidence interval,
/// mean ± t(1 − α/2, n − 1) · s/√n (s the sample standard deviation). With one seed the
/// t-interval is undefined: `interval` is nil, written as empty fields and drawn without a band.
/// For a rate over runs of 0/1 outcomes use `Proportion` instead: this is for means of
/// per-seed values.
package struct SeedAggregate: Sendable, Equatable {
    package var n: Int
    package var mean: Double
    /// The interval, nil with fewer than two seeds.
    package var interval: ClosedRange<Double>?
    /// The per-seed values, in seed order.
    package var values: [Double]
    /// The sample standard deviation over seeds (nil with one seed).
    package var standardDeviation: Double? {
        guard n > 1 else { return nil }
        return (values.reduce(0) { $0 + ($1 - mean) * ($1 - mean) } / Double(n - 1)).squareRoot()
    }
    package var lower: Double? { interval?.lowerBound }
    package var upper: Double? { interval?.upperBound }

    /// With `range`, the interval is clipped to the values the metric can take (a rate's t-interval
    /// over 3 seeds can otherwise reach below 0 or above 1).
    package init?(_ values: [Double], level: Double = 0.95, range: ClosedRange<Double>? = nil) {
        guard !values.isEmpty else { return nil }
        self.values = values
        n = values.count
        mean = values.reduce(0, +) / Double(n)
        guard n > 1 else { interval = nil; return }
        let m = mean
        let variance = values.reduce(0) { $0 + ($1 - m) * ($1 - m) } / Double(n - 1)
        let half = StudentT.quantile(1 - (1 - level) / 2, degreesOfFreedom: Double(n - 1)) * (variance / Double(n)).squareRoot()
        var lower = mean - half, upper = mean + half
        if let range { lower = max(lower, range.lowerBound); upper = min(upper, range.upperBound) }
        interval = lower...upper
    }
}

/// The study's table: per method, iteration and metric, the aggregate over seeds, from the runs'
/// records (their rows for all difficulties together).
package struct StudyAggregation: Sendable {
    /// The metrics carried into the headline table and charts.
    package static let metrics: [IterationMetrics.Column] = [
        .greedyAccuracy, .stepsRightAccuracy, .correctionRate, .falseCorrectionRate, .majAtK, .passAtK, .diversity,
        .feedbackPrecision, .feedbackRecall, .feedbackExact, .refinementSuccess, .refinedAccuracy, .feedbackMissing,
        .eceSequence, .eceAnswer, .eceVote, .ecePTrue, .eceVerbalized, .eceFeedback, .verbalizedMissing,
        .probeDeference, .probeHarmful, .probeUtility, .probeRegret, .probeBelievedDelta, .probeTrueDelta, .probeDeltaGap,
        .probeRecalibratedDeference, .probeRecalibratedRegret, .probeWaitUtility, .probeActUtility, .probeOracleUtility,
    ] + ConfidenceSource.allCases.flatMap { [IterationMetrics.Column.probeDeference($0), .probeHarmful($0)] }
        + [.decisionAct, .decisionWait, .decisionOff, .decisionMissing, .decisionUtility, .decisionHarmful, .decisionRegret,
           .decisionOptimalAct, .decisionOptimalWait, .decisionOptimalOff, .decisionAgreement]

    package struct Row: Sendable, Equatable {
        package var method: String
        package var iteration: Int
        package var metric: String
        package var aggregate: SeedAggregate
    }

    package var rows: [Row]

    /// One run's rate over its held-out answers, with its Wilson interval (study.md: rates over a
    /// finite set). `run` is the run's place in its arm's list (the study's seed order).
    package struct RunRate: Sendable, Equatable {
        package var method: String
        package var run: Int
        package var iteration: Int
        package var metric: IterationMetrics.Column
        package var proportion: Proportion
    }

    /// Every run's counted rates at every iteration it recorded.
    package var runRates: [RunRate] = []

    /// The metrics that are k/n over a run's held-out answers (n = `heldOutProblems`).
    static let countedRates: [IterationMetrics.Column] = [.greedyAccuracy, .stepsRightAccuracy, .majAtK, .refinedAccuracy, .feedbackMissing,
                                                          .verbalizedMissing, .probeDeference, .probeHarmful,
                                                          .probeRecalibratedDeference]
        + ConfidenceSource.allCases.flatMap { [IterationMetrics.Column.probeDeference($0), .probeHarmful($0)] }
        + [.decisionAct, .decisionWait, .decisionOff, .decisionMissing, .decisionHarmful,
           .decisionOptimalAct, .decisionOptimalWait, .decisionOptimalOff, .decisionAgreement]

    /// Metrics that are rates or probabilities, whose intervals are clipped to [0, 1] (and their
    /// changes' to [−1, 1]).
    static let unitInterval: Set<IterationMetrics.Column> = {
        let listed: [IterationMetrics.Column] = [.greedyAccuracy, .stepsRightAccuracy, .correctionRate, .falseCorrectionRate, .majAtK,
                                                 .passAtK, .diversity, .feedbackPrecision, .feedbackRecall, .feedbackExact, .refinementSuccess,
                                                 .refinedAccuracy, .feedbackMissing, .eceSequence, .eceAnswer, .eceVote,
                                                 .ecePTrue, .eceVerbalized, .eceFeedback, .verbalizedMissing, .probeDeference, .probeHarmful,
                                                 .probeRecalibratedDeference, .decisionAct, .decisionWait, .decisionOff, .decisionMissing,
                                                 .decisionHarmful, .decisionOptimalAct, .decisionOptimalWait, .decisionOptimalOff, .decisionAgreement]
        return Set(listed + ConfidenceSource.allCases.flatMap { [IterationMetrics.Column.probeDeference($0), .probeHarmful($0)] })
    }()

    /// `runs[method]` holds one run's records per seed. A run that stopped early (ReST-EM's
    /// validation rule) keeps its last model, so its last row stands for the later iterations.
    /// Beside each metric, `<metric>_change` aggregates each seed's change since its base model
    /// (iteration 0): paired, so the spread between seeds' bases does not swamp it.
    package init(runs: [(method: String, seeds: [[IterationRecord]])], level: Double = 0.95) {
        var rows: [Row] = [], rates: [RunRate] = []
        for (method, seeds) in runs {
            var perSeed: [[Int: [IterationMetrics.Column: Double]]] = []
            for (run, records) in seeds.enumerated() {
                var seed: [Int: [IterationMetrics.Column: Double]] = [:]
                for record in records {
                    let values = record.all?.values ?? [:]
                    seed[record.iteration] = values
                    guard let count = values[.heldOutProblems], count >= 1 else { continue }
                    let n = Int(count.rounded())
                    for metric in Self.countedRates {
                        guard let rate = values[metric] else { continue }
                        let k = min(n, max(0, Int((rate * Double(n)).rounded())))
                        rates.append(RunRate(method: method, run: run, iteration: record.iteration, metric: metric,
                                             proportion: Proportion(successes: k, trials: n, level: level)))
                    }
                }
                perSeed.append(seed)
            }
            let last = perSeed.compactMap { $0.keys.max() }.max() ?? -1
            for (k, seed) in perSeed.enumerated() {
                guard let final = seed.keys.max(), final < last else { continue }
                for iteration in (final + 1)...last { perSeed[k][iteration] = seed[final] }
            }
            guard last >= 0 else { continue }
            for iteration in 0...last {
                for metric in Self.metrics {
                    let range: ClosedRange<Double>? = Self.unitInterval.contains(metric) ? 0...1 : nil
                    let values = perSeed.compactMap { $0[iteration]?[metric] }
                    if let a = SeedAggregate(values, level: level, range: range) {
                        rows.append(Row(method: method, iteration: iteration, metric: metric.rawValue, aggregate: a))
                    }
                    let changes = perSeed.compactMap { seed -> Double? in
                        guard let v = seed[iteration]?[metric], let base = seed[0]?[metric] else { return nil }
                        return v - base
                    }
                    // A change of a metric in [a, b] lies in [a − b, b − a].
                    let changeRange = range.map { ($0.lowerBound - $0.upperBound)...($0.upperBound - $0.lowerBound) }
                    if iteration > 0, let a = SeedAggregate(changes, level: level, range: changeRange) {
                        rows.append(Row(method: method, iteration: iteration, metric: metric.rawValue + "_change", aggregate: a))
                    }
                }
            }
        }
        self.rows = rows
        runRates = rates
    }

    /// The run's rate of `metric` at `iteration`, if it recorded one.
    package func rate(_ method: String, run: Int, _ iteration: Int, _ metric: IterationMetrics.Column) -> Proportion? {
        runRates.first { $0.method == method && $0.run == run && $0.iteration == iteration && $0.metric == metric }?.proportion
    }

    /// The per-run rates' CSV: method, run label, iteration, metric, k, n, rate, Wilson lower, upper.
    package func ratesCSV(runLabels: (String, Int) -> String) -> String {
        var text = CSVWriter.record(["method", "run", "iteration", "metric", "successes", "trials", "rate", "wilson_lower", "wilson_upper"])
        for r in runRates {
            text += CSVWriter.record([r.method, runLabels(r.method, r.run), String(r.iteration), r.metric.rawValue, String(r.proportion.successes),
                                      String(r.proportion.trials), CSVNumber.format(r.proportion.rate), CSVNumber.format(r.proportion.lower),
                                      CSVNumber.format(r.proportion.upper)])
        }
        return text
    }

    package func value(_ method: String, _ iteration: Int, _ metric: String) -> SeedAggregate? {
        rows.first { $0.method == method && $0.iteration == iteration && $0.metric == metric }?.aggregate
    }

    /// The long CSV: method, iteration, metric, seeds, mean, lower, upper.
    package func csv() -> String {
        var text = CSVWriter.record(["method", "iteration", "metric", "seeds", "mean", "ci_lower", "ci_upper"])
        for r in rows {
            text += CSVWriter.record([r.method, String(r.iteration), r.metric, String(r.aggregate.n), CSVNumber.format(r.aggregate.mean),
                                      r.aggregate.lower.map(CSVNumber.format) ?? "", r.aggregate.upper.map(CSVNumber.format) ?? ""])
        }
        return text
    }

    /// A chart of one metric over iterations, a line and a band per method.
    package func chart(_ metric: String, title: String, yLabel: String, subtitle: String) -> LineChart {
        let methods = rows.reduce(into: [String]()) { if !$0.contains($1.method) { $0.append($1.method) } }
        let series = methods.map { method -> LineChart.Series in
            let points = rows.filter { $0.method == method && $0.metric == metric }.sorted { $0.iteration < $1.iteration }
            return LineChart.Series(name: method, points: points.map { (Double($0.iteration), $0.aggregate.mean) },
                                    band: points.compactMap { p in p.aggregate.interval.map { (Double(p.iteration), $0.lowerBound, $0.upperBound) } })
        }
        return LineChart(title: title, subtitle: subtitle, xLabel: "iteration (0 = the seed's base model)", yLabel: yLabel, series: series, integerX: true)
    }
}
