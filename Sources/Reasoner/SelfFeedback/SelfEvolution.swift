import SafetyKitNumerics

/// SELF (Lu et al. 2023, "SELF: Self-Evolution with Language Feedback") at the reasoner's scale,
/// in the feedback format of `Feedback`.
///
/// Iterations 1…`metaSkillIterations` are the annotated meta-skill stage, on annotated problems
/// of their own (`SelfImprovementLoop.annotated`, as many as the pool, disjoint from it; never
/// the pool's answers): the current model answers each problem
/// (`samplesPerProblem` samples at `temperature`), the gold checker writes the feedback on each
/// distinct response (`Feedback.judge`) and, after a fault, the gold solution as its refinement,
/// and the model is fine-tuned to write that feedback and refinement after its own response,
/// which it reads but is not trained on: its predictions there are distilled from the model the
/// stage starts from (`distillation`), and beside the triples it trains on each problem's gold
/// solution as a plain answer (SELF's meta-skill corpus joins its question-answer data).
/// Without the two, on one seed, the stage took greedy accuracy from 18% to 7%: training on
/// what follows a response pulled the model away from writing one.
///
/// Later iterations are self-evolution, with no gold answer anywhere: on the unlabeled pool the
/// model answers, writes feedback on each answer and, after a fault, refines it; a refinement
/// gets the model's feedback in turn. What the model's own feedback accepts (answers, and
/// refinements) is kept, at most `keepPerProblem` distinct completions per problem, and the
/// model is fine-tuned on it as plain answers, continuing its optimizer. Its meta-skills are
/// kept without gold: on each problem's first response, what the model itself wrote after it
/// (feedback, and refinement) is distilled from the model the iteration starts from. Without
/// that, on one seed, a single iteration on its accepted answers left no readable feedback line
/// (99.6% unreadable) and cut accuracy at 3 and 4 digits from 44% and 35% to 17% and 8%.
public struct SelfEvolution: SelfImprovementMethod {
    /// Iterations of the meta-skill stage before self-evolution.
    public var metaSkillIterations = 1
    /// Responses sampled per problem, at `temperature`.
    public var samplesPerProblem = 4
    /// (see `samplesPerProblem`)
    public var temperature: Float = 0.7
    /// Distinct completions kept per problem: meta-skill triples, or accepted answers.
    public var keepPerProblem = 2
    /// Training steps per iteration.
    public var steps = 200
    /// The weight of the KL that keeps the model's predictions on the responses the meta-skill
    /// stage reads (against the cross-entropy's 1 on the feedback, refinement and gold answers).
    public var distillation = StatedConfidence.defaultDistillation

    /// SELF with its defaults.
    public init() {}

    public var name: String { "self" }
    public var reference: String { "Lu et al. 2023, SELF: Self-Evolution with Language Feedback" }
    /// The annotated problems' gold answers in the meta-skill stage; none after it.
    public func goldLabels(iteration n: Int) -> GoldLabels { n <= metaSkillIterations ? .annotated : .none }
    public var continuesFromPreviousModel: Bool { true }
    public func trainingSteps(iteration n: Int) -> Int { steps }
    /// The feedback format's markers and words.
    public var addedTokens: [String] { Feedback.tokens }
    public var settings: [(String, String)] {
        [("meta_skill_iterations", String(metaSkillIterations)), ("samples_per_problem", String(samplesPerProblem)),
         ("temperature", "\(temperature)"), ("keep_per_problem", String(keepPerProblem)), ("distillation", "\(distillation)"),
         ("steps", String(steps))]
    }

    public func collect(_ context: IterationContext) throws(ReasonerError) -> CollectedData {
        context.iteration <= metaSkillIterations ? try metaSkills(context) : try evolve(context)
    }

