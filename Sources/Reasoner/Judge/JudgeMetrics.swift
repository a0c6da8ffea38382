/// What a judge's greedy judgments of the held-out candidates say about it, over one difficulty
/// or all (docs/reasoner.md; issue 6):
///
/// - exact-score accuracy, and its mean over the gold scores present (balanced: a judge that
///   always says 5 scores well on easy lengths, where most candidates are right);
/// - mean absolute error of the score (over readable judgments);
/// - agreement with gold on the first wrong step ("none" included);
/// - best-of-k: the accuracy of the candidate the judge ranks highest among a problem's k samples
///   (ties to the earliest sample; malformed samples are never picked while another exists),
///   beside the first sample (a random pick), the policy's own most confident sample, the
///   majority answer, and the oracle (any sample right).
///
/// Unreadable judgments count as wrong in accuracy and agreement, are left out of the MAE, and
/// rank below every readable one.
package struct JudgeMetrics: Sendable, Equatable {
    package var candidates = 0
    package var readable = 0.0
    package var exactAccuracy = 0.0
    package var balancedAccuracy = 0.0
    package var meanAbsoluteError = 0.0
    package var stepAgreement = 0.0
    /// Share of right candidates the judge gives 5, and of wrong ones it gives less.
    package var rightRecognized = 0.0, wrongRecognized = 0.0
    package var problems = 0
    package var bestOfK = 0.0, firstSample = 0.0, policyRanked = 0.0, majorityVote = 0.0, oracle = 0.0

    package init() {}

    /// Metrics over the items and problems at `difficulty` (nil: all).
    package init(data: JudgeData, judgments: [JudgeOutput], difficulty: Int? = nil) {
        let chosen = data.heldOutItems.indices.filter { difficulty == nil || data.heldOutItems[$0].problem.difficulty == difficulty }
        candidates = chosen.count
        var exact = 0, readableCount = 0, absolute = 0, agree = 0
        var perScore = [Int: (right: Int, total: Int)]()
        var right = (recognized: 0, total: 0), wrong = (recognized: 0, total: 0)
        for i in chosen {
            let item = data.heldOutItems[i], judged = judgments[i].judgment
            let hit = judged?.score == item.gold.score
            perScore[item.gold.score, default: (0, 0)].total += 1
            if hit { exact += 1; perScore[item.gold.score]!.right += 1 }
            if let judged {
                readableCount += 1
                absolute += abs(judged.score - item.gold.score)
                if judged.firstWrongStep == item.gold.firstWrongStep { agree += 1 }
            }
            if item.correct { right.total += 1; if judged?.score == 5 { right.recognized += 1 } }
            else { wrong.total += 1; if let s = judged?.score, s < 5 { wrong.recognized += 1 } }
        }
        func share(_ a: Int, _ b: Int) -> Double { b > 0 ? Double(a) / Double(b) : 0 }
        readable = share(readableCount, candidates)
        exactAccuracy = share(exact, candidates)
        // Summed in score order: a dictionary's order changes from process to process, and the last
        // bits of a floating-point sum with it.
        balancedAccuracy = perScore.isEmpty ? 0
            : perScore.keys.sorted().reduce(0.0) { $0 + share(perScore[$1]!.right, perScore[$1]!.total) } / Double(perScore.count)
        meanAbsoluteError = share(absolute, readableCount)
        stepAgreement = share(agree, candidates)
        rightRecognized = share(right.recognized, right.total)
        wrongRecognized = share(wrong.recognized, wrong.total)

        let sampleItems = data.heldOutSampleItems
        var picks = (judge: 0, first: 0, policy: 0, majority: 0, oracle: 0)
        for (p, problem) in data.heldOut.enumerated() where difficulty == nil || problem.problem.difficulty == difficulty {
            problems += 1
            guard !problem.samples.isEmpty else { continue }
            let scores = sampleItems[p].map { index -> Int in index.flatMap { judgments[$0].judgment?.score } ?? (index == nil ? -1 : 0) }
            picks.judge += problem.correct[Self.firstMaximum(scores)] ? 1 : 0
            picks.first += problem.correct[0] ? 1 : 0
            let confidences = problem.confidences.enumerated().map { sampleItems[p][$0.offset] == nil ? -1 : $0.element }
            picks.policy += problem.correct[Self.firstMaximum(confidences)] ? 1 : 0
            picks.oracle += problem.correct.contains(true) ? 1 : 0
            picks.majority += Self.majorityCorrect(problem) ? 1 : 0
        }
        bestOfK = share(picks.judge, problems)
        firstSample = share(picks.first, problems)
        policyRanked = share(picks.policy, problems)
        majorityVote = share(picks.majority, problems)
        oracle = share(picks.oracle, problems)
    }

    /// The index of the first largest value.
    static func firstMaximum<T: Comparable>(_ values: [T]) -> Int {
        var best = 0
        for i in values.indices where values[i] > values[best] { best = i }
        return best
    }

    /// Whether the most frequent answer among the parseable samples (ties to the earliest) is right.
    static func majorityCorrect(_ problem: JudgeHeldOutProblem) -> Bool {
        var counts: [String: Int] = [:], order: [String] = []
        for case let answer? in problem.answers {
            if counts[answer] == nil { order.append(answer) }
            counts[answer, default: 0] += 1
        }
        var top: String? = nil
        for answer in order where top == nil || counts[answer]! > counts[top!]! { top = answer }
        return top != nil && top == problem.problem.answer
    }
}
