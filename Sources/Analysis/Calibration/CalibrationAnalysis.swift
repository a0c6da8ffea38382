import Foundation
import SafetyKitNumerics

/// Computes calibration reports for one set of predictions.
///
/// The predictions are sorted once by confidence (a radix sort on keys that pack the
/// confidence's bit pattern with the outcome); every metric is then one pass over the sorted
/// order, one tie group of equal confidence at a time. No bin ever reads the outcomes: a tie
/// group always lands in one bin whole, so the labels cannot choose which rows share a bin. A bootstrap resample is a vector of integer weights over that order, so it costs one
/// more pass and no sort. At ten million pairs a report takes a fraction of a second.
public struct CalibrationAnalysis: Sendable {
    /// How the predictions are binned for ECE, MCE, RMSCE and the reliability diagram.
    public let binning: Binning
    /// Confidences in ascending order, and the matching outcomes (1 = right).
    let confidence: [Double]
    let outcome: [UInt8]

    /// The number of predictions.
    public var count: Int { confidence.count }

    /// Sorts the predictions once; every report is then one pass over them.
    public init(_ predictions: Predictions, binning: Binning = .standard) {
        self.binning = binning
        // For c in [0, 1] the bit pattern is below 2^62, so shifting in the outcome keeps order.
        let n = predictions.count
        var keys = [UInt64](repeating: 0, count: n)
        for i in 0..<n { keys[i] = (predictions.confidences[i].bitPattern << 1) | (predictions.correct[i] ? 1 : 0) }
        RadixSort.sort(&keys)
        var confidence = [Double](repeating: 0, count: n), outcome = [UInt8](repeating: 0, count: n)
        for i in 0..<n {
            confidence[i] = Double(bitPattern: keys[i] >> 1)
            outcome[i] = UInt8(keys[i] & 1)
        }
        self.confidence = confidence
        self.outcome = outcome
    }

    /// The report for the predictions as given.
    public func report() -> CalibrationReport {
        evaluate(weights: nil)
    }

    /// How bootstrap intervals are read off the resampled values.
    public enum IntervalMethod: String, Sendable, CaseIterable, Codable {
        /// Efron's bias-corrected and accelerated interval (the default): the percentiles are
        /// shifted by the bias z₀ = Φ⁻¹(share of resamples below the estimate) and the
        /// acceleration a from a jackknife. ECE, MCE, RMSCE and the Brier reliability are biased
        /// upwards, and resampling adds to that bias, so a percentile interval can lie entirely
        /// above its own estimate; BCa corrects for it. Where the bias exceeds the spread (the
        /// estimate lies outside the resamples' central 1 − α range, as for a well-calibrated
        /// model's ECE), BCa collapses onto the extreme resamples; there the basic interval
        /// [2θ̂ − q(1 − α/2), 2θ̂ − q(α/2)] is used instead, clipped to the metric's range.
        case bca
        /// The plain percentile interval (numpy's linear percentiles of the resamples).
        case percentile
    }

    /// The fewest resamples for a two-sided interval at `level`: the interval's ends must fall
    /// between order statistics, not on the extremes (40 at 95%).
    public static func minimumResamples(level: Double) -> Int { Int((2 / (1 - level)).rounded(.up)) }

    /// Jackknife groups for BCa's acceleration: leave-one-out up to this many pairs, beyond it
    /// this many groups of pairs interleaved along the sorted order (a grouped jackknife).
    static let jackknifeGroups = 200

