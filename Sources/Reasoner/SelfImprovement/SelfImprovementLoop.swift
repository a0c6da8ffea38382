import Foundation
import SafetyKitNumerics

/// The self-improvement loop (docs/reasoner.md): each iteration the method samples from the current
/// model and selects training data, the loop trains (from the base or from the previous model),
/// then measures the new model on held-out problems. The loop owns the problem sets, which are
/// fixed by the seed: a held-out test set and a validation split, disjoint from each other and
/// from training; the base's gold seed set; and the pool of training problems (answers only)
/// that the method improves on. The pool includes the seed set's problems (as STaR's training
/// set does), so that small difficulties, whose problems the seed set may exhaust, stay in the
/// loop's data and are not forgotten.
///
/// Every random choice is drawn from a stream derived from (seed, iteration, purpose), so an
/// iteration depends only on the model it starts from: a resumed run repeats an uninterrupted one.
public final class SelfImprovementLoop {
    /// The method being iterated.
    public let method: any SelfImprovementMethod
    /// The run's settings.
    public let setup: SelfImprovementSetup
    /// The vocabulary the loop's models read and write.
    public let vocabulary: Vocabulary
    /// The base model's vocabulary: `vocabulary` without the method's added tokens.
    public let baseVocabulary: Vocabulary
    /// The held-out test problems (drawn first, never trained on).
    public let heldOut: [Problem]
    /// The validation problems, for early stopping.
    public let validation: [Problem]
    /// The gold seed set the base model trains on.
    public let seedSet: [Problem]
    /// The pool the loop improves on (answers only).
    public let pool: [Problem]
    /// Annotated problems, as many per difficulty as the pool, disjoint from the other sets and
    /// drawn after them (so they change none of them): for methods whose iterations read
    /// `GoldLabels.annotated`, and empty for the others. Where a difficulty runs out of problems
    /// (1-digit addition has 100), the seed set's problems of that difficulty, whose gold the base
    /// learned from, make up the rest, distinct.
    public let annotated: [Problem]
    /// The most tokens a sampled completion may have: the longest gold completion among the
    /// loop's problems plus a quarter and 4 tokens.
    public let maxTokens: Int

    /// A loop; its problem sets are drawn from `setup.seed` at once, disjoint from each other.
    /// `vocabulary` is the base model's (by default the task's); the loop's is it with the
    /// method's `addedTokens` appended.
    public init(method: any SelfImprovementMethod, setup: SelfImprovementSetup, vocabulary: Vocabulary? = nil) {
        let baseVocabulary = vocabulary ?? setup.task.vocabulary
        self.method = method
        self.setup = setup
        self.baseVocabulary = baseVocabulary
        let vocabulary = baseVocabulary.appending(method.addedTokens)
        self.vocabulary = vocabulary
        let task = setup.task, seed = setup.seed
        heldOut = Evaluation.problems(task: task, difficulties: setup.difficulties, count: setup.heldOutPerDifficulty, seed: seed)
        var taken = Set(heldOut.map(\.key))
        validation = Self.draw(task: task, difficulties: setup.difficulties, count: { d in
            Evaluation.heldOutCount(task: task, difficulty: d, requested: setup.validationPerDifficulty)
        }, excluding: &taken, seed: seed, purpose: .validationProblems)
        let source = ProblemSource(task: task, difficulties: setup.difficulties, excluding: taken, seed: seed, fixedSizes: setup.seedSet)
        seedSet = source.fixed ?? []
        pool = Self.draw(task: task, difficulties: setup.difficulties, count: { _ in setup.poolPerDifficulty }, excluding: &taken,
                         seed: seed, purpose: .poolProblems)
        let annotates = (1...max(1, setup.iterations)).contains { method.goldLabels(iteration: $0) == .annotated }
        var annotated = annotates ? Self.draw(task: task, difficulties: setup.difficulties, count: { _ in setup.poolPerDifficulty },
                                              excluding: &taken, seed: seed, purpose: .annotatedProblems) : []
        if annotates {
            var seen = Set(annotated.map(\.key))
            for d in setup.difficulties {
                let short = setup.poolPerDifficulty - annotated.filter { $0.difficulty == d }.count
                annotated += seedSet.filter { $0.difficulty == d && seen.insert($0.key).inserted }.prefix(max(0, short))
            }
        }
        self.annotated = annotated
        let longest = (heldOut + validation + pool).map { (try? vocabulary.encode(task.target($0)).count) ?? 0 }.max() ?? 0
        // A model that states its confidence writes one line more ("\n", the marker and a decile),
        // and one that decides another ("\n", the marker and an action).
        // A correction writes a step, the marker and the step again.
        maxTokens = longest + longest / 4 + 4 + (StatedConfidence.hasVerbalized(vocabulary) ? 3 : 0) + (StatedConfidence.hasDecision(vocabulary) ? 3 : 0)
            + (vocabulary.id(SelfCorrection.marker) != nil ? longest / 3 : 0)
            // A guideline's structure line: a restated problem at most.
            + (Guideline.isIn(vocabulary) ? 1 + ((heldOut + validation + pool).map { (try? vocabulary.encode($0.text).count) ?? 0 }.max() ?? 0) : 0)
    }

