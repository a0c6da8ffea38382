import Foundation
import SafetyKitNumerics

/// PINTO (Wang et al. 2023): a reasoner that answers from the problem and a frozen rationalizer's
/// rationale, trained on gold answers, with a counterfactual regularizer: on a perturbed copy of
/// each rationale (`RationaleFormat.perturb`), the answer's predictions are pulled towards a
/// uniform distribution over the digits, an uninformative answer, so that the reasoner learns to
/// answer from the rationale rather than around it.
///
/// Each step trains `batchSize` examples with their rationales on the gold answer (cross-entropy)
/// and, with `counterfactualWeight` > 0, the same problems with perturbed rationales, adding
/// `counterfactualWeight` times the mean KL(uniform ‖ model) over their answer tokens. The plain
/// reasoner (weight 0) takes the same clean examples in the same order, so the regularizer is
/// the only difference.
public struct PINTO: Sendable {
    /// The task.
    public var task: any ReasoningTask
    /// The reasoner's vocabulary: the rationalizer's with `RationaleFormat.tokens`.
    public var vocabulary: Vocabulary
    /// The counterfactual term's weight (0: the plain reasoner).
    public var counterfactualWeight = PINTOMethod().counterfactualWeight
    /// How the regularizer perturbs rationales.
    public var perturbation = RationaleFormat.Perturbation.mask
    /// The share of a rationale's tokens perturbed (PINTO's code: 0.3–0.5).
    public var ratio = PINTOMethod().ratio
    /// Optimisation steps.
    public var steps = 600
    /// Clean examples per step (as many perturbed ones again when regularized).
    public var batchSize = 32
    /// Peak learning rate (warm-up 30 steps, cosine decay).
    public var learningRate: Float = 3e-4

    /// PINTO for a task, its reasoner reading `rationalizerVocabulary` and the rationale tokens.
    public init(task: any ReasoningTask, rationalizerVocabulary: Vocabulary) {
        self.task = task
        self.vocabulary = rationalizerVocabulary.appending(RationaleFormat.tokens)
    }

    /// A problem with the rationale the rationalizer wrote and the answer it gave (nil if its
    /// completion was malformed, its scratchpad then being whatever lines it wrote).
    public struct Rationalized: Sendable, Equatable {
        /// The problem.
        public var problem: Problem
        /// The rationale lines.
        public var rationale: [String]
        /// The rationalizer's own answer.
        public var answer: String?
        /// The rationalizer's confidence in its answer: P(answer tokens and <eos> | prompt, rationale).
        public var confidence: Double
    }

    /// The rationalizer's greedy rationales for `problems`, `batchSize` prompts at a time.
    public static func rationalize(_ rationalizer: TransformerModel, task: any ReasoningTask, problems: [Problem],
                                   vocabulary: Vocabulary, maxTokens: Int, batchSize: Int = 128) throws(ReasonerError) -> [Rationalized] {
        let attempts = try Attempt.sample(rationalizer, task: task, problems: problems, k: 1, sampler: Sampler(temperature: 0, maxTokens: maxTokens),
                                          hint: false, vocabulary: vocabulary, seed: 0, batchSize: batchSize, progress: nil)
        return zip(problems, attempts).map { problem, tries in
            let a = tries[0]
            let lines = a.solution?.rationale
                ?? a.completion.split(separator: "\n").map(String.init).filter { $0 != "<scratch>" && $0 != "</scratch>" }.dropLast().map { $0 }
            return Rationalized(problem: problem, rationale: lines, answer: a.answer, confidence: a.answerConfidence)
        }
    }

    /// The reasoner's prompt for a problem and rationale lines, as tokens.
    func prompt(_ problem: Problem, _ rationale: [String]) throws(ReasonerError) -> [Int] {
        try vocabulary.encode(RationaleFormat.prompt(problem, rationale: rationale), context: "the prompt of \(problem.key)")
    }

    /// The clean example: the reasoner's prompt with the rationale, scored on the gold answer.
    public func example(_ item: Rationalized) throws(ReasonerError) -> TrainingExample {
        let prompt = try prompt(item.problem, item.rationale)
        let answer = try vocabulary.encode(item.problem.answer, context: "the answer of \(item.problem.key)")
        return TrainingExample(tokens: prompt + answer + [vocabulary.eos], promptLength: prompt.count)
    }

    /// The counterfactual example: a perturbed rationale, nothing scored, the answer's tokens
    /// distilled towards the uniform distribution over the digits.
    public func counterfactual(_ item: Rationalized, using stream: inout RandomStream) throws(ReasonerError) -> TrainingExample {
        let prompt = try prompt(item.problem, RationaleFormat.perturb(item.rationale, perturbation, ratio: ratio, using: &stream))
        let answer = try vocabulary.encode(item.problem.answer, context: "the answer of \(item.problem.key)")
        return TrainingExample.uniformGuess(reading: prompt, answer: answer, vocabulary: vocabulary)
    }

    /// Trains a reasoner from `start` (a model of `vocabulary`) on the rationalized problems;
    /// `seed` draws the batches and the perturbations. Calls `progress` with each step's report.
    public func train(_ start: TransformerModel, on data: [Rationalized], seed: UInt64,
                      progress: ((Int, SupervisedTrainer.StepReport) -> Void)? = nil) throws(ReasonerError) -> TransformerModel {
        guard !data.isEmpty else { return start }
        let trainer = SupervisedTrainer(model: start, schedule: LearningRateSchedule(peak: learningRate, warmupSteps: min(30, steps / 10), totalSteps: steps),
                                        batchSize: batchSize, vocabulary: vocabulary)
        trainer.distillation = counterfactualWeight
        var none: RandomStream? = nil
        for step in 0..<steps {
            var batches = RandomStream(seed: seed, purpose: .supervisedBatches).substream(UInt64(step))
            var perturbations = RandomStream(seed: seed, purpose: .rationalePerturbations).substream(UInt64(step))
            let items = (0..<batchSize).map { _ in data[batches.nextIndex(below: data.count)] }
            var examples = try items.map { item throws(ReasonerError) in try example(item) }
            if counterfactualWeight > 0 {
                for item in items { examples.append(try counterfactual(item, using: &perturbations)) }
            }
            // Stepped before the optional call: `progress?(…, step())` would skip the step without a progress.
            let report = try trainer.step(examples, dropout: &none)
            progress?(step + 1, report)
        }
        return trainer.model
    }

