/// Everything a judge run fixes: where its candidates come from, how the judge is fine-tuned on
/// seed judgments, and how it self-rationalizes (docs/reasoner.md; Trivedi et al. 2024). Every default
/// is the documented default run.
package struct JudgeSetup: Sendable {
    package var task: any ReasoningTask
    package var difficulties: [Int]
    package var seed: UInt64

    // Candidates: the policy's own samples.
    /// Problems per difficulty whose candidates carry the seed judgments (SFT). The judge needs
    /// many: with 250 per difficulty (830 problems, 1,967 candidates) and 1,500 steps it learned
    /// only each length's usual score (AUROC 0.50 within 3 and 4 digits); with 1,000 (3,080
    /// problems) and 4,000 steps it checks steps (AUROC 0.87 and 0.84).
    package var seedProblemsPerDifficulty = 1000
    /// Problems per difficulty whose candidates the judge self-rationalizes on.
    package var poolProblemsPerDifficulty = 250
    /// Held-out problems per difficulty (capped at a fifth of a small difficulty's problems).
    package var heldOutProblemsPerDifficulty = 100
    /// Policy samples per problem (k of best-of-k).
    package var candidatesPerProblem = 8
    /// The policy's sampling temperature: 1.0 gives wrong candidates of every kind.
    package var policyTemperature: Float = 1
    /// Most distinct right candidates kept per training problem (right ones would otherwise
    /// dominate the easy lengths); wrong ones are kept up to `wrongPerProblem`.
    package var rightPerProblem = 1
    package var wrongPerProblem = 4

    // SFT on seed judgments.
    package enum Initialization: String, Sendable, CaseIterable {
        /// The policy's weights, with rows for the judge's tokens added to the embedding.
        case policy
        /// Fresh weights of the policy's shape.
        case scratch
    }
    package var initialization = Initialization.policy
    package var sftSteps = 4000
    package var sftLearningRate: Float = 1e-3
    package var warmupSteps = 100
    package var batchSize = 32

    // Self-rationalization.
    package enum Pairing: String, Sendable, CaseIterable {
        /// chosen: a judgment with the gold score; rejected: one whose score is `margin` or more away.
        case gold
        /// Label-free: the majority score of the samples stands in for the gold score.
        case majority
    }
    package var pairing = Pairing.gold
    /// Judgments sampled per pool item.
    package var judgmentsPerItem = 4
    package var judgeTemperature: Float = 1
    /// Smallest score difference between chosen and rejected (an unreadable judgment is always
    /// far enough).
    package var margin = 2
    package var pairsPerItem = 1
    /// DPO with iterative RPO's NLL on the chosen judgment (α = 1). Plain DPO is the paper's; here
    /// it lowered the chosen judgments' log-probabilities with the rejected ones (summed, −1.1 →
    /// −36 in the first round) until 86% of held-out judgments could not be read; the NLL term
    /// keeps the judge's format.
    package var loss = PreferenceLoss.rpo(beta: 0.1, alpha: 1)
    package var preferenceSteps = 200
    /// A fifth of the policy's preference rate: at 1e-4 every held-out measure of the judge fell
    /// in both rounds (exact score 76.9 → 72.8 → 70.1%); at 2e-5 it rose (→ 79.3 → 79.6%).
    package var preferenceLearningRate: Float = 2e-5
    package var preferenceWarmupSteps = 20
    /// Sequences per sampling batch.
    package var samplingBatch = 128

    package init(task: any ReasoningTask, difficulties: [Int], seed: UInt64) {
        self.task = task
        self.difficulties = difficulties
        self.seed = seed
    }

    /// The settings as (name, value) pairs, for config.json.
    package var settings: [(String, String)] {
        [("seed_problems", String(seedProblemsPerDifficulty)), ("pool_problems", String(poolProblemsPerDifficulty)),
         ("heldout_problems", String(heldOutProblemsPerDifficulty)), ("candidates", String(candidatesPerProblem)),
         ("policy_temperature", "\(policyTemperature)"), ("right_per_problem", String(rightPerProblem)),
         ("wrong_per_problem", String(wrongPerProblem)), ("init", initialization.rawValue), ("sft_steps", String(sftSteps)),
         ("sft_lr", "\(sftLearningRate)"), ("pairing", pairing.rawValue), ("judgments", String(judgmentsPerItem)),
         ("judge_temperature", "\(judgeTemperature)"), ("margin", String(margin)), ("pairs", String(pairsPerItem)),
         ("loss", loss.name), ("beta", "\(loss.beta)"), ("preference_steps", String(preferenceSteps)),
         ("preference_lr", "\(preferenceLearningRate)")]
    }
}