    /// Distinct problems per difficulty, none in `excluding` (which grows by them); a small
    /// difficulty yields fewer when it runs out.
    package static func draw(task: any ReasoningTask, difficulties: [Int], count: (Int) -> Int, excluding: inout Set<String>, seed: UInt64,
                     purpose: StreamPurpose) -> [Problem] {
        var result: [Problem] = []
        for d in difficulties {
            var stream = RandomStream(seed: seed, purpose: purpose).substream(UInt64(d))
            let n = count(d)
            var added = 0, attempts = 0
            while added < n && attempts < 50 * n {
                attempts += 1
                let p = task.problem(difficulty: d, using: &stream)
                if excluding.insert(p.key).inserted { result.append(p); added += 1 }
            }
        }
        return result
    }

    // MARK: The base model

    /// Trains the base model from scratch on the gold seed set (SFT), with a share of hinted
    /// prompts. `progress(step, smoothed loss)` follows every step.
    public func trainBase(configuration: ModelConfiguration, progress: ((Int, Double) -> Void)? = nil) throws(ReasonerError) -> TransformerModel {
        var source = ProblemSource(task: setup.task, fixed: seedSet, seed: setup.seed)
        source.hintShare = setup.baseHintShare
        let trainer = SupervisedTrainer(model: try TransformerModel(configuration: configuration, seed: setup.seed),
                                        schedule: LearningRateSchedule(peak: setup.learningRate, warmupSteps: setup.baseWarmupSteps,
                                                                       totalSteps: setup.baseSteps),
                                        batchSize: setup.batchSize, vocabulary: baseVocabulary)
        var none: RandomStream? = nil, smoothed = 0.0
        for step in 0..<setup.baseSteps {
            let report = try trainer.step(try source.batch(setup.batchSize, step: step, vocabulary: baseVocabulary), dropout: &none)
            smoothed = step == 0 ? report.loss : 0.95 * smoothed + 0.05 * report.loss
            progress?(step + 1, smoothed)
        }
        return trainer.model
    }

    // MARK: Iterations

    /// The model and optimizer an iteration hands to the next, and its report.
    public struct Outcome: Sendable {
        /// The model after the iteration.
        public var model: TransformerModel
        /// Its optimizer, for methods that continue training.
        public var optimizer: AdamW?
        /// The iteration's measurements.
        public var report: IterationReport
    }

    /// Measures a model: the held-out records and validation accuracy of iteration `n`.
    public func measure(_ model: TransformerModel, iteration n: Int, progress: ((Int) -> Void)? = nil)
        throws(ReasonerError) -> (records: [HeldOutRecord], validationAccuracy: Double, tokens: Int) {
        let evalSeed = RandomStream(seed: setup.seed, purpose: .heldOutSamples).substream(UInt64(n)).key
        let records = try setup.evaluation.run(model, task: setup.task, problems: heldOut, vocabulary: vocabulary, seed: evalSeed,
                                               batchSize: setup.samplingBatch, maxTokens: maxTokens, progress: progress)
        let (evaluation, _) = try Evaluation.run(model, task: setup.task, problems: validation,
                                                 sampler: Sampler(temperature: 0, maxTokens: maxTokens), vocabulary: vocabulary,
                                                 batchSize: setup.samplingBatch, seed: evalSeed)
        let tokens = records.reduce(0) { $0 + $1.sampledTokens + $1.greedy.logProbabilities.count }
        return (records, evaluation.accuracy, tokens)
    }

    /// The base model's report (iteration 0).
    public func baseline(_ base: TransformerModel, progress: ((Int) -> Void)? = nil) throws(ReasonerError) -> IterationReport {
        let start = Date()
        let (records, validationAccuracy, tokens) = try measure(base, iteration: 0, progress: progress)
        return IterationReport(iteration: 0, records: records, validationAccuracy: validationAccuracy, trainingData: [:],
                               tokensSampled: tokens, tokensTrained: 0, trainingSteps: 0, notes: [], stoppedEarly: false,
                               seconds: (0, 0, Date().timeIntervalSince(start)))
    }

