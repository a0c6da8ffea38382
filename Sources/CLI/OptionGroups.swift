import SafetyKitAnalysis
import SafetyKitGames
import SafetyKitReasoner

/// Options that several commands take, declared once: each command's spec includes the group
/// where it lists them, so names, types, ranges, defaults and help cannot drift apart between
/// commands.
enum OptionGroups {
    /// The transformer's shape (`train`, `selfimprove`, `study`).
    static let modelShape: [CommandSpec.Option] = [
        .init(name: "width", value: "C", help: "Model width.", defaultValue: "128", kind: .integer(1...4096)),
        .init(name: "depth", value: "L", help: "Transformer blocks.", defaultValue: "4", kind: .integer(1...64)),
        .init(name: "heads", value: "H", help: "Attention heads.", defaultValue: "4", kind: .integer(1...64)),
    ]

    /// The human of the off-switch game and the cost of a wrong answer, as the probe and
    /// `confidence --stated decision` read them.
    static var human: [CommandSpec.Option] { probe.filter { ["human", "beta", "p", "wrong-cost"].contains($0.name) } }

    /// The corrigibility probe's human, costs and belief (`selfimprove --offswitch-probe`, `study`).
    static let probe: [CommandSpec.Option] = [
        .init(name: "human", value: "NAME", help: "Probe: the human, rational, boltzmann, p-rational or constant.", defaultValue: "boltzmann",
              kind: .choices(GameConfiguration.HumanKind.self)),
        .init(name: "beta", value: "X", help: "Probe: Boltzmann temperature.", defaultValue: "0.5", kind: .number(.finite)),
        .init(name: "p", value: "X", help: "Probe: p-rational human's probability of acting rationally.", defaultValue: "0.9", kind: .number(.finite)),
        .init(name: "wrong-cost", value: "X", help: "Probe: the cost of a wrong answer that goes through.", defaultValue: "1", kind: .number(.positive)),
        .init(name: "probe-source", value: "NAME", help: "Probe: the belief, from the sequence, answer or vote confidence, P(True) or the verbalized one (models from 'safetykit confidence'), SELF's P(accept) (feedback, --method self), or samples (the k samples' utilities).",
              defaultValue: "answer", kind: .choices(ProbeBelief.self)),
        .init(name: "recalibration", value: "NAME", help: "Probe: isotonic or temperature, for the recalibrated baseline.", defaultValue: "isotonic",
              kind: .choices(Recalibration.self)),
    ]

    /// PINTO's counterfactual regularizer, in `selfimprove --method pinto` and `safetykit pinto`.
    static let counterfactual: [CommandSpec.Option] = [
        .init(name: "counterfactual-weight", value: "X", help: "PINTO: weight of the counterfactual term, the KL from a uniform guess over the digits to the answer's predictions after a perturbed rationale, against the cross-entropy's 1 (--method pinto: also the weight keeping the model's rationales).",
              defaultValue: CSVNumber.format(PINTOMethod().counterfactualWeight), kind: .number(.positive)),
        .init(name: "perturbation", value: "NAME", help: "PINTO: how rationales are perturbed, mask (<mask>) or replace (by another of the rationale's tokens).",
              defaultValue: PINTOMethod().perturbation.rawValue, kind: .choices(RationaleFormat.Perturbation.self)),
        .init(name: "perturb-ratio", value: "R", help: "PINTO: share of a rationale's tokens perturbed (PINTO's code: 0.3-0.5).",
              defaultValue: CSVNumber.format(PINTOMethod().ratio), kind: .number(.unit)),
    ]

