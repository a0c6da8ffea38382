import SafetyKitNumerics

/// ReGenesis (Peng et al. 2024, "ReGenesis: LLMs can Grow into Reasoning Generalists via
/// Self-Improvement"): reasoning paths synthesised from general guidelines rather than from the
/// task's own examples, so that self-training does not narrow the model to one task's format.
///
/// Each iteration trains the base model afresh (the paper fine-tunes the base on the paths its
/// synthesis made), on:
/// - **Demonstrations.** `demonstrations` seed-set problems per difficulty and guideline, trained
///   under the guideline's prompt with its gold path (`Guideline.completion`), so that a
///   from-scratch model learns to follow a guideline token; the paper's model follows written
///   guidelines zero-shot, which a small model cannot. The first `guidelineStage` iterations
///   train these alone: sampling under guideline tokens the model has never read gives noise
///   whose answers are sometimes right by luck. Only the seed set's gold rationales are read; the
///   pool's answers serve as filter and hint, as in STaR.
/// - **Synthesis.** For each pool problem and each guideline, `pathsPerGuideline` paths are
///   sampled under the guideline's prompt; a path whose answer is right is kept, distinct paths
///   taken a guideline at a time, up to `keepPerProblem`. With `filter` `.vote` (the paper's
///   filter without gold answers), a path is kept when its answer is the majority of all the
///   problem's paths with a share of at least `agreement`; those iterations never see a gold
///   answer (`GoldLabels.none`), so they show no demonstrations and give no hint.
/// - **Hint.** When no path is right, each guideline is tried once more with the gold answer as a
///   hint (the paper's fallback, STaR's rationalization), keeping what is then right.
/// - **Training.** Kept paths are trained after the plain prompt: the model learns the paths, not
///   the prompts that made them, as in the paper's fine-tuning data.
public struct ReGenesis: SelfImprovementMethod {
    /// Paths sampled per problem and guideline (4 guidelines × 2 = RFT's 8 samples per problem).
    public var pathsPerGuideline = 2
    /// Distinct right paths kept per problem.
    public var keepPerProblem = 4
    /// Seed-set problems per difficulty shown under each guideline, every iteration.
    public var demonstrations = 4
    /// The sampling temperature.
    public var temperature: Float = 0.7
    /// Keep only the k most likely tokens when sampling.
    public var topK = 40
    /// Training steps per iteration.
    public var steps = 300
    /// Retry a problem no path solved with the answer as a hint.
    public var hints = true
    /// The first iterations, which train the demonstrations alone.
    public var guidelineStage = 1
    /// How paths are filtered: by the gold answer, or by the majority of the problem's paths.
    public var filter = PathFilter.gold
    /// With `.vote`, the smallest majority share that keeps a problem's paths.
    public var agreement = 0.75

    /// How ReGenesis keeps a path.
    public enum PathFilter: String, CaseIterable, Sendable {
        /// Its answer is the gold one.
        case gold
        /// Its answer is the majority answer of the problem's paths (self-consistency).
        case vote
    }

    /// ReGenesis with the defaults above.
    public init() {}

    public var name: String { "regenesis" }
    public var reference: String { "Peng et al. 2024, ReGenesis: LLMs can Grow into Reasoning Generalists via Self-Improvement" }
    public func goldLabels(iteration n: Int) -> GoldLabels {
        switch filter {
        case .gold: .pool
        case .vote: n <= guidelineStage ? .pool : .none
        }
    }
    public var continuesFromPreviousModel: Bool { false }
    public func trainingSteps(iteration n: Int) -> Int { steps }
    public var addedTokens: [String] { Guideline.tokens }
    public var settings: [(String, String)] {
        [("guidelines", Guideline.allCases.map(\.rawValue).joined(separator: " ")), ("paths_per_guideline", String(pathsPerGuideline)),
         ("keep_per_problem", String(keepPerProblem)), ("demonstrations", String(demonstrations)), ("guideline_stage", String(guidelineStage)), ("filter", filter.rawValue),
         ("agreement", "\(agreement)"), ("hints", String(hints)),
         ("temperature", "\(temperature)"), ("top_k", String(topK)), ("steps", String(steps))]
    }

