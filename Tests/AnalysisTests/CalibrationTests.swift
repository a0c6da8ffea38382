import Foundation
import Testing
@testable import SafetyKitAnalysis
@testable import SafetyKitNumerics

@Suite("Calibration metrics")
struct CalibrationTests {
    /// docs/calibration.md's public test vector (dataset A).
    static let datasetA: Predictions = {
        var c: [Double] = [], o: [Bool] = []
        for i in 0..<1000 {
            let x = (Double((i * 7919) % 1000) + 0.5) / 1000
            let u = (Double((i * 104729) % 997) + 0.5) / 997
            c.append(x.squareRoot())
            o.append(u < x)
        }
        return try! Predictions(confidences: c, correct: o)
    }()

    static func close(_ a: Double?, _ b: Double) -> Bool { a.map { abs($0 - b) <= 1e-12 } ?? false }

    @Test func datasetAMatchesThePublishedValues() {
        let width10 = CalibrationAnalysis(Self.datasetA, binning: .equalWidth(10)).report()
        let width15 = CalibrationAnalysis(Self.datasetA, binning: .equalWidth(15)).report()
        let mass10 = CalibrationAnalysis(Self.datasetA, binning: .equalMass(10)).report()
        let mass15 = CalibrationAnalysis(Self.datasetA, binning: .equalMass(15)).report()
        #expect(Self.close(width10.ece, 0.16866857129568))
        #expect(Self.close(width15.ece, 0.16866857129568))
        #expect(Self.close(mass10.ece, 0.16866857129568))
        #expect(Self.close(mass15.ece, 0.16887114116368))
        #expect(Self.close(width10.mce, 0.28787885101002) && Self.close(width15.mce, 0.30396245160537))
        #expect(Self.close(width10.rmsce, 0.18586220805168) && Self.close(width15.rmsce, 0.18635803292347))
        #expect(Self.close(width15.brier, 0.19974975117616))
        #expect(Self.close(width15.nll, 0.58055543019085))
        #expect(Self.close(width15.auroc, 0.83619337909407))
        #expect(Self.close(width15.accuracy, 0.498))
        #expect(Self.close(width15.meanConfidence, 0.66666857129568))
        #expect(width15.n == 1000 && width15.bins.count == 15)
    }

    @Test func murphyDecompositionIsExactWhenBinsHoldEqualConfidences() throws {
        let p = try Predictions(confidences: [0.1, 0.1, 0.5, 0.5, 0.5, 0.9, 0.9, 0.9, 0.9, 0.9],
                                correct: [false, true, true, false, false, true, true, true, false, true])
        let r = CalibrationAnalysis(p, binning: .equalWidth(10)).report()
        #expect(abs(r.brier - (r.reliability - r.resolution + r.uncertainty)) < 1e-15)
    }

    @Test func binEdgesAndTheEnds() throws {
        // 0.2 is an edge of 5 equal-width bins: it belongs to [0.2, 0.4). 0 is in the first bin, 1 in the last.
        let p = try Predictions(confidences: [0, 0.2, 0.39, 1, 1], correct: [false, true, true, true, false])
        let r = CalibrationAnalysis(p, binning: .equalWidth(5)).report()
        #expect(r.bins.map(\.count) == [1, 2, 0, 0, 2])
        #expect(r.bins[1].lower == 0.2 && r.bins[4].upper == 1)
        #expect(r.bins[2].accuracy.isNaN)   // empty bins contribute nothing
        // ECE by hand: bin 0 |0 − 0|, bin 1 |1 − 0.295|·2/5, bin 4 |0.5 − 1|·2/5.
        #expect(abs(r.ece - (0.705 * 0.4 + 0.5 * 0.4)) < 1e-15)
        #expect(abs(r.mce - 0.705) < 1e-15)
        // Confidences 0 and 1 are clipped to [1e-12, 1 − 1e-12] inside NLL, so a wrong answer at
        // confidence 1 costs −log(1 − (1 − 1e-12)) (about 27.6), not infinity.
        let top = 1 - 1e-12
        #expect(abs(r.nll - (-log1p(-1e-12) - log(0.2) - log(0.39) - log(top) - log1p(-top)) / 5) < 1e-12)
    }

