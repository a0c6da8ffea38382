import SafetyKitAnalysis
import Foundation
import SafetyKitNumerics

/// A run directory's options file and its guards, shared by the commands that write runs
/// (selfimprove, judge): a new run refuses a directory that already holds files unless --force,
/// and --force replaces only what a SafetyKit run wrote; --resume continues only a run started
/// with the same options.
enum RunDirectory {
    /// Prepares `directory` for a run recorded by `config` in `optionsFile`. Returns true when
    /// resuming (the stored options equal `config`), false for a fresh run (the directory is
    /// created or emptied of `runEntries`, and the options file written).
    /// Options listed in `extendable` (e.g. "iterations") may differ on resume: a finished run is
    /// then extended, and the options file records the new value.
    @discardableResult
    static func open(_ directory: String, config: JSONValue, optionsFile: String = "config.json", runEntries: [String],
                     resume: Bool, force: Bool, extendable: Set<String> = []) throws -> Bool {
        guard !(resume && force) else { throw CLIError.usage("--resume and --force contradict each other: --resume continues RUN, --force replaces it") }
        let path = directory + "/" + optionsFile
        let manager = FileManager.default
        if resume {
            guard let stored = manager.contents(atPath: path), let text = String(data: stored, encoding: .utf8) else {
                throw AnalysisError.missingFile(path: path)
            }
            let current = config.pretty() + "\n"
            guard text == current || sameExcept(extendable, text, current) else {
                throw CLIError.usage("\(directory) was started with other options; resume with the same options as in \(path), or use --force to start over")
            }
            if text != current { try OutputFile.write(current, to: path) }
            return true
        }
        if manager.fileExists(atPath: directory), let entries = try? manager.contentsOfDirectory(atPath: directory), !entries.isEmpty {
            guard force else {
                throw AnalysisError.cannotCreate(path: directory, reason: "it already holds \(entries.contains(optionsFile) ? "a run" : "files"); use --resume to continue the run or --force to replace it")
            }
            guard entries.contains(optionsFile) else {
                throw AnalysisError.cannotCreate(path: directory, reason: "it holds files that are not a SafetyKit run; --force replaces only run directories")
            }
            for entry in [optionsFile] + runEntries { try? manager.removeItem(atPath: directory + "/" + entry) }
        }
        if let reason = Folders.create(directory) { throw AnalysisError.cannotCreate(path: directory, reason: reason) }
        try OutputFile.write(config.pretty() + "\n", to: path)
        return false
    }

    /// Whether two options files agree but for the `options` entries named in `keys`.
    static func sameExcept(_ keys: Set<String>, _ a: String, _ b: String) -> Bool {
        guard !keys.isEmpty else { return false }
        func stripped(_ text: String) -> Data? {
            guard var object = (try? JSONSerialization.jsonObject(with: Data(text.utf8))) as? [String: Any] else { return nil }
            if var options = object["options"] as? [String: Any] {
                for key in keys { options.removeValue(forKey: key) }
                object["options"] = options
            }
            return try? JSONSerialization.data(withJSONObject: object, options: [.sortedKeys])
        }
        guard let x = stripped(a), let y = stripped(b) else { return false }
        return x == y
    }
}
