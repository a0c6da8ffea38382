import Foundation
import SafetyKitNumerics
import SafetyKitReasoner

// Usage: ModelBench BATCH LENGTH STEPS NEW_TOKENS REPEATS
// Prints one JSON object: training tokens/s at (BATCH, LENGTH), cached sampling tokens/s at batch
// 1 and 64, achieved training GFLOP/s, and single-threaded sgemm GFLOP/s (the peak we use).
// Each rate is the best of REPEATS timings (training: REPEATS blocks of STEPS steps), as on the
// PyTorch side, since this shared machine's speed wanders between runs.
let arguments = CommandLine.arguments.dropFirst().compactMap { Int($0) }
let (B, T, steps, newTokens, repeats) = arguments.count == 5
    ? (arguments[0], arguments[1], arguments[2], arguments[3], arguments[4]) : (32, 64, 40, 120, 5)
let configuration = ModelConfiguration(vocabularySize: Vocabulary.standard.count, contextLength: 256)
let model = try TransformerModel(configuration: configuration, seed: 1)
var stream = RandomStream(seed: 2)
let examples = (0..<B).map { _ in TrainingExample(tokens: (0...T).map { _ in 2 + stream.nextIndex(below: 22) }, promptLength: 1) }
let trainer = SupervisedTrainer(model: model, schedule: LearningRateSchedule(peak: 1e-3, warmupSteps: 1, totalSteps: steps), batchSize: B)
var none: RandomStream? = nil
for _ in 0..<3 { _ = try trainer.step(examples, dropout: &none) }
var trainSeconds = Double.infinity
for _ in 0..<repeats {
    let start = Date()
    for _ in 0..<steps { _ = try trainer.step(examples, dropout: &none) }
    trainSeconds = min(trainSeconds, Date().timeIntervalSince(start))
}
let trainTokens = Double(B * T * steps) / trainSeconds
// Forward + backward ≈ 6 FLOPs per parameter per token, plus attention's 12·L·T·C per token (causal: half).
let C = Double(configuration.width), L = Double(configuration.depth)
let flopsPerToken = 6 * Double(model.parameterCount) + 6 * L * Double(T) * C
let achieved = trainTokens * flopsPerToken / 1e9

func sampling(_ model: TransformerModel, batch: Int) -> Double {
    let prompts = (0..<batch).map { _ in [3, 2, 11, 20, 12, 2, 4, 2] }
    let sampler = Sampler(temperature: 1, maxTokens: newTokens)
    var best = 0.0
    for _ in 0..<repeats {
        let begin = Date()
        let samples = sampler.generate(model, prompts: prompts, eos: -1, seed: 3)   // eos −1: never stops early
        let generated = samples.reduce(0) { $0 + $1.tokens.count }
        best = max(best, Double(generated) / Date().timeIntervalSince(begin))
    }
    return best
}
let trained = trainer.model
let sample1 = sampling(trained, batch: 1), sample64 = sampling(trained, batch: 64)
// A cached step: 2 FLOPs per parameter, plus 4·C per cached position and layer (scores and the
// weighted sum of values); positions run from the 8-token prompt to 8 + newTokens, 68 on average.
let averageCached = Double(8 + 8 + newTokens) / 2
let sampleFlopsPerToken = 2 * Double(model.parameterCount) + 4 * L * C * averageCached

// sgemm peak, single-threaded, 1024³.
let n = 1024
let a = [Float](repeating: 0.5, count: n * n), b = [Float](repeating: 0.25, count: n * n)
var c = [Float](repeating: 0, count: n * n)
BLAS.setThreadCount(1)
BLAS.sgemm(m: n, n: n, k: n, a: a, lda: n, b: b, ldb: n, c: &c, ldc: n)
let start = Date()
for _ in 0..<5 { BLAS.sgemm(m: n, n: n, k: n, a: a, lda: n, b: b, ldb: n, c: &c, ldc: n) }
let peak = 5 * 2 * pow(Double(n), 3) / Date().timeIntervalSince(start) / 1e9

print("{\"train_tokens_per_s\": \(trainTokens), \"sample_tokens_per_s_batch1\": \(sample1), \"sample_tokens_per_s_batch64\": \(sample64), \"train_gflops\": \(achieved), \"sample_gflops_batch64\": \(sample64 * sampleFlopsPerToken / 1e9), \"sgemm_gflops_1thread\": \(peak), \"parameters\": \(model.parameterCount), \"core\": \"\(BLAS.coreName)\"}")
