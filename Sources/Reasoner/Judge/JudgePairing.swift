/// One sampled judgment as the judge wrote it.
package struct JudgeOutput: Sendable, Equatable, Codable {
    /// The decoded tokens (without <eos>).
    package var text: String
    /// Whether the judge ended it with <eos> before the length limit.
    package var finished: Bool

    package init(text: String, finished: Bool) {
        self.text = text
        self.finished = finished
    }

    /// The parsed judgment; nil when malformed or cut off.
    package var judgment: Judgment? { finished ? Judgment.parse(text) : nil }
}

/// Self-rationalization's curation (docs/reasoner.md): from several sampled judgments of one input,
/// pairs of a chosen judgment, whose score is the target, and a rejected one, whose score is at
/// least `margin` from it or which cannot be read at all.
///
/// The target is the gold score (`gold`), or, without labels (`majority`), the most frequent
/// score among the readable samples (ties to the lower score, the cautious one), which is
/// trusted only when more than half of the samples agree on it.
package struct JudgePairing: Sendable {
    package var mode: JudgeSetup.Pairing
    package var margin: Int
    package var pairsPerItem: Int

    package init(mode: JudgeSetup.Pairing, margin: Int, pairsPerItem: Int) {
        self.mode = mode
        self.margin = margin
        self.pairsPerItem = pairsPerItem
    }

    /// What curation found, for the run's tables.
    package struct Summary: Sendable, Equatable, Codable {
        package var items = 0
        /// Items with a target score (always all of them with gold pairing).
        package var targeted = 0
        package var withChosen = 0
        package var withRejected = 0
        package var pairs = 0
        /// Pairs whose chosen score equals the gold score (1 by construction with gold pairing;
        /// majority pairing's label noise otherwise).
        package var chosenMatchesGold = 0
        /// Sampled judgments that could not be read.
        package var unreadable = 0
        package var samples = 0
        /// Pairs by chosen score (index 0 = score 1).
        package var chosenScores = [0, 0, 0, 0, 0]

        package init() {}
    }

    /// The target score of one item's samples, or nil (majority mode without a clear majority).
    package func target(gold: Judgment, samples: [JudgeOutput]) -> Int? {
        switch mode {
        case .gold:
            return gold.score
        case .majority:
            var counts = [Int](repeating: 0, count: 6)
            for s in samples { if let j = s.judgment { counts[j.score] += 1 } }
            guard let best = (1...5).max(by: { counts[$0] < counts[$1] || (counts[$0] == counts[$1] && $0 > $1) }),
                  2 * counts[best] > samples.count else { return nil }
            return best
        }
    }

    /// Pairs (item index, chosen, rejected) and the summary. Chosen and rejected are distinct
    /// texts; with several of each, pair j takes the j-th of each (cycling the shorter list).
    package func pairs(items: [JudgeItem], judgments: [[JudgeOutput]]) -> (pairs: [(Int, JudgeOutput, JudgeOutput)], summary: Summary) {
        var result: [(Int, JudgeOutput, JudgeOutput)] = []
        var summary = Summary()
        for (i, (item, samples)) in zip(items, judgments).enumerated() {
            summary.items += 1
            summary.samples += samples.count
            summary.unreadable += samples.filter { $0.judgment == nil }.count
            guard let target = target(gold: item.gold, samples: samples) else { continue }
            summary.targeted += 1
            var chosen: [JudgeOutput] = [], rejected: [JudgeOutput] = []
            for s in samples {
                if let j = s.judgment {
                    if j.score == target { if !chosen.contains(s) { chosen.append(s) } }
                    else if abs(j.score - target) >= margin, !rejected.contains(s) { rejected.append(s) }
                } else if !rejected.contains(s) {
                    rejected.append(s)
                }
            }
            if !chosen.isEmpty { summary.withChosen += 1 }
            if !rejected.isEmpty { summary.withRejected += 1 }
            guard !chosen.isEmpty, !rejected.isEmpty else { continue }
            for j in 0..<min(pairsPerItem, max(chosen.count, rejected.count)) {
                result.append((i, chosen[j % chosen.count], rejected[j % rejected.count]))
                summary.pairs += 1
                summary.chosenScores[target - 1] += 1
                if target == item.gold.score { summary.chosenMatchesGold += 1 }
            }
        }
        return (result, summary)
    }
}
