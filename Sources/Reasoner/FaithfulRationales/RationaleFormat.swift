import SafetyKitNumerics

/// PINTO's reasoner format (Wang et al. 2023, "PINTO: Faithful Language Reasoning Using
/// Prompt-Generated Rationales"): the problem, a rationale another model wrote, then the answer
/// alone.
///
///     Input:
///     4 7 + 3 8
///     Rationale:
///     4 7 + 3 8 , C: 0
///     4 + 3 , 5 C: 1
///     , 8 5 C: 0
///     8 5
///     Target:
///     8 5
///
/// The rationale is the rationalizer's scratchpad lines (its answer line left out). A perturbed
/// rationale has a share of its tokens (line breaks kept) masked (`<mask>`) or replaced by
/// another of its own tokens.
public enum RationaleFormat {
    /// The line that introduces the rationale.
    public static let marker = "Rationale:"
    /// A masked token.
    public static let mask = "<mask>"
    /// The tokens a reasoner needs beyond its task's.
    public static let tokens = [marker, mask]

    /// The reasoner's prompt for a problem and rationale lines.
    public static func prompt(_ problem: Problem, rationale: [String]) -> String {
        "Input:\n\(problem.text)\n\(marker)\n" + rationale.map { $0 + "\n" }.joined() + "Target:\n"
    }

    /// How a rationale is perturbed for the counterfactual regularizer and the faithfulness test.
    public enum Perturbation: String, CaseIterable, Sendable {
        /// Tokens replaced by `<mask>`.
        case mask
        /// Tokens replaced by another token drawn from the rationale's own.
        case replace
    }

    /// The lines with `ratio` of their tokens (rounded up, at least one when there are any)
    /// perturbed, the positions drawn without replacement from `stream`.
    public static func perturb(_ lines: [String], _ kind: Perturbation, ratio: Double, using stream: inout RandomStream) -> [String] {
        var words = lines.map { $0.split(separator: " ").map(String.init) }
        let positions = words.indices.flatMap { i in words[i].indices.map { (i, $0) } }
        guard !positions.isEmpty else { return lines }
        let pool = positions.map { words[$0.0][$0.1] }
        var candidates = positions
        for _ in 0..<max(1, Int((ratio * Double(positions.count)).rounded(.up))) where !candidates.isEmpty {
            let (i, j) = candidates.remove(at: stream.nextIndex(below: candidates.count))
            switch kind {
            case .mask: words[i][j] = mask
            case .replace: words[i][j] = pool[stream.nextIndex(below: pool.count)]
            }
        }
        return words.map { $0.joined(separator: " ") }
    }

    /// The rationale lines of a completion: its scratchpad (nil if malformed).
    public static func rationale(of completion: String, task: any ReasoningTask) -> [String]? {
        task.parse(completion)?.rationale
    }
}