    /// The report with bootstrap intervals (`level` two-sided, 0.95 by default), BCa unless
    /// `method` says otherwise. Resample r draws n pairs with replacement from its own stream
    /// (seed, r), so the intervals are the same for any thread count. Cost: O((resamples +
    /// jackknife groups) × n). Traps on fewer than `minimumResamples(level:)` resamples (other
    /// than 0, for none): callers validate their input.
    public func report(bootstrap resamples: Int, seed: UInt64, level: Double = 0.95, method: IntervalMethod = .bca,
                       threads: Int = Parallel.availableCores, progress: (@Sendable (Int) -> Void)? = nil) -> CalibrationReport {
        var report = evaluate(weights: nil)
        report.intervalMethod = method
        guard resamples > 0 else { return report }
        precondition(resamples >= Self.minimumResamples(level: level), "too few bootstrap resamples for a \(level) interval")
        let n = count
        let samples: [[Double?]] = Parallel.map(resamples, threads: threads) { r in
            var stream = RandomStream(seed: seed, stream: UInt64(r))
            var weights = [UInt32](repeating: 0, count: n)
            weights.withUnsafeMutableBufferPointer { w in
                for _ in 0..<n { w[stream.nextIndex(below: n)] += 1 }
            }
            let resampled = weights.withUnsafeBufferPointer { evaluate(weights: $0) }
            progress?(r)
            return CalibrationMetric.allCases.map { resampled.value($0) }
        }
        let alpha = (1 - level) / 2
        let jackknife: [[Double?]] = method == .bca ? jackknifeValues(threads: threads) : []
        // The debiased ECE is a point correction: its resamples carry the resampling's own bias,
        // so it gets no interval (the plug-in ECE's bias-corrected interval stands for both).
        for (m, metric) in CalibrationMetric.allCases.enumerated() where metric != .eceDebiased {
            // A resample with a single class has no AUROC; the interval uses the others.
            let values = samples.compactMap { $0[m] }.filter(\.isFinite).sorted()
            guard !values.isEmpty else { continue }
            var (low, high) = (alpha, 1 - alpha)
            if method == .bca, let estimate = report.value(metric) {
                let outside = estimate < Self.quantile(values, alpha) || estimate > Self.quantile(values, 1 - alpha)
                if outside {
                    let range = metric.range
                    let lower = min(max(2 * estimate - Self.quantile(values, 1 - alpha), range.lowerBound), range.upperBound)
                    let upper = max(min(2 * estimate - Self.quantile(values, alpha), range.upperBound), range.lowerBound)
                    report.intervals[metric] = lower...upper
                    continue
                }
                let leaveOut = jackknife.compactMap { $0[m] }.filter(\.isFinite)
                (low, high) = Self.bcaLevels(bootstrap: values, estimate: estimate, jackknife: leaveOut, alpha: alpha)
            }
            report.intervals[metric] = Self.quantile(values, low)...Self.quantile(values, high)
        }
        return report
    }

    /// BCa's adjusted percentile levels (Efron 1987): with z₀ = Φ⁻¹(P(θ* < θ̂) + ½P(θ* = θ̂))
    /// (the share clamped to [1/2B, 1 − 1/2B]) and a = Σd³ / (6(Σd²)^{3/2}), d = mean(θ₍ᵢ₎) − θ₍ᵢ₎,
    /// each level α becomes Φ(z₀ + (z₀ + z_α)/(1 − a(z₀ + z_α))).
    static func bcaLevels(bootstrap sorted: [Double], estimate: Double, jackknife: [Double], alpha: Double) -> (Double, Double) {
        let b = Double(sorted.count)
        let below = Double(sorted.filter { $0 < estimate }.count), equal = Double(sorted.filter { $0 == estimate }.count)
        let share = min(max((below + 0.5 * equal) / b, 0.5 / b), 1 - 0.5 / b)
        let z0 = Normal.quantile(share)
        var acceleration = 0.0
        if jackknife.count > 1 {
            let mean = jackknife.reduce(0, +) / Double(jackknife.count)
            let d = jackknife.map { mean - $0 }
            let squares = d.reduce(0) { $0 + $1 * $1 }
            if squares > 0 { acceleration = d.reduce(0) { $0 + $1 * $1 * $1 } / (6 * Foundation.pow(squares, 1.5)) }
        }
        // A tiny sample can give a jackknife so skewed that 1 − a(z₀ + z) ≤ 0, where the formula
        // has no meaning: the bias-corrected levels without acceleration are used then.
        func level(_ a: Double, acceleration: Double) -> Double? {
            let z = Normal.quantile(a), denominator = 1 - acceleration * (z0 + z)
            guard denominator > 0 else { return nil }
            let p = Normal.cdf(z0 + (z0 + z) / denominator)
            return p.isFinite ? min(max(p, 0), 1) : nil
        }
        if let low = level(alpha, acceleration: acceleration), let high = level(1 - alpha, acceleration: acceleration) { return (low, high) }
        return (level(alpha, acceleration: 0) ?? alpha, level(1 - alpha, acceleration: 0) ?? 1 - alpha)
    }

