import Foundation
import SafetyKitNumerics

/// A self-improvement run directory's layout, declared once for the loop's driver, its recorder,
/// the command line and the study; and the run state that `--resume` continues from.
///
///     RUN/checkpoints/iteration-0.ckpt   the base model
///     RUN/checkpoints/iteration-N.ckpt   the model after iteration N (with the optimizer if online)
///     RUN/records/iteration-N.json       iteration N's measurements, whole; every table, chart and
///                                        summary below is derived from these
///     RUN/metrics.csv, timing.csv, calibration.csv, calibration_summary.csv, samples.jsonl,
///     preference.csv, policy.csv, plots/ the derived tables and charts
///     RUN/state.json                     the last complete iteration; written last, so it is the commit point
public struct RunStore: Sendable {
    /// The entries a run writes into its directory (what `--force` may replace).
    public enum Entry: String, CaseIterable, Sendable {
        case state = "state.json", checkpoints, records, metrics = "metrics.csv", timing = "timing.csv", calibration = "calibration.csv"
        case calibrationSummary = "calibration_summary.csv", samples = "samples.jsonl", preference = "preference.csv", policy = "policy.csv", plots
    }

    /// Where `entry` is kept.
    public func path(_ entry: Entry) -> String { directory + "/" + entry.rawValue }

    /// Where iteration N's record is kept.
    public func recordPath(iteration: Int) -> String { path(.records) + "/iteration-\(iteration).json" }

    /// The run's directory.
    public let directory: String

    /// The store of a run directory.
    public init(directory: String) { self.directory = directory }

    /// Where the loop stands: the last iteration whose checkpoint and tables are all written.
    public struct State: Codable, Sendable, Equatable {
        /// −1 before the base model's evaluation is recorded; then the last complete iteration.
        public var completedIterations: Int
        /// The best validation accuracy so far and its iteration (for early stopping).
        public var bestValidation: Double
        /// (see `bestValidation`)
        public var bestIteration: Int
        /// True once a method that stops early has stopped.
        public var stopped: Bool

        /// A state.
        public init(completedIterations: Int = -1, bestValidation: Double = -1, bestIteration: Int = 0, stopped: Bool = false) {
            self.completedIterations = completedIterations
            self.bestValidation = bestValidation
            self.bestIteration = bestIteration
            self.stopped = stopped
        }
    }

    /// Where the state is kept.
    public var statePath: String { path(.state) }
    /// Where an iteration's checkpoint is kept.
    public func checkpointPath(iteration: Int) -> String { path(.checkpoints) + "/iteration-\(iteration).ckpt" }

    /// Creates the run directory and its checkpoints folder.
    public func prepare() throws(ReasonerError) {
        if let reason = Folders.create(path(.checkpoints)) { throw .cannotWrite(path: path(.checkpoints), reason: reason) }
    }

    /// The saved state, or nil if the run has none yet.
    public func loadState() throws(ReasonerError) -> State? {
        guard let data = FileManager.default.contents(atPath: statePath) else { return nil }
        guard let state = try? JSONDecoder().decode(State.self, from: data) else {
            throw .badCheckpoint(path: statePath, reason: "the run state cannot be read; start the run afresh in an empty directory")
        }
        return state
    }

    /// Writes the state atomically.
    public func save(_ state: State) throws(ReasonerError) {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .prettyPrinted]
        let bytes: [UInt8]
        do { bytes = Array(try encoder.encode(state)) } catch { throw .cannotWrite(path: statePath, reason: "the state cannot be encoded: \(error)") }
        if let reason = TemporaryFiles.writeAtomically(bytes, to: statePath) { throw .cannotWrite(path: statePath, reason: reason) }
    }
}
