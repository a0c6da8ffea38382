/// How a group's rewards become per-response advantages, and how a response's token terms are
/// averaged: the three policy-gradient estimators of confidence-and-rl.md.
///
/// For a group of G responses to one prompt with rewards r₁…r_G (mean r̄):
/// - GRPO (Shao et al. 2024): Aᵢ = (rᵢ − r̄)/(s + 10⁻⁴), s the group's sample standard deviation
///   (n − 1, as TRL's `GRPOTrainer`); each token term is divided by the response's length.
/// - Dr. GRPO (Liu et al. 2025): Aᵢ = rᵢ − r̄, and every token term is divided by the same
///   constant, the longest completion allowed, instead of the response's own length.
/// - RLOO (Ahmadian et al. 2024): Aᵢ = rᵢ − mean of the other G − 1 rewards = G/(G − 1)·(rᵢ − r̄);
///   token terms are summed (sequence-level REINFORCE).
///
/// A group whose rewards are all equal, or of one response, has zero advantages (never NaN).
/// The batch's loss is then the mean over its responses.
public enum AdvantageEstimator: String, CaseIterable, Sendable, Codable {
    case grpo
    case drGRPO = "drgrpo"
    case rloo

    /// GRPO's ε in the denominator (TRL's default).
    public static let stdEpsilon = 1e-4

    /// A group's mean reward and sample standard deviation (n − 1; 0 for a group of one).
    public static func statistics(_ rewards: [Double]) -> (mean: Double, std: Double) {
        let g = rewards.count
        guard g > 0 else { return (0, 0) }
        let mean = rewards.reduce(0, +) / Double(g)
        guard g > 1 else { return (mean, 0) }
        return (mean, (rewards.reduce(0) { $0 + ($1 - mean) * ($1 - mean) } / Double(g - 1)).squareRoot())
    }

    /// The advantages of one group's rewards.
    public func advantages(_ rewards: [Double]) -> [Double] {
        let g = rewards.count
        guard g >= 2 else { return rewards.map { _ in 0 } }
        let (mean, s) = Self.statistics(rewards)
        switch self {
        case .grpo:
            return rewards.map { s > 0 ? ($0 - mean) / (s + Self.stdEpsilon) : 0 }
        case .drGRPO:
            return rewards.map { $0 - mean }
        case .rloo:
            return rewards.map { Double(g) / Double(g - 1) * ($0 - mean) }
        }
    }

    /// The factor on each token term of a response of `length` completion tokens, when no
    /// completion may be longer than `maxLength` tokens.
    public func tokenFactor(length: Int, maxLength: Int) -> Double {
        switch self {
        case .grpo: 1 / Double(max(1, length))
        case .drGRPO: 1 / Double(max(1, maxLength))
        case .rloo: 1
        }
    }
}
