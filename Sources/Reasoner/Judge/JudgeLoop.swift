import Foundation
import SafetyKitNumerics

/// A judge that improves itself (docs/reasoner.md; Trivedi et al. 2024, self-rationalization):
///
/// 1. draw candidates from the policy (`collect`): its own samples, right and wrong;
/// 2. fine-tune the judge on seed judgments (`trainSeedJudge`), iteration 0;
/// 3. each iteration (`iterate`): sample several judgments per pool input at temperature 1,
///    pair a judgment with the gold score (chosen) with one whose score is at least `margin` away
///    (rejected), and train with DPO (plus the chosen judgment's NLL by default) against the previous judge;
/// 4. measure every iteration on held-out candidates (`evaluate`).
///
/// Every random choice comes from a stream addressed by (seed, purpose, iteration), so an
/// iteration depends only on the judge it starts from: a resumed run repeats an uninterrupted one.
package final class JudgeLoop {
    package let setup: JudgeSetup
    package let judgeTask: JudgeTask
    package let vocabulary = JudgeTask.vocabulary
    package let heldOutProblems: [Problem]
    package let seedProblems: [Problem]
    package let poolProblems: [Problem]

    package init(setup: JudgeSetup) {
        self.setup = setup
        judgeTask = JudgeTask(task: setup.task)
        let task = setup.task, seed = setup.seed
        heldOutProblems = Evaluation.problems(task: task, difficulties: setup.difficulties, count: setup.heldOutProblemsPerDifficulty, seed: seed)
        var taken = Set(heldOutProblems.map(\.key))
        seedProblems = SelfImprovementLoop.draw(task: task, difficulties: setup.difficulties, count: { _ in setup.seedProblemsPerDifficulty },
                                                excluding: &taken, seed: seed, purpose: .judgeSeedProblems)
        poolProblems = SelfImprovementLoop.draw(task: task, difficulties: setup.difficulties, count: { _ in setup.poolProblemsPerDifficulty },
                                                excluding: &taken, seed: seed, purpose: .judgePoolProblems)
    }

    func seed(for purpose: StreamPurpose, iteration: Int = 0) -> UInt64 {
        RandomStream(seed: setup.seed, purpose: purpose).substream(UInt64(iteration)).key
    }

    // MARK: Candidates

    /// The policy's samples: k per problem for the seed, pool and held-out problems.
    /// `progress(done, total)` counts problems.
    package func collect(policy: TransformerModel, policyVocabulary: Vocabulary = .standard,
                        progress: ((Int, Int) -> Void)? = nil) throws(ReasonerError) -> JudgeData {
        let task = setup.task, k = setup.candidatesPerProblem
        let all = seedProblems + poolProblems + heldOutProblems
        let longest = all.map { (try? policyVocabulary.encode(task.target($0)).count) ?? 0 }.max() ?? 0
        let sampler = Sampler(temperature: setup.policyTemperature, maxTokens: longest + longest / 4 + 4)
        // Each set from its own stream, so the held-out samples do not depend on the training sets' sizes
        // (and `judge eval` with a run's seed judges the run's held-out candidates).
        var attempts: [[Attempt]] = []
        for (set, purpose) in [(seedProblems, StreamPurpose.judgeSeedAnswers), (poolProblems, .judgePoolAnswers), (heldOutProblems, .judgeHeldOutAnswers)] where !set.isEmpty {
            let done = attempts.count
            attempts += try Attempt.sample(policy, task: task, problems: set, k: k, sampler: sampler, hint: false, vocabulary: policyVocabulary,
                                           seed: seed(for: purpose), batchSize: setup.samplingBatch, progress: { progress?(done + $0, all.count) })
        }
        func item(_ problem: Problem, _ attempt: Attempt) -> JudgeItem? {
            guard attempt.solution != nil, let gold = judgeTask.gold(problem, candidate: attempt.completion) else { return nil }
            return JudgeItem(problem: problem, candidate: attempt.completion, gold: gold, correct: attempt.isCorrect(problem.answer),
                             policyConfidence: attempt.sequenceConfidence)
        }
        /// Distinct parseable candidates, at most `right` right and `wrong` wrong ones per problem.
        func items(_ range: Range<Int>, right: Int, wrong: Int) -> [JudgeItem] {
            var result: [JudgeItem] = []
            for i in range {
                var seen = Set<String>(), rights = 0, wrongs = 0
                for a in attempts[i] where seen.insert(a.completion).inserted {
                    guard let it = item(all[i], a) else { continue }
                    if it.correct { guard rights < right else { continue }; rights += 1 } else { guard wrongs < wrong else { continue }; wrongs += 1 }
                    result.append(it)
                }
            }
            return result
        }
        let s = seedProblems.count, p = poolProblems.count
        let heldOutRange = (s + p)..<all.count
        let heldOut = heldOutRange.map { i in
            JudgeHeldOutProblem(problem: all[i], samples: attempts[i].map(\.completion), confidences: attempts[i].map(\.sequenceConfidence),
                                answers: attempts[i].map(\.answer), correct: attempts[i].map { $0.isCorrect(all[i].answer) })
        }
        return JudgeData(seed: items(0..<s, right: setup.rightPerProblem, wrong: setup.wrongPerProblem),
                         pool: items(s..<(s + p), right: setup.rightPerProblem, wrong: setup.wrongPerProblem),
                         heldOut: heldOut, heldOutItems: items(heldOutRange, right: k, wrong: k))
    }

    // MARK: The seed judge

    /// The judge's starting weights: the policy's, with embedding rows for the judge's tokens, or
    /// fresh weights of the same shape.
    package func initialJudge(policy: TransformerModel) throws(ReasonerError) -> TransformerModel {
        let extra = vocabulary.count - policy.configuration.vocabularySize
        switch setup.initialization {
        case .policy:
            guard extra >= 0 else { throw .badConfiguration("the policy's vocabulary is larger than the judge's") }
            return try policy.extendingVocabulary(by: extra, seed: seed(for: .judgeInitialization))
        case .scratch:
            var configuration = policy.configuration
            configuration.vocabularySize = vocabulary.count
            configuration.dropout = 0
            return try TransformerModel(configuration: configuration, seed: seed(for: .judgeInitialization))
        }
    }

    /// The judge's prompt for an item, as token ids.
    func promptTokens(_ item: JudgeItem) throws(ReasonerError) -> [Int] {
        try vocabulary.encode(judgeTask.prompt(item.problem, candidate: item.candidate), context: "the judge prompt of \(item.problem.key)")
    }

    /// An item as a training example: the judge's prompt, then `judgment` (gold by default) and <eos>.
    package func example(_ item: JudgeItem, judgment: String? = nil) throws(ReasonerError) -> TrainingExample {
        let prompt = try promptTokens(item)
        let body = try vocabulary.encode(judgment ?? item.gold.text, context: "a judgment of \(item.problem.key)")
        return TrainingExample(tokens: prompt + body + [vocabulary.eos], promptLength: prompt.count)
    }

    /// SFT on the seed judgments. `progress(step, smoothed loss)` follows every step.
    package func trainSeedJudge(_ start: TransformerModel, data: JudgeData,
                               progress: ((Int, Double) -> Void)? = nil) throws(ReasonerError) -> (model: TransformerModel, loss: Double) {
        guard !data.seed.isEmpty else { throw .badProblem("the policy produced no parseable candidates for the seed judgments") }
        var examples: [TrainingExample] = []
        for item in data.seed { examples.append(try example(item)) }
        let trainer = SupervisedTrainer(model: start, schedule: LearningRateSchedule(peak: setup.sftLearningRate, warmupSteps: setup.warmupSteps,
                                                                                     totalSteps: setup.sftSteps),
                                        batchSize: setup.batchSize, vocabulary: vocabulary)
        var none: RandomStream? = nil, smoothed = 0.0
        for step in 0..<setup.sftSteps {
            let batch = SelfImprovementLoop.draw(setup.batchSize, from: examples, iteration: 0, step: step, seed: setup.seed, purpose: .judgeSupervisedBatches)
            let report = try trainer.step(batch, dropout: &none)
            smoothed = step == 0 ? report.loss : 0.95 * smoothed + 0.05 * report.loss
            progress?(step + 1, smoothed)
        }
        return (trainer.model, smoothed)
    }

    // MARK: Judging

    /// The most tokens a judgment may take: the longest gold judgment among the items, plus 4.
    func judgmentTokens(_ items: [JudgeItem]) -> Int {
        (items.map { (try? vocabulary.encode($0.gold.text).count) ?? 0 }.max() ?? 0) + 4
    }

    /// `k` judgments per item, sampled with `temperature` (0 = greedy) from
    /// stream (seed, purpose, iteration). Result [i][j] is item i's j-th judgment.
    package func judge(_ model: TransformerModel, items: [JudgeItem], k: Int, temperature: Float, purpose: StreamPurpose, iteration: Int,
                      progress: ((Int, Int) -> Void)? = nil) throws(ReasonerError) -> [[JudgeOutput]] {
        var prompts: [[Int]] = []
        prompts.reserveCapacity(items.count * k)
        for item in items {
            let prompt = try promptTokens(item)
            guard prompt.count < model.configuration.contextLength else {
                throw .badProblem("a judge prompt has \(prompt.count) tokens; the judge's context is \(model.configuration.contextLength)")
            }
            for _ in 0..<k { prompts.append(prompt) }
        }
        let sampler = Sampler(temperature: temperature, maxTokens: judgmentTokens(items))
        let stream = seed(for: purpose, iteration: iteration)
        var result: [[JudgeOutput]] = items.map { _ in [] }
        for start in stride(from: 0, to: prompts.count, by: setup.samplingBatch) {
            let end = min(prompts.count, start + setup.samplingBatch)
            let samples = sampler.generate(model, prompts: Array(prompts[start..<end]), eos: vocabulary.eos, seed: stream, firstStream: start)
            for (offset, s) in samples.enumerated() {
                result[(start + offset) / k].append(JudgeOutput(text: vocabulary.decode(s.tokens), finished: s.finished))
            }
            progress?(end / k, items.count)
        }
        return result
    }

    /// Greedy judgments of every held-out candidate: iteration n's measurement.
    package func evaluate(_ model: TransformerModel, data: JudgeData, iteration: Int,
                         progress: ((Int, Int) -> Void)? = nil) throws(ReasonerError) -> [JudgeOutput] {
        try judge(model, items: data.heldOutItems, k: 1, temperature: 0, purpose: .judgeHeldOutVerdicts, iteration: iteration, progress: progress).map { $0[0] }
    }

    // MARK: Self-rationalization

    /// The outcome of one iteration.
    package struct Outcome: Sendable {
        package var model: TransformerModel
        package var pairing: JudgePairing.Summary
        package var preferenceLog: [PreferenceTrainer.StepLog]
        package var seconds: (collect: Double, train: Double)
    }

    /// Iteration n ≥ 1: sample judgments of the pool at temperature 1, pair, and train with the
    /// preference loss against `current` (the reference), starting from it.
    package func iterate(_ n: Int, current: TransformerModel, data: JudgeData,
                        phase: ((String, Int, Int) -> Void)? = nil) throws(ReasonerError) -> Outcome {
        var clock = Date()
        let samples = try judge(current, items: data.pool, k: setup.judgmentsPerItem, temperature: setup.judgeTemperature, purpose: .judgePoolVerdicts,
                                iteration: n, progress: { phase?("judging", $0, $1) })
        let pairing = JudgePairing(mode: setup.pairing, margin: setup.margin, pairsPerItem: setup.pairsPerItem)
        let (chosenRejected, summary) = pairing.pairs(items: data.pool, judgments: samples)
        var pairs: [PreferenceExample] = []
        for (i, chosen, rejected) in chosenRejected {
            let item = data.pool[i]
            let prompt = try promptTokens(item)
            // Each response as sampled: <eos> ends it only if the judge wrote one (a cut-off judgment has none).
            func tokens(_ output: JudgeOutput) throws(ReasonerError) -> [Int] {
                try vocabulary.encode(output.text, context: "a sampled judgment") + (output.finished ? [vocabulary.eos] : [])
            }
            pairs.append(PreferenceExample(prompt: prompt, chosen: try tokens(chosen), rejected: try tokens(rejected)))
        }
        let collectSeconds = Date().timeIntervalSince(clock)
        clock = Date()
        var model = current
        var log: [PreferenceTrainer.StepLog] = []
        if !pairs.isEmpty {
            (model, log, _) = try PreferenceTrainer.run(from: current, pairs: pairs, loss: setup.loss,
                                                     schedule: LearningRateSchedule(peak: setup.preferenceLearningRate, warmupSteps: setup.preferenceWarmupSteps,
                                                                                    totalSteps: setup.preferenceSteps),
                                                     pairsPerStep: max(1, setup.batchSize / 2), iteration: n, seed: setup.seed, purpose: .judgePreferenceBatches) {
                phase?("training", $0, self.setup.preferenceSteps)
            }
        }
        return Outcome(model: model, pairing: summary, preferenceLog: log, seconds: (collectSeconds, Date().timeIntervalSince(clock)))
    }
}
