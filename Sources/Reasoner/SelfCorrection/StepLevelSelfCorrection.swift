import SafetyKitNumerics

/// S^3c-Math (Yan et al. 2024, "S^3c-Math: Spontaneous Step-level Self-correction Makes Large
/// Language Models Better Mathematical Reasoners") at the reasoner's scale. Each iteration, from
/// the current model:
/// 1. samples whole solutions per pool problem and keeps the first whose answer and kept steps
///    are right (the task's step checker), as a plain example;
/// 2. at `positionsPerProblem` of its steps, samples alternative steps from the model given the
///    right prefix, and keeps the first wrong one at each;
/// 3. splices each: the prefix, the wrong step, the reflection marker, the right step and the
///    rest (`SelfCorrection.splice`), with the loss masked on the wrong step so that the model
///    learns to notice and repair an error without learning to make it (`maskWrongStep` false is
///    the ablation);
/// 4. fine-tunes the current model on both, continuing its optimizer (the corrections come from
///    the current model's own mistakes, iteration after iteration).
public struct StepLevelSelfCorrection: SelfImprovementMethod {
    /// Whole solutions sampled per pool problem, at `temperature`.
    public var samplesPerProblem = 4
    /// (see `samplesPerProblem`)
    public var temperature: Float = 0.7
    /// Steps of each right solution at which alternatives are sampled (fewer in a short one).
    public var positionsPerProblem = 2
    /// Alternative steps sampled at each position, at `stepTemperature`; the first wrong one is kept.
    public var alternativesPerPosition = 4
    /// (see `alternativesPerPosition`)
    public var stepTemperature: Float = 1.0
    /// Whether the wrong step is left out of the loss (the paper's recipe).
    public var maskWrongStep = true
    /// Training steps per iteration.
    public var steps = 200

    /// The paper's recipe; `maskWrongStep` false for the ablation.
    public init(maskWrongStep: Bool = true) { self.maskWrongStep = maskWrongStep }

    public var name: String { maskWrongStep ? "s3c" : "s3c-unmasked" }
    public var reference: String {
        "Yan et al. 2024, S^3c-Math: Spontaneous Step-level Self-correction Makes Large Language Models Better Mathematical Reasoners"
    }
    public func goldLabels(iteration n: Int) -> GoldLabels { .pool }
    public var continuesFromPreviousModel: Bool { true }
    public func trainingSteps(iteration n: Int) -> Int { steps }
    /// The reflection marker.
    public var addedTokens: [String] { [SelfCorrection.marker] }
    public var settings: [(String, String)] {
        [("samples_per_problem", String(samplesPerProblem)), ("temperature", "\(temperature)"),
         ("positions_per_problem", String(positionsPerProblem)), ("alternatives_per_position", String(alternativesPerPosition)),
         ("step_temperature", "\(stepTemperature)"), ("mask_wrong_step", String(maskWrongStep)), ("steps", String(steps))]
    }

    /// Whether `steps` are exactly `problem`'s right steps by the task's checker.
    static func allRight(_ steps: [String], of problem: Problem, task: any ReasoningTask) -> Bool {
        steps.count == task.solve(problem).rationale.count && task.checkSteps(steps, of: problem).allSatisfy { $0 }
    }

    public func collect(_ context: IterationContext) throws(ReasonerError) -> CollectedData {
        let task = context.task, vocabulary = context.vocabulary
        var data = CollectedData()
        let attempts = try context.sample(context.pool, k: samplesPerProblem, sampler: Sampler(temperature: temperature, topK: 40),
                                          purpose: .correctionSolutions)
        // Right solutions (their kept steps), and the step prompts at the chosen positions.
        struct Site { var problem: Problem; var solution: Solution; var step: Int; var prompt: [Int] }
        var sites: [Site] = []
        var positions = RandomStream(seed: context.seed(for: .correctionPositions))
        for (problem, tries) in zip(context.pool, attempts) {
            data.tokensSampled += tries.reduce(0) { $0 + $1.logProbabilities.count }
            guard let right = tries.first(where: { a in
                a.isCorrect(problem.answer) && a.solution.map { Self.allRight(SelfCorrection.keptSteps($0.rationale), of: problem, task: task) } == true
            }), let parsed = right.solution else { continue }
            data.examples.append(SelectedExample(problem: problem, completion: right.completion, source: .generation))
            let solution = Solution(rationale: SelfCorrection.keptSteps(parsed.rationale), answer: parsed.answer)
            var chosen = Array(solution.rationale.indices)
            positions.shuffle(&chosen)
            let prompt = try vocabulary.encode(task.prompt(problem), context: "the prompt of \(problem.key)")
            for step in chosen.prefix(positionsPerProblem).sorted() {
                let prefix = (["<scratch>"] + solution.rationale[..<step]).joined(separator: "\n") + "\n"
                sites.append(Site(problem: problem, solution: solution, step: step, prompt: prompt + (try vocabulary.encode(prefix))))
            }
        }
        // Alternative steps: sampled up to the line break that ends a step.
        let newline = vocabulary.id("\n")!
        let markers = Set(["<scratch>", "</scratch>", SelfCorrection.marker].compactMap { vocabulary.id($0) })
        let longest = sites.map { $0.solution.rationale[$0.step].split(separator: " ").count }.max() ?? 0
        let sampler = Sampler(temperature: stepTemperature, maxTokens: longest + 4)
        let prompts = sites.flatMap { site in Array(repeating: site.prompt, count: alternativesPerPosition) }
        let alternatives = context.continuations(prompts, sampler: sampler, stop: newline, purpose: .correctionSteps)
        var corrections = 0
        for (s, site) in sites.enumerated() {
            let tries = alternatives[(s * alternativesPerPosition)..<((s + 1) * alternativesPerPosition)]
            data.tokensSampled += tries.reduce(0) { $0 + $1.logProbabilities.count }
            // The first finished alternative, a step rather than a marker, that the step checker finds wrong.
            let wrong = tries.lazy.filter { a in a.finished && !a.tokens.isEmpty && a.tokens.allSatisfy { !markers.contains($0) } }
                .map { vocabulary.decode($0.tokens) }.first { line in
                task.checkSteps(Array(site.solution.rationale[..<site.step]) + [line], of: site.problem).last == false
            }
            guard let wrong else { continue }
            let (completion, wrongLine) = SelfCorrection.splice(site.solution, at: site.step, wrong: wrong)
            data.examples.append(SelectedExample(problem: site.problem, completion: completion, source: .generation,
                                                 unscoredLine: maskWrongStep ? wrongLine : nil))
            corrections += 1
        }
        data.notes = [("right_solutions", String(data.examples.count - corrections)), ("corrections", String(corrections))]
        return data
    }
}