    /// The meta-skill triples: the model's own responses to the annotated problems, the gold feedback on
    /// each, and after a fault the gold solution.
    func metaSkills(_ context: IterationContext) throws(ReasonerError) -> CollectedData {
        var data = CollectedData()
        let attempts = try context.sample(context.pool, k: samplesPerProblem, sampler: Sampler(temperature: temperature), purpose: .feedbackResponses)
        var faults = 0
        for (problem, tries) in zip(context.pool, attempts) {
            data.tokensSampled += tries.reduce(0) { $0 + $1.logProbabilities.count }
            data.examples.append(SelectedExample(problem: problem, completion: context.task.target(problem), source: .generation))
            var seen = Set<String>()
            for a in tries where seen.count < keepPerProblem && seen.insert(a.completion).inserted {
                let feedback = Feedback.judge(a.completion, problem: problem, task: context.task)
                if !feedback.accepts { faults += 1 }
                data.examples.append(SelectedExample(problem: problem, completion: Feedback.continuation(feedback, refinement: context.task.target(problem)),
                                                     source: .generation, distilledPrefix: a.completion, unscoredPrefix: Feedback.requestLine))
            }
        }
        data.distillation = distillation
        data.notes = [("stage", "meta-skills"), ("triples", String(data.examples.count - context.pool.count)), ("faults", String(faults))]
        return data
    }

    /// Self-evolution: answers and refinements the model's own feedback accepts.
    func evolve(_ context: IterationContext) throws(ReasonerError) -> CollectedData {
        var data = CollectedData()
        let attempts = try context.sample(context.pool, k: samplesPerProblem, sampler: Sampler(temperature: temperature), purpose: .feedbackResponses)
        var problems: [Problem] = [], responses: [String] = [], owners: [Int] = []
        for (i, (problem, tries)) in zip(context.pool, attempts).enumerated() {
            data.tokensSampled += tries.reduce(0) { $0 + $1.logProbabilities.count }
            for a in tries { problems.append(problem); responses.append(a.completion); owners.append(i) }
        }
        let budget = context.maxTokens + 8
        let first = try context.refine(problems, responses: responses, maxTokens: budget)
        // A refinement is judged by the model's feedback in turn.
        let refined = first.indices.filter { first[$0].feedback.map { !$0.accepts } == true && first[$0].refinement != nil }
        let second = try context.refine(refined.map { problems[$0] }, responses: refined.map { first[$0].refinement! }, maxTokens: budget)
        data.tokensSampled += (first + second).reduce(0) { $0 + $1.tokens }
        var candidates: [(owner: Int, completion: String, refined: Bool)] = []
        for k in first.indices where first[k].feedback?.accepts == true { candidates.append((owners[k], responses[k], false)) }
        for (j, k) in refined.enumerated() where second[j].feedback?.accepts == true { candidates.append((owners[k], first[k].refinement!, true)) }
        candidates.sort { ($0.owner, $0.refined ? 1 : 0) < ($1.owner, $1.refined ? 1 : 0) }
        var kept: [Int: Set<String>] = [:]
        var keptRefinements = 0
        for c in candidates where kept[c.owner, default: []].count < keepPerProblem && kept[c.owner, default: []].insert(c.completion).inserted {
            data.examples.append(SelectedExample(problem: context.pool[c.owner], completion: c.completion, source: .generation))
            if c.refined { keptRefinements += 1 }
        }
        // The meta-skills are kept without gold: on each problem's first response, the model's own
        // feedback (and refinement) is distilled from the model the iteration starts from.
        var retained = 0
        for k in first.indices where k == 0 || owners[k] != owners[k - 1] {
            guard let feedback = first[k].feedback, feedback.accepts || first[k].refinement != nil else { continue }
            let written = Feedback.continuation(feedback, refinement: first[k].refinement)
            data.examples.append(SelectedExample(problem: problems[k], completion: "", source: .generation,
                                                 distilledPrefix: Feedback.request(after: responses[k]) + written))
            retained += 1
        }
        data.distillation = distillation
        let accepted = first.filter { $0.feedback?.accepts == true }.count
        data.notes = [("stage", "self-evolution"), ("accepted", "\(accepted)/\(responses.count)"), ("refined", String(refined.count)),
                      ("refinements_accepted", String(second.filter { $0.feedback?.accepts == true }.count)),
                      ("kept_refinements", String(keptRefinements)), ("feedback_retained", String(retained))]
        return data
    }
}
