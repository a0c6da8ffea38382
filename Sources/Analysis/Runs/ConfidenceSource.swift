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
    /// P(True): the model's probability of `yes` after `Right?` under its greedy answer, paired
    /// with the greedy answer (models of the stated-confidence vocabulary).
    case ptrue
    /// The decile the greedy completion states on its `Confidence:` line, paired with the greedy
    /// answer; a missing or malformed line has no value and is counted instead.
    case verbalized
    /// SELF's feedback confidence: the model's probability that its feedback on its greedy answer
    /// begins `accept`, paired with the greedy answer (models of the feedback format).
    case feedback

    /// The source's name in a table's header ("P(True)" for `ptrue`).
    package var title: String {
        switch self {
        case .sequence, .answer, .vote, .verbalized, .feedback: rawValue
        case .ptrue: "P(True)"
        }
    }

    /// Whether the model states this confidence itself (rather than the confidence being read
    /// off its token probabilities or samples).
    package var isStated: Bool {
        switch self {
        case .sequence, .answer, .vote: false
        case .ptrue, .verbalized, .feedback: true
        }
    }
}

/// What the corrigibility probe's robot believes its answer is worth from: one of the answer's
/// confidences, or the k held-out samples (their share right).
package enum ProbeBelief: RawRepresentable, CaseIterable, Equatable, Sendable {
    case confidence(ConfidenceSource)
    case samples

    package static var allCases: [ProbeBelief] { ConfidenceSource.allCases.map(ProbeBelief.confidence) + [.samples] }

    /// "sequence", "answer", "vote", "ptrue", "verbalized", "feedback" or "samples".
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