    /// Steps in all iterations together: the online methods' one learning-rate schedule.
    public var totalSteps: Int { (1...max(1, setup.iterations)).reduce(0) { $0 + method.trainingSteps(iteration: $1) } }

    /// Runs iteration n from `current` (the previous model) and its optimizer; `bestValidation`
    /// is the best validation accuracy so far, for methods that stop early.
    public func iterate(_ n: Int, base: TransformerModel, current: TransformerModel, optimizer: AdamW?, bestValidation: Double,
                        phase: ((String, Int, Int) -> Void)? = nil) throws(ReasonerError) -> Outcome {
        let problems: [Problem], task: any ReasoningTask
        switch method.goldLabels(iteration: n) {
        case .pool: (problems, task) = (pool, setup.task)
        case .annotated: (problems, task) = (annotated, setup.task)
        case .none: (problems, task) = (pool.map(UnlabeledTask.strip), UnlabeledTask(setup.task))
        }
        var context = IterationContext(iteration: n, model: current, task: task, pool: problems, vocabulary: vocabulary, seed: setup.seed,
                                       batchSize: setup.samplingBatch, maxTokens: maxTokens, progress: { [problems] done in phase?("sampling", done, problems.count) })
        // The seed set's rationales are gold labels: a label-free iteration does not see them.
        if method.goldLabels(iteration: n) != .none { context.seedSet = seedSet }
        var clock = Date()
        let data = try method.collect(context)
        // Label-free methods saw blank answers; restore the gold problems for training prompts and stats.
        let gold = Dictionary((pool + annotated).map { ($0.key, $0) }, uniquingKeysWith: { a, _ in a })
        let selected = data.examples.map { e in
            var restored = e
            restored.problem = gold[e.problem.key] ?? e.problem
            return restored
        }
        let collectSeconds = Date().timeIntervalSince(clock)

        clock = Date()
        let steps = method.trainingSteps(iteration: n)
        var model = method.continuesFromPreviousModel ? current : base
        var nextOptimizer = method.continuesFromPreviousModel ? optimizer : nil
        var tokensTrained = 0
        var preferenceLog: [PreferenceTrainer.StepLog] = []
        var policyLog: [PolicyGradientTrainer.StepLog] = []
        if let pg = method.policyGradient {
            (model, nextOptimizer, policyLog, tokensTrained) = try trainPolicy(pg, rollouts: data.rollouts, base: base, current: current,
                                                                             optimizer: optimizer, iteration: n, steps: steps) { step in
                phase?("training", step, steps)
            }
        } else if let loss = method.preference {
            if !data.pairs.isEmpty {
                var pairs: [PreferenceExample] = []
                for p in data.pairs {
                    let problem = gold[p.problem.key] ?? p.problem
                    let prompt = try vocabulary.encode(setup.task.prompt(problem), context: "the prompt of \(problem.key)")
                    pairs.append(PreferenceExample(prompt: prompt, chosen: try vocabulary.encode(p.chosen) + [vocabulary.eos],
                                                   rejected: try vocabulary.encode(p.rejected) + [vocabulary.eos]))
                }
                // The reference is the previous iteration's model, which is also where the policy starts.
                let trained: Int
                (model, preferenceLog, trained) = try PreferenceTrainer.run(
                    from: current, pairs: pairs, loss: loss,
                    schedule: LearningRateSchedule(peak: setup.preferenceLearningRate, warmupSteps: setup.warmupSteps, totalSteps: steps),
                    pairsPerStep: max(1, setup.batchSize / 2), iteration: n, seed: setup.seed, purpose: .preferenceBatches) { step in
                    phase?("training", step, steps)
                }
                tokensTrained += trained
            } else {
                model = current
            }
            nextOptimizer = nil
        } else if !selected.isEmpty {
            var examples: [TrainingExample] = []
            for e in selected { examples.append(try e.trainingExample(task: setup.task, vocabulary: vocabulary)) }
            // Distilled prefixes keep the predictions of the model the iteration starts from.
            if examples.contains(where: { $0.distilled != nil }) {
                examples = try TrainingExample.attachingReferences(examples, from: current, pad: vocabulary.pad, batchSize: setup.samplingBatch)
            }
            let schedule = method.continuesFromPreviousModel
                ? LearningRateSchedule(peak: setup.learningRate, warmupSteps: setup.warmupSteps, totalSteps: totalSteps)
                : LearningRateSchedule(peak: setup.learningRate, warmupSteps: setup.warmupSteps, totalSteps: steps)
            func batch(_ step: Int) -> [TrainingExample] {
                Self.draw(setup.batchSize, from: examples, iteration: n, step: step, seed: setup.seed, purpose: .supervisedBatches)
            }
            if let voting = method.voting {
                let trainer = try VotingTrainer(model: model, schedule: schedule, batchSize: setup.batchSize, passes: voting.passes,
                                                alpha: voting.alpha, dropout: voting.dropout, vocabulary: vocabulary, optimizer: nextOptimizer)
                var masks = RandomStream(seed: setup.seed, purpose: .dropoutMasks).substream(UInt64(n))
                for step in 0..<steps {
                    tokensTrained += try trainer.step(batch(step), dropout: &masks).tokens
                    phase?("training", step + 1, steps)
                }
                model = trainer.model
                nextOptimizer = trainer.optimizer
            } else {
                let trainer = SupervisedTrainer(model: model, schedule: schedule, batchSize: setup.batchSize, vocabulary: vocabulary,
                                                optimizer: nextOptimizer)
                trainer.distillation = data.distillation
                var none: RandomStream? = nil
                for step in 0..<steps {
                    tokensTrained += try trainer.step(batch(step), dropout: &none).tokens
                    phase?("training", step + 1, steps)
                }
                model = trainer.model
                nextOptimizer = trainer.optimizer
            }
        }
        let trainSeconds = Date().timeIntervalSince(clock)

        clock = Date()
        let heldOutCount = heldOut.count
        let (records, validationAccuracy, evalTokens) = try measure(model, iteration: n, progress: { done in phase?("evaluating", done, heldOutCount) })
        let report = IterationReport(
            iteration: n, records: records, validationAccuracy: validationAccuracy,
            trainingData: method.policyGradient != nil ? [:] : summarise(selected, over: method.goldLabels(iteration: n) == .annotated ? annotated : pool),
            tokensSampled: data.tokensSampled + evalTokens, tokensTrained: tokensTrained,
            trainingSteps: method.policyGradient != nil ? policyLog.count : (method.preference != nil ? data.pairs.isEmpty : selected.isEmpty) ? 0 : steps,
            notes: data.notes, stoppedEarly: method.stopsEarly && validationAccuracy <= bestValidation,
            seconds: (collectSeconds, trainSeconds, Date().timeIntervalSince(clock)), preferenceLog: preferenceLog,
            policyLog: policyLog)
        return Outcome(model: model, optimizer: method.continuesFromPreviousModel ? nextOptimizer : nil, report: report)
    }