    /// What a reasoner answers after one rationale: its greedy answer and its confidence,
    /// P(answer tokens and <eos> | prompt).
    public struct Reading: Sendable, Equatable {
        /// The answer line (nil if it wrote no answer of digits before <eos>).
        public var answer: String?
        /// (see the type)
        public var confidence: Double
    }

    /// The reasoner's greedy readings of each (problem, rationale) pair.
    public func read(_ model: TransformerModel, _ pairs: [(Problem, [String])], maxTokens: Int = 16, batchSize: Int = 128) throws(ReasonerError) -> [Reading] {
        var prompts: [[Int]] = []
        for (problem, lines) in pairs { prompts.append(try prompt(problem, lines)) }
        var readings: [Reading] = []
        let sampler = Sampler(temperature: 0, maxTokens: maxTokens)
        for start in stride(from: 0, to: prompts.count, by: batchSize) {
            for s in sampler.generate(model, prompts: Array(prompts[start..<min(prompts.count, start + batchSize)]), eos: vocabulary.eos, seed: 0, firstStream: start) {
                let text = vocabulary.decode(s.tokens)
                let valid = s.finished && !text.isEmpty && !text.contains("\n") && text.split(separator: " ").allSatisfy { $0.allSatisfy(\.isNumber) }
                readings.append(Reading(answer: valid ? text : nil, confidence: exp(Double(s.logProbabilities.reduce(0, +)))))
            }
        }
        return readings
    }

    /// One held-out problem read three ways: with its rationale, with that rationale perturbed,
    /// and with another problem's rationale in its place.
    public struct Record: Sendable, Equatable {
        /// The problem and the rationalizer's rationale and answer.
        public var item: Rationalized
        /// The reading with the rationale.
        public var clean: Reading
        /// The reading with the rationale perturbed.
        public var perturbed: Reading
        /// The reading with the swapped-in rationale.
        public var swapped: Reading
        /// The rationalizer's answer for the problem whose rationale was swapped in.
        public var swappedAnswer: String?
        /// The probability of the clean reading's answer (and <eos>) after the perturbed
        /// rationale; nil when the clean reading gave no answer.
        public var perturbedConfidenceInCleanAnswer: Double?

        /// Whether the clean reading is right.
        public var isCorrect: Bool { clean.answer == item.problem.answer }
        /// Whether the perturbed reading's answer differs from the clean one.
        public var answerChanged: Bool { perturbed.answer != clean.answer }
        /// How far the confidence in the clean answer falls when the rationale is perturbed.
        public var confidenceDrop: Double? { perturbedConfidenceInCleanAnswer.map { clean.confidence - $0 } }
        /// Whether the swapped reading gives the swapped rationale's answer (not the problem's own).
        public var followsSwap: Bool { swappedAnswer != nil && swappedAnswer != item.problem.answer && swapped.answer == swappedAnswer }
    }

    /// Reads every held-out item three ways; the swap takes the next item of the same difficulty
    /// (cyclically), the perturbation is drawn from `seed`.
    public func evaluate(_ model: TransformerModel, on items: [Rationalized], seed: UInt64) throws(ReasonerError) -> [Record] {
        var stream = RandomStream(seed: seed, purpose: .rationalePerturbations).substream(UInt64.max)
        let perturbed = items.map { RationaleFormat.perturb($0.rationale, perturbation, ratio: ratio, using: &stream) }
        var partner = Array(items.indices)
        for same in Dictionary(grouping: items.indices, by: { items[$0].problem.difficulty }).values where same.count > 1 {
            for (k, i) in same.enumerated() { partner[i] = same[(k + 1) % same.count] }
        }
        let clean = try read(model, items.map { ($0.problem, $0.rationale) })
        let noisy = try read(model, zip(items, perturbed).map { ($0.problem, $1) })
        let swapped = try read(model, items.indices.map { (items[$0].problem, items[partner[$0]].rationale) })
        // The clean answer scored after the perturbed rationale, teacher-forced.
        var scored: [Int: Double] = [:]
        let answered = items.indices.filter { clean[$0].answer != nil }
        for start in stride(from: 0, to: answered.count, by: 64) {
            let slice = Array(answered[start..<min(answered.count, start + 64)])
            var examples: [TrainingExample] = []
            for i in slice {
                let reading = try prompt(items[i].problem, perturbed[i])
                examples.append(TrainingExample(tokens: reading + (try vocabulary.encode(clean[i].answer!)) + [vocabulary.eos], promptLength: reading.count))
            }
            for (i, logs) in zip(slice, try CompletionScorer.tokenLogProbabilities(model, examples)) { scored[i] = exp(Double(logs.reduce(0, +))) }
        }
        return items.indices.map { i in
            Record(item: items[i], clean: clean[i], perturbed: noisy[i], swapped: swapped[i], swappedAnswer: partner[i] == i ? nil : items[partner[i]].answer,
                   perturbedConfidenceInCleanAnswer: scored[i])
        }
    }
}
