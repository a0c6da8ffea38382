/// Step-level self-correction in the scratchpad format (S^3c-Math, Yan et al. 2024): a step the
/// model takes back is followed by a line holding only `marker`, then the step that replaces it.
///
///     <scratch>
///     4 5 7 + 3 8 6 , C: 0
///     5 + 8 , 2 C: 1          (wrong: 7 + 6 leaves 3)
///     <reflect>
///     5 + 8 , 3 C: 1
///     ...
///
/// A solution's *kept* steps are its lines without the markers and without each step a marker
/// takes back. A solution with corrections is right when its answer is right and every kept step
/// is (`StepAudit.keptStepsRight`); the answer alone is judged as for every solution.
public enum SelfCorrection {
    /// The reflection marker, a token of its own.
    public static let marker = "<reflect>"

    /// `vocabulary` with the marker appended (unchanged when it has it). Appending keeps every
    /// id, so a model extends to it without changing what it does.
    public static func vocabulary(extending vocabulary: Vocabulary) -> Vocabulary {
        vocabulary.appending([marker])
    }

    /// The steps a rationale keeps: every line but the markers and the step before each marker.
    public static func keptSteps(_ rationale: [String]) -> [String] {
        var kept: [String] = []
        for line in rationale {
            if line == marker { if !kept.isEmpty { kept.removeLast() } } else { kept.append(line) }
        }
        return kept
    }

    /// A right solution with `wrong` written at step `j` (0-based) and taken back: the steps
    /// before j, the wrong step, the marker, then steps j… and the answer. Returns the completion
    /// and the index of the wrong step's line in it (line 0 is "<scratch>"), which training
    /// reads but does not score.
    public static func splice(_ solution: Solution, at j: Int, wrong: String) -> (completion: String, wrongLine: Int) {
        precondition(solution.rationale.indices.contains(j), "a step to correct must be one of the solution's")
        let lines = Array(solution.rationale[..<j]) + [wrong, marker] + Array(solution.rationale[j...])
        return ("<scratch>\n" + lines.joined(separator: "\n") + "\n</scratch>\n" + solution.answer, 1 + j)
    }

    /// How a rationale's steps fare against the gold steps, read in order. A step taken back is
    /// an error if it was wrong (corrected if the step after the marker is right there) and a
    /// false correction if it was right. A wrong step that is not taken back is an error, and the
    /// reading stops there: what follows is built on it.
    public struct StepAudit: Sendable, Equatable {
        /// Wrong steps met, taken back or not.
        public var errors = 0
        /// Wrong steps taken back and replaced by the right step.
        public var corrected = 0
        /// Right steps met.
        public var rightSteps = 0
        /// Right steps taken back.
        public var falseCorrections = 0
        /// Whether the kept steps are exactly the gold steps.
        public var keptStepsRight = false

        /// An empty audit.
        public init() {}
    }

    /// The audit of `rationale` against `gold` (both without the scratchpad's markers).
    public static func audit(_ rationale: [String], gold: [String]) -> StepAudit {
        var audit = StepAudit()
        audit.keptStepsRight = keptSteps(rationale) == gold
        var i = 0, k = 0
        while k < rationale.count {
            let line = rationale[k]
            if line == marker { k += 1; continue }         // a marker with no step of its own before it
            let right = i < gold.count && line == gold[i]
            let takenBack = k + 1 < rationale.count && rationale[k + 1] == marker
            if takenBack {
                if right {
                    audit.rightSteps += 1; audit.falseCorrections += 1
                } else {
                    audit.errors += 1
                    if k + 2 < rationale.count, i < gold.count, rationale[k + 2] == gold[i] { audit.corrected += 1 }
                }
                k += 2                                     // the replacement stands at the same step
                continue
            }
            if !right { audit.errors += 1; break }
            audit.rightSteps += 1; i += 1; k += 1
        }
        return audit
    }
}