    /// A training batch: `count` items drawn with replacement from stream (seed, purpose,
    /// iteration, step), so a step's batch depends on nothing else.
    static func draw<T>(_ count: Int, from items: [T], iteration n: Int, step: Int, seed: UInt64, purpose: StreamPurpose) -> [T] {
        var stream = RandomStream(seed: RandomStream(seed: seed, purpose: purpose).substream(UInt64(n)).key, stream: UInt64(step))
        return (0..<count).map { _ in items[stream.nextIndex(below: items.count)] }
    }

    /// Per difficulty: the size of the problems the iteration was handed (the pool, or the
    /// annotated set), what was selected and how much of it is right, and how many of those problems the
    /// selection covers by generation and by rationalization only.
    func summarise(_ selected: [SelectedExample], over pool: [Problem]) -> [Int: TrainingDataSummary] {
        var result: [Int: TrainingDataSummary] = [:]
        for d in setup.difficulties { result[d] = TrainingDataSummary() }
        for p in pool { result[p.difficulty, default: .init()].poolProblems += 1 }
        var byGeneration = Set<String>(), byRationalization = Set<String>()
        for e in selected {
            let solution = setup.task.parse(e.completion)
            let right = solution?.answer == e.problem.answer
            let stepsRight = right && solution.map { setup.task.checkSteps($0.rationale, of: e.problem).allSatisfy { $0 } } == true
            result[e.problem.difficulty, default: .init()].selected += 1
            if right { result[e.problem.difficulty, default: .init()].selectedCorrect += 1 }
            if stepsRight { result[e.problem.difficulty, default: .init()].selectedStepsCorrect += 1 }
            if right { if e.source == .generation { byGeneration.insert(e.problem.key) } else { byRationalization.insert(e.problem.key) } }
        }
        for p in pool {
            if byGeneration.contains(p.key) { result[p.difficulty]!.coveredByGeneration += 1 }
            else if byRationalization.contains(p.key) { result[p.difficulty]!.coveredByRationalization += 1 }
        }
        return result
    }
}