    @Test func equalMassSplitsLikeArraySplitAndNeverSplitsTies() throws {
        // Distinct confidences: numpy's array_split on the sorted order (sizes 3, 2, 2).
        let distinct = try Predictions(confidences: [0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7], correct: [true, false, true, false, true, false, true])
        #expect(CalibrationAnalysis(distinct, binning: .equalMass(3)).report().bins.map(\.count) == [3, 2, 2])
        let few = CalibrationAnalysis(try Predictions(confidences: [0.2, 0.8], correct: [true, false]), binning: .equalMass(4)).report()
        #expect(few.bins.map(\.count) == [1, 1, 0, 0])
        // Every confidence 0.5 and half right: one bin, ECE 0 (it was 0.47 when wrong answers
        // sorted first and the bins split the tie between them).
        let tied = try Predictions(confidences: Array(repeating: 0.5, count: 100), correct: (0..<100).map { $0 % 2 == 0 })
        let r = CalibrationAnalysis(tied, binning: .equalMass(15)).report()
        #expect(r.ece == 0)
        #expect(r.bins.filter { $0.count > 0 }.map(\.count) == [100])
        // A tie goes to the group of its middle rank: ranks 0-1 (0.1), 2-6 (0.5, middle 4), 7-8.
        let mixed = try Predictions(confidences: [0.1, 0.1, 0.5, 0.5, 0.5, 0.5, 0.5, 0.9, 0.9], correct: Array(repeating: true, count: 9))
        #expect(CalibrationAnalysis(mixed, binning: .equalMass(3)).report().bins.map(\.count) == [2, 5, 2])
    }

    /// Bin membership must never read correctness: relabel every answer at random and the bins
    /// hold the same rows (same counts and mean confidences), for both schemes and heavy ties.
    @Test func changingLabelsNeverChangesBinMembership() throws {
        var stream = RandomStream(seed: 21)
        for trial in 0..<40 {
            let n = 1 + stream.nextIndex(below: 300)
            // Vote-share-like confidences: k/8, heavily tied.
            let confidences = (0..<n).map { _ in Double(stream.nextIndex(below: 9)) / 8 }
            let labels = { (stream: inout RandomStream) in (0..<n).map { _ in stream.nextUniform() < 0.5 } }
            let a = try Predictions(confidences: confidences, correct: labels(&stream))
            let b = try Predictions(confidences: confidences, correct: labels(&stream))
            for binning in [Binning.equalMass(1 + trial % 15), .equalWidth(1 + trial % 15)] {
                let ra = CalibrationAnalysis(a, binning: binning).report(), rb = CalibrationAnalysis(b, binning: binning).report()
                #expect(ra.bins.map(\.count) == rb.bins.map(\.count), "trial \(trial) \(binning)")
                #expect(zip(ra.bins, rb.bins).allSatisfy { $0.count == 0 || $0.meanConfidence == $1.meanConfidence }, "trial \(trial) \(binning)")
            }
        }
    }

    @Test func aurocCountsTiesAsHalfAndIsMissingForOneClass() throws {
        let p = try Predictions(confidences: [0.9, 0.5, 0.5, 0.1], correct: [true, true, false, false])
        // Pairs (right, wrong): (0.9, 0.5) 1, (0.9, 0.1) 1, (0.5, 0.5) ½, (0.5, 0.1) 1 → 3.5/4.
        #expect(CalibrationAnalysis(p).report().auroc == 0.875)
        let allRight = try Predictions(confidences: [0.3, 0.8], correct: [true, true])
        #expect(CalibrationAnalysis(allRight).report().auroc == nil)
    }

