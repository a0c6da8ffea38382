import Foundation
import SafetyKitReasoner

/// Runs a self-improvement loop into a run directory: trains or loads the base model, records
/// the base (iteration 0), then each iteration, writing the checkpoint, then the tables and
/// charts, then the run state (the commit point). Started on a directory with a state, it
/// continues after the last complete iteration, and ends as if it had never stopped.
package final class SelfImprovementDriver {
    package let loop: SelfImprovementLoop
    package let store: RunStore
    package let recorder: SelfImprovementRecorder
    package let configuration: ModelConfiguration

    /// What the driver reports as it goes, for progress bars and summaries.
    package enum Event {
        case baseTraining(step: Int, of: Int, loss: Double)
        case phase(iteration: Int, name: String, done: Int, total: Int)
        case recorded(IterationReport)
        case stoppedEarly(iteration: Int, bestIteration: Int)
    }

    package init(loop: SelfImprovementLoop, store: RunStore, recorder: SelfImprovementRecorder, configuration: ModelConfiguration) {
        self.loop = loop
        self.store = store
        self.recorder = recorder
        self.configuration = configuration
    }

    /// Runs (or continues) the loop. `base` is a base model to start from instead of training
    /// one; it is ignored when the run already has its own.
    package func run(base given: Checkpoint?, events: @escaping (Event) -> Void) throws {
        try store.prepare()
        var state = try store.loadState() ?? RunStore.State()
        let vocabulary = loop.vocabulary
        let basePath = store.checkpointPath(iteration: 0)
        var base: TransformerModel
        // The task the run's checkpoints record, which `eval` and `sample` hold them to: the
        // base's when it records one (a model of the mixture stays one), else the loop's.
        var task = loop.setup.task.name
        let baseStart = Date()
        if FileManager.default.fileExists(atPath: basePath) {
            let stored = try Checkpoint.read(path: basePath)
            base = stored.model
            task = stored.metadata["task"] ?? task
        } else {
            task = given?.metadata["task"] ?? task
            if let given {
                base = given.model
            } else {
                base = try loop.trainBase(configuration: configuration) { step, loss in
                    events(.baseTraining(step: step, of: self.loop.setup.baseSteps, loss: loss))
                }
            }
            // The method's own tokens (S^3c-Math's marker), appended to the base's.
            if base.configuration.vocabularySize < vocabulary.count {
                base = try base.extendingVocabulary(by: vocabulary.count - base.configuration.vocabularySize, seed: loop.setup.seed)
            }
            try Checkpoint(model: base, vocabulary: vocabulary, metadata: ["iteration": "0", "method": loop.method.name, "task": task]).write(to: basePath)
        }
        if state.completedIterations < 0 {
            var report = try loop.baseline(base) { done in events(.phase(iteration: 0, name: "evaluating", done: done, total: self.loop.heldOut.count)) }
            // Iteration 0's training time is the base model's (0 when it was given or already on disk).
            report.seconds.train = Date().timeIntervalSince(baseStart) - report.seconds.evaluate
            try recorder.record(report)
            state = RunStore.State(completedIterations: 0, bestValidation: report.validationAccuracy, bestIteration: 0, stopped: false)
            try store.save(state)
            events(.recorded(report))
        }
        guard state.completedIterations < loop.setup.iterations, !state.stopped else { return }
        let previous = try Checkpoint.read(path: store.checkpointPath(iteration: state.completedIterations))
        var current = previous.model, optimizer = previous.optimizer
        for n in (state.completedIterations + 1)...loop.setup.iterations {
            let outcome = try loop.iterate(n, base: base, current: current, optimizer: optimizer, bestValidation: state.bestValidation) { name, done, total in
                events(.phase(iteration: n, name: name, done: done, total: total))
            }
            try Checkpoint(model: outcome.model, vocabulary: vocabulary, optimizer: outcome.optimizer,
                           metadata: ["iteration": String(n), "method": loop.method.name, "task": task]).write(to: store.checkpointPath(iteration: n))
            try recorder.record(outcome.report)
            if outcome.report.validationAccuracy > state.bestValidation {
                state.bestValidation = outcome.report.validationAccuracy
                state.bestIteration = n
            }
            state.completedIterations = n
            state.stopped = outcome.report.stoppedEarly
            try store.save(state)
            events(.recorded(outcome.report))
            if state.stopped {
                events(.stoppedEarly(iteration: n, bestIteration: state.bestIteration))
                return
            }
            current = outcome.model
            optimizer = outcome.optimizer
        }
    }
}