    /// Every metric with one jackknife group left out: single pairs up to `jackknifeGroups`
    /// pairs, else groups of pairs at sorted positions ≡ g (mod groups).
    func jackknifeValues(threads: Int) -> [[Double?]] {
        let n = count, groups = min(n, Self.jackknifeGroups)
        guard groups > 1 else { return [] }
        return Parallel.map(groups, threads: threads) { g in
            var weights = [UInt32](repeating: 1, count: n)
            for i in stride(from: g, to: n, by: groups) { weights[i] = 0 }
            let left = weights.withUnsafeBufferPointer { evaluate(weights: $0) }
            return CalibrationMetric.allCases.map { left.value($0) }
        }
    }

    /// The fixed stream and draw count of the debiased ECE (the estimate is deterministic).
    static let debiasSeed: UInt64 = 0x0DEB_1A5E, debiasDraws = 100

    /// Linear interpolation between order statistics (numpy's default percentile).
    static func quantile(_ sorted: [Double], _ p: Double) -> Double {
        let position = p * Double(sorted.count - 1)
        let i = Int(position.rounded(.down)), f = position - Double(i)
        return i + 1 < sorted.count ? sorted[i] + f * (sorted[i + 1] - sorted[i]) : sorted[i]
    }

    /// Every metric in one pass over the sorted pairs, each pair counted `weights[i]` times.
    /// The hot loop runs over unsafe buffers: per-bin sums live in one flat array
    /// (weight, Σc, Σo, lowest c, highest c for each bin).
    func evaluate(weights: UnsafeBufferPointer<UInt32>?) -> CalibrationReport {
        let n = count
        let binCount = binning.count
        var stats = [Double](repeating: 0, count: 5 * binCount)
        for b in 0..<binCount { stats[5 * b + 3] = .nan }
        var total = 0.0, sumConfidence = 0.0, sumCorrect = 0.0, brier = 0.0, nll = 0.0
        var aucSum = 0.0, negativesBelow = 0.0
        let clip = CalibrationReport.nllClip
        let totalWeight = weights.map { w in w.reduce(0.0) { $0 + Double($1) } } ?? Double(n)
        // Equal-width: bins advance monotonically along the sorted order; edges are k/B as doubles.
        let edges = (0...binCount).map { Double($0) / Double(binCount) }
        let equalMass = binning.scheme == "equal-mass"
        // Equal-mass: group g holds q + 1 ranks for g < r and q after (sizes differ by at most one).
        let groupSize = Int(totalWeight) / binCount, groupExtra = Int(totalWeight) % binCount

        stats.withUnsafeMutableBufferPointer { s in
            confidence.withUnsafeBufferPointer { c in
                outcome.withUnsafeBufferPointer { o in
                    edges.withUnsafeBufferPointer { e in
                        var bin = 0
                        var ranksBefore = 0   // the weight of all tie groups before this one
                        var i = 0
                        while i < n {
                            // One tie group of equal confidence at a time: it goes into one bin whole.
                            let value = c[i]
                            var tieRight = 0.0, tieWrong = 0.0
                            var j = i
                            while j < n && c[j] == value {
                                let w = weights.map { Double($0[j]) } ?? 1
                                if o[j] == 1 { tieRight += w } else { tieWrong += w }
                                j += 1
                            }
                            i = j
                            let tie = tieRight + tieWrong
                            guard tie > 0 else { continue }
                            if equalMass {
                                // The group of the tie's middle rank; a group that splits no tie
                                // is the array_split group of its ranks, so distinct confidences
                                // bin exactly as numpy does.
                                let middle = ranksBefore + (Int(tie) - 1) / 2
                                let largeRanks = groupExtra * (groupSize + 1)
                                bin = middle < largeRanks ? middle / (groupSize + 1) : groupExtra + (middle - largeRanks) / groupSize
                            } else {
                                while bin < binCount - 1 && value >= e[bin + 1] { bin += 1 }
                            }
                            ranksBefore += Int(tie)
                            let base = 5 * bin
                            s[base] += tie
                            s[base + 1] += tie * value
                            s[base + 2] += tieRight
                            if s[base + 3].isNaN { s[base + 3] = value }
                            s[base + 4] = value

                            let clipped = min(max(value, clip), 1 - clip)
                            total += tie
                            sumConfidence += tie * value
                            sumCorrect += tieRight
                            brier += tieRight * (1 - value) * (1 - value) + tieWrong * value * value
                            nll -= tieRight * log(clipped) + tieWrong * log1p(-clipped)
                            aucSum += tieRight * negativesBelow + 0.5 * tieRight * tieWrong
                            negativesBelow += tieWrong
                        }
                    }
                }
            }
        }
        let binWeight = (0..<binCount).map { stats[5 * $0] }, binConfidence = (0..<binCount).map { stats[5 * $0 + 1] }
        let binCorrect = (0..<binCount).map { stats[5 * $0 + 2] }
        let binLow = (0..<binCount).map { stats[5 * $0 + 3] }, binHigh = (0..<binCount).map { stats[5 * $0 + 4] }

        let accuracy = sumCorrect / total
        var ece = 0.0, mce = 0.0, reliability = 0.0, resolution = 0.0
        var bins: [ReliabilityBin] = []
        for b in 0..<binCount {
            let weight = binWeight[b]
            let (lower, upper): (Double, Double)
            switch binning {
            case .equalWidth: (lower, upper) = (edges[b], edges[b + 1])
            case .equalMass: (lower, upper) = (binLow[b], binHigh[b])
            }
            guard weight > 0 else {
                bins.append(ReliabilityBin(lower: lower, upper: upper, count: 0, meanConfidence: .nan, accuracy: .nan))
                continue
            }
            let meanConfidence = binConfidence[b] / weight, binAccuracy = binCorrect[b] / weight
            let gap = binAccuracy - meanConfidence
            ece += weight / total * abs(gap)
            mce = max(mce, abs(gap))
            reliability += weight / total * gap * gap
            resolution += weight / total * (binAccuracy - accuracy) * (binAccuracy - accuracy)
            bins.append(ReliabilityBin(lower: lower, upper: upper, count: weight, meanConfidence: meanConfidence, accuracy: binAccuracy))
        }
        // Kumar, Liang and Ma (2019)'s debiased ECE: the plug-in ECE's upward bias, estimated by
        // redrawing each bin's accuracy from N(acc, acc(1 − acc)/n_m) a fixed number of times
        // from a fixed stream, is subtracted: 2·ECE − mean(ECE of the redraws).
        var redrawn = 0.0
        var stream = RandomStream(seed: Self.debiasSeed)
        for _ in 0..<Self.debiasDraws {
            var e = 0.0
            for bin in bins where bin.count > 0 {
                let sd = (bin.accuracy * (1 - bin.accuracy) / bin.count).squareRoot()
                e += bin.count / total * abs(bin.accuracy + sd * stream.nextNormal() - bin.meanConfidence)
            }
            redrawn += e
        }
        let eceDebiased = 2 * ece - redrawn / Double(Self.debiasDraws)
        let positives = sumCorrect, negatives = total - sumCorrect
        return CalibrationReport(
            n: total, accuracy: accuracy, meanConfidence: sumConfidence / total, ece: ece, mce: mce,
            rmsce: reliability.squareRoot(), eceDebiased: eceDebiased, brier: brier / total, reliability: reliability, resolution: resolution,
            uncertainty: accuracy * (1 - accuracy), nll: nll / total,
            auroc: positives > 0 && negatives > 0 ? aucSum / (positives * negatives) : nil,
            bins: bins, binning: binning)
    }
}
