import Foundation
import SafetyKitReasoner

/// Runs a judge into a run directory. `train` draws the policy's candidates (stored in
/// candidates.json), fine-tunes the judge on seed judgments and records it as iteration 0;
/// `selfRationalize` continues from the last complete iteration. Each iteration writes its
/// checkpoint, then its report and tables, then the run state (the commit point), so a killed run
/// continues where it stopped and ends as if it never had.
package final class JudgeDriver {
    package let loop: JudgeLoop
    package let store: RunStore

    package enum Event {
        case phase(iteration: Int, name: String, done: Int, total: Int)
        case recorded(JudgeReport, JudgeMetrics)
    }

    package init(loop: JudgeLoop, store: RunStore) {
        self.loop = loop
        self.store = store
    }

    package var candidatesPath: String { store.directory + "/candidates.json" }

    /// The run's candidates: read from candidates.json, or drawn from `policy` and written there.
    package func candidates(policy: TransformerModel?, events: @escaping (Event) -> Void) throws -> JudgeData {
        if let bytes = FileManager.default.contents(atPath: candidatesPath) {
            guard let data = try? JSONDecoder().decode(JudgeData.self, from: bytes) else {
                throw AnalysisError.badData(location: candidatesPath, message: "not the candidates of a judge run; start the run afresh in an empty directory")
            }
            return data
        }
        guard let policy else { throw AnalysisError.missingFile(path: candidatesPath) }
        let data = try loop.collect(policy: policy) { events(.phase(iteration: 0, name: "sampling candidates", done: $0, total: $1)) }
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        try OutputFile.write(String(decoding: try encoder.encode(data), as: UTF8.self) + "\n", to: candidatesPath)
        return data
    }

    /// Candidates, the seed judge and its measurement (iteration 0). The judge starts from
    /// `start`'s weights (the policy's unless another model is given). Does nothing when the run
    /// already has iteration 0.
    package func train(policy: TransformerModel, start: TransformerModel? = nil, bootstrap: Int, events: @escaping (Event) -> Void) throws {
        try store.prepare()
        if let state = try store.loadState(), state.completedIterations >= 0 { return }
        let clock = Date()
        let data = try candidates(policy: policy, events: events)
        let collectSeconds = Date().timeIntervalSince(clock)
        let trainClock = Date()
        let (judge, loss) = try loop.trainSeedJudge(try loop.initialJudge(policy: start ?? policy), data: data) { step, _ in
            events(.phase(iteration: 0, name: "training", done: step, total: self.loop.setup.sftSteps))
        }
        try Checkpoint(model: judge, vocabulary: loop.vocabulary, metadata: ["iteration": "0", "role": "judge"])
            .write(to: store.checkpointPath(iteration: 0))
        let trainSeconds = Date().timeIntervalSince(trainClock)
        try measure(judge, iteration: 0, data: data, bootstrap: bootstrap, completedBefore: nil, seconds: (collectSeconds, trainSeconds),
                    events: events) { JudgeReport(iteration: 0, judgments: $0, sftLoss: loss) }
    }

    /// Self-rationalization up to `iterations`, continuing after the last complete one.
    package func selfRationalize(iterations: Int, bootstrap: Int, events: @escaping (Event) -> Void) throws {
        guard let state = try store.loadState(), state.completedIterations >= 0 else {
            throw AnalysisError.missingFile(path: store.statePath + " (no seed judge yet: run `safetykit judge train` first)")
        }
        guard state.completedIterations < iterations else { return }
        let data = try candidates(policy: nil, events: events)
        var current = try Checkpoint.read(path: store.checkpointPath(iteration: state.completedIterations)).model
        for n in (state.completedIterations + 1)...iterations {
            let outcome = try loop.iterate(n, current: current, data: data) { name, done, total in
                events(.phase(iteration: n, name: name, done: done, total: total))
            }
            try Checkpoint(model: outcome.model, vocabulary: loop.vocabulary, metadata: ["iteration": String(n), "role": "judge"])
                .write(to: store.checkpointPath(iteration: n))
            try measure(outcome.model, iteration: n, data: data, bootstrap: bootstrap, completedBefore: n - 1, seconds: outcome.seconds,
                        events: events) { JudgeReport(iteration: n, judgments: $0, pairing: outcome.pairing, preferenceLog: outcome.preferenceLog) }
            current = outcome.model
        }
    }

    /// Rewrites the tables from the reports of the complete iterations (after rounds were dropped).
    package func refreshTables(bootstrap: Int) throws {
        guard let state = try store.loadState(), state.completedIterations >= 0 else { return }
        let data = try candidates(policy: nil) { _ in }
        try JudgeRecorder(directory: store.directory, data: data, bootstrap: bootstrap, seed: loop.setup.seed,
                          keepingIterationsThrough: state.completedIterations).writeAll()
    }

    /// Every complete iteration's measurements over all difficulties, from the stored reports.
    package func summary(bootstrap: Int) throws -> [JudgeRecorder.SummaryRow] {
        guard let state = try store.loadState(), state.completedIterations >= 0 else { return [] }
        let recorder = try JudgeRecorder(directory: store.directory, data: try candidates(policy: nil) { _ in }, bootstrap: bootstrap,
                                         seed: loop.setup.seed, keepingIterationsThrough: state.completedIterations)
        return try recorder.reports.map { report throws(AnalysisError) in try recorder.summary(report) }
    }

    private func measure(_ judge: TransformerModel, iteration n: Int, data: JudgeData, bootstrap: Int, completedBefore: Int?,
                         seconds: (collect: Double, train: Double), events: @escaping (Event) -> Void,
                         report make: ([JudgeOutput]) -> JudgeReport) throws {
        let clock = Date()
        let judgments = try loop.evaluate(judge, data: data, iteration: n) { events(.phase(iteration: n, name: "evaluating", done: $0, total: $1)) }
        let report = make(judgments)
        let recorder = try JudgeRecorder(directory: store.directory, data: data, bootstrap: bootstrap, seed: loop.setup.seed,
                                         keepingIterationsThrough: completedBefore)
        try recorder.record(report, seconds: (seconds.collect, seconds.train, Date().timeIntervalSince(clock)))
        try store.save(RunStore.State(completedIterations: n))
        events(.recorded(report, recorder.metrics(report)))
    }
}
