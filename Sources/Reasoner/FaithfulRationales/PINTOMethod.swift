import SafetyKitNumerics

/// PINTO as a self-improvement method (`selfimprove --method pinto`), so that the corrigibility
/// study can run it as an arm: the rationalizer and the reasoner are one network, the model the
/// iteration starts from writing the rationale and the same model, trained, reading it.
///
/// Each iteration, continuing from the previous model:
/// - the model writes one greedy rationale per pool problem (the iteration's frozen
///   rationalizer);
/// - **clean examples** read that rationale, its tokens distilled towards the starting model's
///   predictions (so the rationalizer stays nearly frozen, `TrainingExample.distilled`), and are
///   trained on the gold answer after it, right or wrong as the rationale may be;
/// - **counterfactual examples** read the rationale with `ratio` of its tokens perturbed and
///   pull the answer's predictions towards the uniform guess over the digits
///   (`TrainingExample.uniformGuess`), PINTO's regularizer.
///
/// The distillation and counterfactual terms share one weight, `counterfactualWeight`, against
/// the cross-entropy's 1. `safetykit pinto` is the paper's two-model form.
public struct PINTOMethod: SelfImprovementMethod {
    /// The counterfactual term's weight (also the rationale's distillation weight).
    public var counterfactualWeight = 1.0
    /// How rationales are perturbed.
    public var perturbation = RationaleFormat.Perturbation.mask
    /// The share of a rationale's tokens perturbed.
    public var ratio = 0.4
    /// Training steps per iteration.
    public var steps = 300

    /// PINTO with the defaults above.
    public init() {}

    public var name: String { "pinto" }
    public var reference: String { "Wang et al. 2023, PINTO: Faithful Language Reasoning Using Prompt-Generated Rationales" }
    public func goldLabels(iteration n: Int) -> GoldLabels { .pool }
    public var continuesFromPreviousModel: Bool { true }
    public func trainingSteps(iteration n: Int) -> Int { steps }
    public var addedTokens: [String] { [RationaleFormat.mask] }
    public var settings: [(String, String)] {
        [("counterfactual_weight", "\(counterfactualWeight)"), ("perturbation", perturbation.rawValue), ("ratio", "\(ratio)"), ("steps", String(steps))]
    }

    public func collect(_ context: IterationContext) throws(ReasonerError) -> CollectedData {
        var data = CollectedData()
        data.distillation = counterfactualWeight
        let attempts = try context.sample(context.pool, k: 1, sampler: Sampler(temperature: 0), purpose: .rationaleWriting)
        var stream = RandomStream(seed: context.seed(for: .rationalePerturbations), stream: 0)
        var read = 0, right = 0
        for (problem, tries) in zip(context.pool, attempts) {
            let a = tries[0]
            data.tokensSampled += a.logProbabilities.count
            guard let rationale = a.solution?.rationale else { continue }
            read += 1
            if a.isCorrect(problem.answer) { right += 1 }
            let scratchpad = "<scratch>\n" + rationale.joined(separator: "\n") + "\n</scratch>"
            data.examples.append(SelectedExample(problem: problem, completion: "\n" + problem.answer, source: .generation, distilledPrefix: scratchpad))
            let perturbed = RationaleFormat.perturb(rationale, perturbation, ratio: ratio, using: &stream)
            data.examples.append(SelectedExample(problem: problem, completion: "<scratch>\n" + perturbed.joined(separator: "\n") + "\n</scratch>\n" + problem.answer,
                                                 source: .generation, counterfactual: true))
        }
        data.notes = [("rationales", String(read)), ("rationales_right", String(right))]
        return data
    }
}
