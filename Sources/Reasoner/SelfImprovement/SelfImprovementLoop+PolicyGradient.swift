import SafetyKitNumerics

extension SelfImprovementLoop {
    /// Trains the policy on an iteration's rewarded groups (`PolicyGradientMethod`): the groups in
    /// a seeded order, `groupsPerStep` per batch, `updatesPerBatch` steps on each, from `current`
    /// (which sampled them) and its optimizer; the KL reference is the base. Returns the model,
    /// its optimizer, the per-step log and the completion tokens trained on.
    func trainPolicy(_ method: PolicyGradientMethod, rollouts: [RolloutGroup], base: TransformerModel, current: TransformerModel,
                     optimizer: AdamW?, iteration n: Int, steps: Int, progress: (Int) -> Void)
        throws(ReasonerError) -> (TransformerModel, AdamW?, [PolicyGradientTrainer.StepLog], Int) {
        var groups: [[Rollout]] = []
        for group in rollouts {
            let prompt = try vocabulary.encode(setup.task.prompt(group.problem), context: "the prompt of \(group.problem.key)")
            var encoded: [Rollout] = []
            for r in group.responses {
                // A finished sample drew <eos> too: one token more than its text.
                let text = try vocabulary.encode(r.completion)
                let completion = text + (r.sampledTokens > text.count ? [vocabulary.eos] : [])
                if !completion.isEmpty { encoded.append(Rollout(prompt: prompt, completion: completion, reward: r.reward)) }
            }
            if !encoded.isEmpty { groups.append(encoded) }
        }
        guard !groups.isEmpty else { return (current, optimizer, [], 0) }
        var settings = method.training
        settings.maxCompletionTokens = maxTokens + 1
        let trainer = try PolicyGradientTrainer(model: current, reference: base, settings: settings,
                                                schedule: LearningRateSchedule(peak: method.learningRate, warmupSteps: 0, totalSteps: max(1, steps), minimumRatio: 1),
                                                optimizer: optimizer)
        var order = Array(groups.indices)
        var stream = RandomStream(seed: setup.seed, purpose: .policyBatches).substream(UInt64(n))
        stream.shuffle(&order)
        var log: [PolicyGradientTrainer.StepLog] = [], tokens = 0
        for start in stride(from: 0, to: order.count, by: max(1, method.groupsPerStep)) {
            let batch = order[start..<min(order.count, start + max(1, method.groupsPerStep))].map { groups[$0] }
            for _ in 0..<settings.updatesPerBatch {
                // The first step's policy is the sampling model itself: its ratios are exactly 1.
                log.append(try trainer.step(batch, old: log.isEmpty ? nil : current))
                tokens += batch.joined().reduce(0) { $0 + $1.completion.count }
                progress(log.count)
            }
        }
        return (trainer.model, trainer.optimizer, log, tokens)
    }
}