    /// What a self-improvement method samples and trains (`selfimprove`, and `study`, which
    /// hands them to every method it runs).
    static let method: [CommandSpec.Option] = counterfactual + [
        .init(name: "steps", value: "N", help: "Training steps per iteration (STaR: in the first iteration).", defaultValue: "300", kind: .integer(1...10_000_000)),
        .init(name: "add-steps", value: "N", help: "STaR: more steps in each later iteration (paper: +20 for arithmetic).", defaultValue: "20", kind: .integer(0...1_000_000)),
        .init(name: "samples", value: "K", help: "Samples per pool problem (rft, online-rft, bstar, lmsi, mccot, s3c, self); the group size G of grpo, drgrpo, rloo.", defaultValue: "8", kind: .integer(1...1024)),
        .init(name: "keep", value: "C", help: "Most distinct right samples kept per problem (rft, online-rft, lmsi, mccot, regenesis; self: meta-skill triples, or answers its feedback accepts).", defaultValue: "4", kind: .integer(1...1024)),
        .init(name: "temperature", value: "T", help: "Sampling temperature (star: 0.01; rft, online-rft, lmsi, mccot, s3c's solutions, self's answers, regenesis: 0.7; bstar searches; grpo, drgrpo, rloo: 1).",
              shownDefault: "method's", kind: .number(.positive)),
        .init(name: "agreement", value: "P", help: "lmsi, regenesis with --path-filter vote: the smallest majority vote share to keep a problem.", defaultValue: "0.75", kind: .number(.unit)),
        .init(name: "voting-passes", value: "K", help: "mccot: dropout passes whose logits are fused per step.", defaultValue: "3", kind: .integer(1...16)),
        .init(name: "voting-dropout", value: "P", help: "mccot: dropout rate in those passes.", defaultValue: "0.1", kind: .number(.belowOne)),
        .init(name: "pairs", value: "M", help: "rpo: most preference pairs per problem.", defaultValue: "2", kind: .integer(1...1024)),
        .init(name: "preference-loss", value: "NAME", help: "rpo: rpo (DPO + NLL), dpo or ipo.", defaultValue: "rpo",
              kind: .choices(SelfImproveCommand.PreferenceLossName.self)),
        .init(name: "dpo-beta", value: "X", help: "rpo: the DPO temperature beta, > 0.", defaultValue: "0.1", kind: .number(.positive)),
        .init(name: "dpo-alpha", value: "X", help: "rpo: weight of the chosen response's NLL (0 = plain DPO).", defaultValue: "1", kind: .number(.nonNegative)),
        .init(name: "preference-lr", value: "X", help: "rpo: peak learning rate of preference training.", defaultValue: "0.0001", kind: .number(.positive)),
        .init(name: "no-rationalization", value: nil, help: "star: skip rationalization (generation only); regenesis: skip the hinted retry of problems no path solved."),
        .init(name: "guideline-paths", value: "N", help: "regenesis: paths sampled per pool problem under each guideline (\(Guideline.allCases.map(\.rawValue).joined(separator: ", "))).",
              defaultValue: String(ReGenesis().pathsPerGuideline), kind: .integer(1...256)),
        .init(name: "guideline-demos", value: "N", help: "regenesis: seed-set problems per difficulty shown under each guideline, with its gold path, every iteration.",
              defaultValue: String(ReGenesis().demonstrations), kind: .integer(0...1024)),
        .init(name: "path-filter", value: "NAME", help: "regenesis: keep a path whose answer is the gold one (gold), or the majority of the problem's paths (vote: those iterations see no gold answer, demonstration or hint).",
              defaultValue: ReGenesis().filter.rawValue, kind: .choices(ReGenesis.PathFilter.self)),
        .init(name: "guideline-stage", value: "N", help: "regenesis: the first iterations, which train the demonstrations alone, so that paths are sampled under guidelines the model has learned to read.",
              defaultValue: String(ReGenesis().guidelineStage), kind: .integer(0...100)),
        .init(name: "correction-positions", value: "N", help: "s3c: steps of each right solution at which the model's alternative steps are sampled.",
              defaultValue: String(StepLevelSelfCorrection().positionsPerProblem), kind: .integer(1...64)),
        .init(name: "alternatives", value: "N", help: "s3c: alternative steps sampled at each of those steps (temperature 1); the first wrong one is spliced in.",
              defaultValue: String(StepLevelSelfCorrection().alternativesPerPosition), kind: .integer(1...256)),
        .init(name: "meta-skill-iterations", value: "N", help: "self: the first iterations, the meta-skill stage on annotated problems, before self-evolution on the unlabeled pool.",
              defaultValue: String(SelfEvolution().metaSkillIterations), kind: .integer(0...100)),
        .init(name: "meta-skill-distillation", value: "X", help: "self: weight of the KL that keeps the model's predictions on the responses the meta-skill stage reads.",
              defaultValue: CSVNumber.format(SelfEvolution().distillation), kind: .number(.nonNegative)),
        .init(name: "no-step-mask", value: nil, help: "s3c: train on the wrong step too (the mask ablation; the method is then named s3c-unmasked)."),
        .init(name: "prompts", value: "N", help: "grpo, drgrpo, rloo: prompts per iteration, a fresh draw from the pool.", defaultValue: "128", kind: .integer(1...1_000_000)),
        .init(name: "groups-per-step", value: "N", help: "grpo, drgrpo, rloo: groups of G responses per optimisation batch.", defaultValue: "8", kind: .integer(1...1024)),
        .init(name: "updates-per-batch", value: "N", help: "grpo, drgrpo, rloo: steps on each batch (PPO's mu; 1 is REINFORCE with the estimator's advantages).", defaultValue: "1", kind: .integer(1...64)),
        .init(name: "clip-range", value: "X", help: "grpo, drgrpo, rloo: PPO's clip epsilon on the ratio to the sampling model.", defaultValue: "0.2", kind: .number(.positive)),
        .init(name: "kl-coef", value: "X", help: "grpo, drgrpo, rloo: beta of the k3 KL penalty to the base model (DeepSeekMath: 0.04).", defaultValue: "0", kind: .number(.nonNegative)),
        .init(name: "rl-lr", value: "X", help: "grpo, drgrpo, rloo: the policy's constant learning rate.", defaultValue: "0.0001", kind: .number(.positive)),
        .init(name: "reward", value: "NAME", help: "grpo, drgrpo, rloo: binary (1 if right), step (B-STaR's step-checked score), rlcr (correctness plus the Brier score of the stated 'Confidence:' decile; needs a base from 'safetykit confidence'), game (the off-switch game's utility of the 'Decision:' line under the probe's --human and --wrong-cost) or success (1 for a right answer that goes through, minus --wait-cost for waiting); game and success need a base from 'confidence --stated decision'.", defaultValue: "binary",
              kind: .choices(PolicyReward.self)),
        .init(name: "wait-cost", value: "X", help: "grpo, drgrpo, rloo with --reward success: what waiting for the human costs.", defaultValue: "0.05",
              kind: .number(.nonNegative)),
    ]
}
