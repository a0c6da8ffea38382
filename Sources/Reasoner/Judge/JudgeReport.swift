/// What one judge iteration did and produced, as plain values: iteration 0 is the SFT judge,
/// iteration n ≥ 1 the judge after n rounds of self-rationalization. Stored whole in
/// RUN/reports/iteration-N.json, from which every table of the run is rebuilt. Wall time is kept
/// out (it goes to timing.csv), so a report is reproducible from the seed.
package struct JudgeReport: Sendable, Equatable, Codable {
    package var iteration: Int
    /// The greedy judgment of each held-out candidate (`JudgeData.heldOutItems` order).
    package var judgments: [JudgeOutput]
    /// Curation's counts (iterations ≥ 1).
    package var pairing: JudgePairing.Summary?
    /// Preference training's per-step log (iterations ≥ 1).
    package var preferenceLog: [PreferenceTrainer.StepLog]
    /// The smoothed SFT loss at the end of seed training (iteration 0).
    package var sftLoss: Double?

    package init(iteration: Int, judgments: [JudgeOutput], pairing: JudgePairing.Summary? = nil,
                preferenceLog: [PreferenceTrainer.StepLog] = [], sftLoss: Double? = nil) {
        self.iteration = iteration
        self.judgments = judgments
        self.pairing = pairing
        self.preferenceLog = preferenceLog
        self.sftLoss = sftLoss
    }
}
