/// Calibration metrics of a set of predictions (docs/calibration.md). NLL clips confidences to
/// [1e-12, 1 − 1e-12]; AUROC is nil when every answer is right or every answer is wrong.
public struct CalibrationReport: Sendable, Equatable, Codable {
    /// The number of predictions (a weighted count inside a bootstrap resample).
    public var n: Double
    /// The share of right answers.
    public var accuracy: Double
    /// The mean stated confidence.
    public var meanConfidence: Double
    /// Σ (n_m/n)|acc_m − conf_m| over the bins.
    public var ece: Double
    /// The largest |acc_m − conf_m| over non-empty bins.
    public var mce: Double
    /// √(Σ (n_m/n)(acc_m − conf_m)²).
    public var rmsce: Double
    /// The ECE with its upward bias removed (Kumar, Liang and Ma 2019, "Verified uncertainty
    /// calibration"): 2·ECE − the mean ECE of bin accuracies redrawn from their normal
    /// approximation. It can be below 0 when the data are consistent with perfect calibration.
    /// `ece` is the plug-in estimate.
    public var eceDebiased: Double
    /// (1/n) Σ (c − o)².
    public var brier: Double
    /// Murphy's decomposition over the same bins: Brier ≈ reliability − resolution + uncertainty
    /// (exact only when the confidences within each bin are equal).
    public var reliability: Double
    /// (see `reliability`)
    public var resolution: Double
    /// (see `reliability`)
    public var uncertainty: Double
    /// −(1/n) Σ [o log c + (1 − o) log(1 − c)] with c clipped to [1e-12, 1 − 1e-12].
    public var nll: Double
    /// P(c₊ > c₋) + ½P(c₊ = c₋) over (right, wrong) pairs; nil when one class is absent.
    public var auroc: Double?
    /// The reliability diagram: one entry per bin, empty bins included.
    public var bins: [ReliabilityBin]
    /// The binning the bin-based metrics used.
    public var binning: Binning
    /// Bootstrap intervals, when computed, and how they were read off the resamples.
    public var intervals: [CalibrationMetric: ClosedRange<Double>] = [:]
    /// How `intervals` were read off the resamples (BCa by default; see docs/calibration.md).
    public var intervalMethod: CalibrationAnalysis.IntervalMethod = .bca

    /// The clip applied to confidences inside NLL's logarithms.
    public static let nllClip = 1e-12

    /// A metric's value by name; nil for an undefined AUROC.
    public func value(_ metric: CalibrationMetric) -> Double? {
        switch metric {
        case .accuracy: accuracy
        case .meanConfidence: meanConfidence
        case .ece: ece
        case .mce: mce
        case .rmsce: rmsce
        case .eceDebiased: eceDebiased
        case .brier: brier
        case .reliability: reliability
        case .resolution: resolution
        case .uncertainty: uncertainty
        case .nll: nll
        case .auroc: auroc
        }
    }
}

/// The scalar metrics of a report, in table order; their raw values are the keys used in
/// CSV and JSON output.
public enum CalibrationMetric: String, CaseIterable, Sendable, Codable, CodingKeyRepresentable {
    case accuracy
    case meanConfidence = "mean_confidence"
    case ece
    case eceDebiased = "ece_debiased"
    case mce, rmsce, brier, reliability, resolution, uncertainty, nll, auroc

    /// The values the metric can take (the debiased ECE may be slightly negative).
    public var range: ClosedRange<Double> {
        switch self {
        case .accuracy, .meanConfidence, .ece, .mce, .rmsce, .brier, .reliability, .resolution, .uncertainty, .auroc: 0...1
        case .eceDebiased: -1...1
        case .nll: 0...Double.greatestFiniteMagnitude
        }
    }
}
