import Foundation
import Numerics

/// Computes calibration reports for one set of predictions.
///
/// The predictions are sorted once by confidence (a radix sort on keys that pack the
/// confidence's bit pattern with the outcome); every metric is then one pass over the sorted
/// order, one tie group of equal confidence at a time. No bin ever reads the outcomes: a tie
/// group always lands in one bin whole, so the labels cannot choose which rows share a bin. A bootstrap resample is a vector of integer weights over that order, so it costs one
/// more pass and no sort. At ten million pairs a report takes a fraction of a second.
public struct CalibrationAnalysis: Sendable {
    public let binning: Binning
    /// Confidences in ascending order, and the matching outcomes (1 = right).
    let confidence: [Double]
    let outcome: [UInt8]

    public var count: Int { confidence.count }

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

    /// The report with percentile bootstrap intervals (`level` two-sided, 0.95 by default).
    /// Resample r draws n pairs with replacement from its own stream (seed, r), so the intervals
    /// are the same for any thread count. Cost: O(resamples × n).
    public func report(bootstrap resamples: Int, seed: UInt64, level: Double = 0.95, threads: Int = Parallel.availableCores,
                       progress: (@Sendable (Int) -> Void)? = nil) -> CalibrationReport {
        var report = evaluate(weights: nil)
        guard resamples > 0 else { return report }
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
        for (m, metric) in CalibrationMetric.allCases.enumerated() {
            // A resample with a single class has no AUROC; the interval uses the others.
            let values = samples.compactMap { $0[m] }.filter(\.isFinite).sorted()
            guard !values.isEmpty else { continue }
            report.intervals[metric] = Self.quantile(values, alpha)...Self.quantile(values, 1 - alpha)
        }
        return report
    }

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
        let positives = sumCorrect, negatives = total - sumCorrect
        return CalibrationReport(
            n: total, accuracy: accuracy, meanConfidence: sumConfidence / total, ece: ece, mce: mce,
            rmsce: reliability.squareRoot(), brier: brier / total, reliability: reliability, resolution: resolution,
            uncertainty: accuracy * (1 - accuracy), nll: nll / total,
            auroc: positives > 0 && negatives > 0 ? aucSum / (positives * negatives) : nil,
            bins: bins, binning: binning)
    }
}
