/// Axis titles in the domain's symbols and words for the column names SafetyKit writes
/// (`sigma` is drawn as "σ", `greedy_accuracy` as "held-out greedy accuracy"); any other name is
/// shown with its underscores as spaces.
package enum AxisLabel {
    static let known: [String: String] = [
        "mu": "μ (mean of the robot's belief)", "sigma": "σ (spread of the robot's belief)", "beta": "β (human's Boltzmann temperature)",
        "delta": "Δ, incentive to defer", "eu_act": "E[U], value of acting", "eu_wait": "E[πU], value of waiting", "p_allow": "P(human allows)",
        "p": "p (probability the human is rational)", "c": "c (probability the human allows)", "lo": "lower end of U", "hi": "upper end of U",
        "greedy_accuracy": "held-out greedy accuracy", "maj_at_k": "held-out majority-vote accuracy", "pass_at_k": "held-out pass@k",
        "ece": "ECE", "ece_answer": "ECE of the answer confidence", "ece_sequence": "ECE of the sequence confidence",
        "ece_vote": "ECE of the vote share", "diversity": "distinct completions per sample (share)",
        "selected_steps_correct_share": "selected rationales with every step right (share)", "loss": "training loss", "step": "training step", "iteration": "iteration", "round": "round",
        "epsilon": "ε (human's error rate)", "press": "interruption probability", "human-beta": "human's β", "robot-beta": "robot's assumed β",
        "bonus": "constant shutdown bonus",
    ]

    /// The readable title for a column or parameter name.
    package static func readable(_ name: String) -> String {
        known[name] ?? name.replacingOccurrences(of: "_", with: " ")
    }
}