    /// The seed-set problems shown under `guideline`: `demonstrations` per difficulty, drawn
    /// without replacement from a stream of (seed, guideline), the same every iteration.
    public func demonstrations(of guideline: Guideline, from seedSet: [Problem], seed: UInt64) -> [Problem] {
        let index = UInt64(Guideline.allCases.firstIndex(of: guideline)!)
        var stream = RandomStream(seed: seed, purpose: .guidelineDemonstrations).substream(index)
        var chosen: [Problem] = []
        for d in Array(Set(seedSet.map(\.difficulty))).sorted() {
            var candidates = seedSet.filter { $0.difficulty == d }
            for _ in 0..<min(demonstrations, candidates.count) {
                chosen.append(candidates.remove(at: stream.nextIndex(below: candidates.count)))
            }
        }
        return chosen
    }

    public func collect(_ context: IterationContext) throws(ReasonerError) -> CollectedData {
        var data = CollectedData()
        for guideline in Guideline.allCases {
            for problem in demonstrations(of: guideline, from: context.seedSet, seed: context.seed) {
                data.examples.append(SelectedExample(problem: problem, completion: guideline.completion(for: problem, task: context.task),
                                                     source: .generation, guideline: guideline))
            }
        }
        let demonstrated = data.examples.count
        guard context.iteration > guidelineStage else {
            data.notes = [("stage", "guidelines"), ("demonstrations", String(demonstrated))]
            return data
        }
        let sampler = Sampler(temperature: temperature, topK: topK)
        // [guideline][problem][sample]
        var paths: [[[Attempt]]] = []
        for (g, guideline) in Guideline.allCases.enumerated() {
            paths.append(try context.sample(context.pool, k: pathsPerGuideline, sampler: sampler, guideline: guideline,
                                            purpose: .guidelinePaths, part: g))
        }
        var kept = Guideline.allCases.map { _ in 0 }, unsolved: [Int] = []
        for (i, problem) in context.pool.enumerated() {
            let right: [[Attempt]]
            switch filter {
            case .gold:
                right = paths.map { $0[i].filter { $0.isCorrect(problem.answer) } }
            case .vote:
                let vote = MajorityVote(paths.flatMap { $0[i].map(\.answer) })
                right = paths.map { $0[i].filter { a in vote.map { $0.share >= agreement && a.answer == $0.answer } ?? false } }
            }
            data.tokensSampled += paths.reduce(0) { $0 + $1[i].reduce(0) { $0 + $1.logProbabilities.count } }
            let chosen = Self.diverse(right, keep: keepPerProblem)
            if chosen.isEmpty { unsolved.append(i) }
            for (g, attempt) in chosen {
                kept[g] += 1
                data.examples.append(SelectedExample(problem: problem, completion: attempt.completion, source: .generation))
            }
        }
        var hinted = 0
        if hints, filter == .gold, !unsolved.isEmpty {
            let problems = unsolved.map { context.pool[$0] }
            var retries: [[[Attempt]]] = []
            for (g, guideline) in Guideline.allCases.enumerated() {
                retries.append(try context.sample(problems, k: 1, sampler: sampler, hint: true, guideline: guideline,
                                                  purpose: .guidelineHints, part: g))
            }
            for (i, problem) in problems.enumerated() {
                data.tokensSampled += retries.reduce(0) { $0 + $1[i].reduce(0) { $0 + $1.logProbabilities.count } }
                for (_, attempt) in Self.diverse(retries.map { $0[i].filter { $0.isCorrect(problem.answer) } }, keep: keepPerProblem) {
                    hinted += 1
                    data.examples.append(SelectedExample(problem: problem, completion: attempt.completion, source: .rationalization))
                }
            }
        }
        data.notes = [("demonstrations", String(demonstrated))]
            + zip(Guideline.allCases, kept).map { ("kept_\($0.rawValue)", String($1)) } + [("kept_with_hint", String(hinted))]
        return data
    }

    /// Up to `keep` distinct paths from per-guideline lists, taking one from each guideline in
    /// turn (the first guideline first), so that kept paths spread over guidelines; with each, the
    /// index of its guideline.
    static func diverse(_ perGuideline: [[Attempt]], keep: Int) -> [(Int, Attempt)] {
        var chosen: [(Int, Attempt)] = [], seen = Set<String>(), next = perGuideline.map { _ in 0 }
        while chosen.count < keep {
            var took = false
            for g in perGuideline.indices where chosen.count < keep {
                while next[g] < perGuideline[g].count {
                    let a = perGuideline[g][next[g]]
                    next[g] += 1
                    if seen.insert(a.completion).inserted { chosen.append((g, a)); took = true; break }
                }
            }
            if !took { break }
        }
        return chosen
    }
}
