import Foundation

/// Losses on preference pairs (docs/reasoner.md), as functions of the summed completion
/// log-probabilities of the chosen (w) and rejected (l) responses under the policy π and the
/// frozen reference, and of the responses' lengths (tokens, <eos> included).
///
/// - DPO: L = −log σ(u), u = β[(π_w − ref_w) − (π_l − ref_l)].
/// - IPO: L = (h − 1/(2β))², h = (π_w − ref_w)/|w| − (π_l − ref_l)/|l| (length-averaged).
/// - RPO (iterative RPO, Pang et al. 2024): DPO + α·(−π_w)/|w|, the chosen response's
///   length-normalised NLL; α = 1.
public enum PreferenceLoss: Sendable, Equatable {
    case dpo(beta: Double)
    case ipo(beta: Double)
    case rpo(beta: Double, alpha: Double)

    /// The loss's β (its inverse temperature on the log-ratio margin).
    public var beta: Double {
        switch self { case let .dpo(b), let .ipo(b), let .rpo(b, _): return b }
    }

    /// The name on the command line.
    public var name: String {
        switch self { case .dpo: return "dpo"; case .ipo: return "ipo"; case .rpo: return "rpo" }
    }

    /// One pair's summed log-probabilities and lengths.
    public struct Pair: Sendable, Equatable {
        /// Summed log-probabilities of the chosen and rejected completions under the policy.
        public var policyChosen: Double, policyRejected: Double
        /// The same under the frozen reference model.
        public var referenceChosen: Double, referenceRejected: Double
        /// The completions' token counts (for length-normalised losses).
        public var chosenLength: Int, rejectedLength: Int

        /// One pair's log-probabilities.
        public init(policyChosen: Double, policyRejected: Double, referenceChosen: Double, referenceRejected: Double,
                    chosenLength: Int, rejectedLength: Int) {
            self.policyChosen = policyChosen
            self.policyRejected = policyRejected
            self.referenceChosen = referenceChosen
            self.referenceRejected = referenceRejected
            self.chosenLength = chosenLength
            self.rejectedLength = rejectedLength
        }

        /// TRL's implicit rewards: β·(log π − log ref).
        public func rewards(beta: Double) -> (chosen: Double, rejected: Double) {
            (beta * (policyChosen - referenceChosen), beta * (policyRejected - referenceRejected))
        }
    }

    /// The loss of one pair and its derivatives with respect to π_w and π_l.
    public func evaluate(_ p: Pair) -> (loss: Double, dChosen: Double, dRejected: Double) {
        switch self {
        case let .dpo(beta), let .rpo(beta, _):
            let u = beta * ((p.policyChosen - p.referenceChosen) - (p.policyRejected - p.referenceRejected))
            // −log σ(u) = softplus(−u), computed without overflow; dL/du = −σ(−u).
            let loss = u > 0 ? log1p(exp(-u)) : -u + log1p(exp(u))
            let slope = -1 / (1 + exp(u))
            var result = (loss: loss, dChosen: beta * slope, dRejected: -beta * slope)
            if case let .rpo(_, alpha) = self {
                let n = Double(max(1, p.chosenLength))
                result.loss += alpha * -p.policyChosen / n
                result.dChosen += -alpha / n
            }
            return result
        case let .ipo(beta):
            let nw = Double(max(1, p.chosenLength)), nl = Double(max(1, p.rejectedLength))
            let h = (p.policyChosen - p.referenceChosen) / nw - (p.policyRejected - p.referenceRejected) / nl
            let gap = h - 1 / (2 * beta)
            return (gap * gap, 2 * gap / nw, -2 * gap / nl)
        }
    }
}