    @Test func bootstrapIsSeededAndIndependentOfThreads() {
        let analysis = CalibrationAnalysis(Self.datasetA)
        let a = analysis.report(bootstrap: 200, seed: 4, threads: 1)
        let b = analysis.report(bootstrap: 200, seed: 4, threads: 3)
        let c = analysis.report(bootstrap: 200, seed: 5, threads: 2)
        #expect(a.intervals == b.intervals)
        #expect(a.intervals != c.intervals)
        for metric in CalibrationMetric.allCases where metric != .eceDebiased {
            let interval = try! #require(a.intervals[metric])
            if metric != .mce { #expect(interval.contains(a.value(metric)!), "\(metric)") }
        }
        // The interval for accuracy is near the binomial one: ±1.96·√(0.498·0.502/1000) ≈ ±0.031.
        let accuracy = a.intervals[.accuracy]!
        #expect(abs((accuracy.upperBound - accuracy.lowerBound) / 2 - 0.031) < 0.006)
    }

    /// A calibrated model's ECE is mostly bias: its percentile interval lies wholly above the
    /// estimate (the audit's ECE 0.0172 [0.0271, 0.0582]); the default corrects for the bias.
    @Test func biasCorrectedIntervalsOfACalibratedModel() throws {
        var c: [Double] = [], o: [Bool] = []
        for i in 0..<1000 {
            let x = (Double((i * 7919) % 1000) + 0.5) / 1000
            c.append(x)
            o.append((Double((i * 104729) % 997) + 0.5) / 997 < x)
        }
        let analysis = CalibrationAnalysis(try Predictions(confidences: c, correct: o))
        let percentile = analysis.report(bootstrap: 400, seed: 1, method: .percentile)
        let corrected = analysis.report(bootstrap: 400, seed: 1)
        #expect(abs(corrected.ece - 0.0172) < 1e-12)
        #expect(percentile.intervals[.ece]!.lowerBound > corrected.ece)
        let ece = try #require(corrected.intervals[.ece])
        #expect(ece.lowerBound >= 0 && ece.upperBound < percentile.intervals[.ece]!.lowerBound)
        // The debiased ECE removes most of the plug-in's bias, and gets no interval of its own.
        #expect(corrected.eceDebiased < corrected.ece && corrected.intervals[.eceDebiased] == nil)
        // Unbiased statistics keep BCa intervals close to the percentile ones.
        let a = corrected.intervals[.accuracy]!, b = percentile.intervals[.accuracy]!
        #expect(abs(a.lowerBound - b.lowerBound) < 0.01 && abs(a.upperBound - b.upperBound) < 0.01)
    }

    /// BCa's levels by hand: with no bias (half the resamples below) and no acceleration they are
    /// the percentile levels; with z₀ = Φ⁻¹(0.3) and a = 0 they are Φ(2z₀ ± 1.96).
    @Test func bcaLevelsByHand() {
        let values = (0..<10).map(Double.init)
        let plain = CalibrationAnalysis.bcaLevels(bootstrap: values, estimate: 4.5, jackknife: [1, 1, 1], alpha: 0.025)
        #expect(abs(plain.0 - 0.025) < 1e-12 && abs(plain.1 - 0.975) < 1e-12)
        let shifted = CalibrationAnalysis.bcaLevels(bootstrap: values, estimate: 2.5, jackknife: [], alpha: 0.025)
        let z0 = Normal.quantile(0.3), z = Normal.quantile(0.975)
        #expect(abs(shifted.0 - Normal.cdf(2 * z0 - z)) < 1e-12 && abs(shifted.1 - Normal.cdf(2 * z0 + z)) < 1e-12)
        #expect(CalibrationAnalysis.minimumResamples(level: 0.95) == 40)
    }

    @Test func radixSortMatchesTheStandardSort() {
        var stream = RandomStream(seed: 8)
        for n in [0, 1, 100, 5000, 70000] {
            var keys = (0..<n).map { _ in stream.next() >> UInt64(stream.nextIndex(below: 60)) }
            let expected = keys.sorted()
            RadixSort.sort(&keys)
            #expect(keys == expected)
        }
    }

    @Test func badPredictionsAreRejected() throws {
        #expect(throws: AnalysisError.self) { try Predictions(confidences: [1.2], correct: [true]) }
        #expect(throws: AnalysisError.self) { try Predictions(confidences: [], correct: []) }
        #expect(throws: AnalysisError.self) { try Binning(scheme: "width", count: 0) }
        #expect(throws: AnalysisError.self) { try Binning(scheme: "quantile", count: 10) }
        let directory = try OutputFileTests.temporaryDirectory()
        func read(_ text: String) throws(AnalysisError) -> PredictionTable {
            try? text.write(toFile: directory + "/p.csv", atomically: true, encoding: .utf8)
            return try PredictionTable.read(path: directory + "/p.csv", confidenceColumn: "c", correctColumn: "o", groupColumn: nil)
        }
        #expect(throws: AnalysisError.badData(location: directory + "/p.csv:3:1", message: "confidence 1.5 is outside [0, 1] (values are never clipped)")) {
            try read("c,o\n0.5,1\n1.5,0\n")
        }
        #expect(throws: AnalysisError.self) { try read("c,o\n0.5,yes\n") }
        #expect(throws: AnalysisError.self) { try read("c,o\n.,1\n") }
        #expect(throws: AnalysisError.self) { try read("c,o\n-,1\n") }
        let words = try read("c,o\n 0.5 ,TRUE\n0.25,false\n1e-1,1.0\n\"0.75\",0\n")
        #expect(words.groups[0].predictions.correct == [true, false, true, false])
        #expect(words.groups[0].predictions.confidences == [0.5, 0.25, 0.1, 0.75])
    }

    @Test func fastNumberParsingAgreesWithSwift() {
        var stream = RandomStream(seed: 12)
        for _ in 0..<20000 {
            let x = stream.nextUniform()
            for text in [String(x), String(format: "%.6f", x), String(format: "%.15f", x), String(format: "%.3e", x), "0", "1", "0.000120"] {
                #expect(PredictionTable.number(Array(text.utf8)[...]) == Double(text), "\(text)")
            }
        }
    }
}
