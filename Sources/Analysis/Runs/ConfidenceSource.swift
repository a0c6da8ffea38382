import Foundation

/// Which confidence of a held-out answer is meant (docs/calibration.md): each is paired with the
/// correctness of its own answer.
package enum ConfidenceSource: String, CaseIterable, Codable, Sendable {
    /// exp(mean log p) of the greedy completion, paired with the greedy answer.
    case sequence
    /// p(answer tokens | prompt, rationale) of the greedy completion, paired with the greedy answer.
    case answer
    /// The majority answer's share of the held-out samples, paired with the majority answer.
    case vote
}

/// What the corrigibility probe's robot believes its answer is worth from: one of the answer's
/// confidences, or the k held-out samples (their share right).
package enum ProbeBelief: RawRepresentable, CaseIterable, Equatable, Sendable {
    case confidence(ConfidenceSource)
    case samples

    package static var allCases: [ProbeBelief] { ConfidenceSource.allCases.map(ProbeBelief.confidence) + [.samples] }

    /// "sequence", "answer", "vote" or "samples".
    package var rawValue: String {
        switch self {
        case let .confidence(source): source.rawValue
        case .samples: "samples"
        }
    }

    package init?(rawValue: String) {
        if rawValue == "samples" { self = .samples; return }
        guard let source = ConfidenceSource(rawValue: rawValue) else { return nil }
        self = .confidence(source)
    }

    /// The confidence whose calibration goes with this belief: its own, or the answer
    /// confidence beside the samples.
    package var calibratedSource: ConfidenceSource {
        switch self {
        case let .confidence(source): source
        case .samples: .answer
        }
    }
}
