/// How predictions are grouped into bins (docs/calibration.md, "Binning conventions").
public enum Binning: Sendable, Equatable, Codable, CustomStringConvertible {
    /// B bins with edges k/B; each is [lo, hi) except the last, [lo, 1], so a confidence of
    /// exactly 1 is in the last bin. Empty bins contribute nothing.
    case equalWidth(Int)
    /// Sorted by confidence and split into B groups whose sizes differ by at most one (the first
    /// n mod B groups are one larger, as numpy's array_split), except that tied confidences are
    /// never split: a run of equal confidences goes whole into the group of its middle rank
    /// (rank ⌊(first + last)/2⌋). Bins may then differ in size by more than one, and some may be
    /// empty, but membership never depends on which answers were right. With distinct
    /// confidences this is exactly array_split on the sorted order.
    case equalMass(Int)

    /// The default: 15 equal-width bins.
    public static let standard = Binning.equalWidth(15)

    /// The number of bins B.
    public var count: Int {
        switch self {
        case let .equalWidth(b), let .equalMass(b): b
        }
    }

    /// "equal-width" or "equal-mass".
    public var scheme: String {
        switch self {
        case .equalWidth: "equal-width"
        case .equalMass: "equal-mass"
        }
    }

    public var description: String { "\(count) \(scheme) bins" }

    /// A binning from its command-line words, or an error naming what is accepted.
    public init(scheme: String, count: Int) throws(AnalysisError) {
        guard count >= 1 else { throw .badData(location: "binning", message: "\(count) bins; expected at least 1") }
        switch scheme {
        case "width", "equal-width": self = .equalWidth(count)
        case "mass", "equal-mass": self = .equalMass(count)
        default: throw .badData(location: "binning", message: "unknown scheme '\(scheme)'; expected width (equal-width) or mass (equal-mass)")
        }
    }
}

/// One bin of a reliability diagram.
public struct ReliabilityBin: Sendable, Equatable, Codable {
    /// The bin's range: its edges (equal-width) or the smallest and largest confidence in it (equal-mass).
    public var lower: Double
    /// (see `lower`)
    public var upper: Double
    /// How many predictions fell in it.
    public var count: Double
    /// Their mean confidence and their accuracy (NaN for an empty bin).
    public var meanConfidence: Double
    /// (see `meanConfidence`)
    public var accuracy: Double
}
