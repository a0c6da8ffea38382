import Foundation
import SafetyKitNumerics

/// Held-out evaluation: greedy (or sampled) accuracy per difficulty on problems that training
/// never sees.
public struct Evaluation: Sendable {
    /// Accuracy per difficulty, and overall.
    public var perDifficulty: [Int: (correct: Int, total: Int)]
    /// Right answers over every difficulty.
    public var correct: Int { perDifficulty.values.reduce(0) { $0 + $1.correct } }
    /// Problems over every difficulty.
    public var total: Int { perDifficulty.values.reduce(0) { $0 + $1.total } }
    /// The overall share right (0 with no problems).
    public var accuracy: Double { total > 0 ? Double(correct) / Double(total) : 0 }

    /// An evaluation of these counts.
    public init(perDifficulty: [Int: (correct: Int, total: Int)]) { self.perDifficulty = perDifficulty }

    /// The largest share of a difficulty's problems a held-out set may take: the rest must stay
    /// available for training (1-digit addition has only 100 problems).
    public static let largestHeldOutShare = 0.2

    /// How many problems a held-out set takes at a difficulty when `count` are asked for.
    /// The cap is taken in Double: problem counts pass Int.max from 10-digit addition on.
    public static func heldOutCount(task: any ReasoningTask, difficulty: Int, requested count: Int) -> Int {
        let cap = task.problemCount(difficulty: difficulty) * largestHeldOutShare
        return cap >= Double(count) ? count : min(count, max(1, Int(cap)))
    }

    /// A held-out problem set: distinct problems per difficulty (`count`, capped by
    /// `heldOutCount`), each difficulty from its own substream of `seed`, so the first K problems
    /// of a difficulty are the same whatever else is asked for. Training sources exclude their keys.
    public static func problems(task: any ReasoningTask, difficulties: [Int], count requested: Int, seed: UInt64) -> [Problem] {
        var result: [Problem] = []
        for d in difficulties {
            let count = heldOutCount(task: task, difficulty: d, requested: requested)
            var stream = RandomStream(seed: seed, purpose: .heldOutProblems).substream(UInt64(d))
            var seen = Set<String>(), attempts = 0
            while seen.count < count && attempts < count * 50 {
                attempts += 1
                let p = task.problem(difficulty: d, using: &stream)
                if seen.insert(p.key).inserted { result.append(p) }
            }
        }
        return result
    }

    /// Runs the model on every problem (in batches) and checks the answers strictly.
    public static func run(_ model: TransformerModel, task: any ReasoningTask, problems: [Problem], sampler: Sampler = Sampler(temperature: 0),
                           vocabulary: Vocabulary = .standard, batchSize: Int = 64, seed: UInt64 = 1,
                           progress: ((Int) -> Void)? = nil) throws(ReasonerError) -> (Evaluation, [(problem: Problem, text: String, right: Bool, finished: Bool)]) {
        var per: [Int: (correct: Int, total: Int)] = [:]
        var records: [(problem: Problem, text: String, right: Bool, finished: Bool)] = []
        for start in stride(from: 0, to: problems.count, by: batchSize) {
            let chunk = Array(problems[start..<min(problems.count, start + batchSize)])
            var prompts: [[Int]] = []
            for p in chunk { prompts.append(try vocabulary.encode(task.prompt(p), context: "the prompt of \(p.key)")) }
            let samples = sampler.generate(model, prompts: prompts, eos: vocabulary.eos, seed: seed, firstStream: start)
            for (p, s) in zip(chunk, samples) {
                let text = vocabulary.decode(s.tokens)
                let right = s.finished && task.isCorrect(text, for: p)
                per[p.difficulty, default: (0, 0)].total += 1
                if right { per[p.difficulty, default: (0, 0)].correct += 1 }
                records.append((p, text, right, s.finished))
            }
            progress?(min(problems.count, start + batchSize))
        }
        return (Evaluation(perDifficulty: per), records)
    }
}
