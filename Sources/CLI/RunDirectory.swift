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
    /// An option the stored file lacks (one SafetyKit gained after the run began) agrees when its
    /// value in `config` is its default, given in `defaults`.
    static func open(_ directory: String, config: JSONValue, optionsFile: String = "config.json", runEntries: [String],
                     resume: Bool, force: Bool, extendable: Set<String> = [], defaults: [String: JSONValue] = [:]) throws -> Bool {
        guard !(resume && force) else { throw CLIError.usage("--resume and --force contradict each other: --resume continues RUN, --force replaces it") }
        let path = directory + "/" + optionsFile
        let manager = FileManager.default
        if resume {
            guard let stored = manager.contents(atPath: path), let text = String(data: stored, encoding: .utf8) else {
                throw AnalysisError.missingFile(path: path)
            }
            let current = config.pretty() + "\n"
            guard agrees(stored: text, current: current, extendable: extendable, defaults: defaults) else {
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

    /// Whether a stored options file agrees with the current one: the same but for the `options`
    /// entries named in `extendable`, and for options the stored file lacks whose current value is
    /// their default in `defaults` (an option added to SafetyKit after the run began, left at the
    /// value that computes what the run computed).
    static func agrees(stored: String, current: String, extendable: Set<String> = [], defaults: [String: JSONValue] = [:]) -> Bool {
        if stored == current { return true }
        guard var old = (try? JSONSerialization.jsonObject(with: Data(stored.utf8))) as? [String: Any],
              var new = (try? JSONSerialization.jsonObject(with: Data(current.utf8))) as? [String: Any] else { return false }
        var oldOptions = old["options"] as? [String: Any] ?? [:], newOptions = new["options"] as? [String: Any] ?? [:]
        for key in extendable { oldOptions.removeValue(forKey: key); newOptions.removeValue(forKey: key) }
        for (key, value) in newOptions where oldOptions[key] == nil {
            guard let standard = defaults[key].flatMap(parsed), canonical(value) == canonical(standard) else { return false }
            newOptions.removeValue(forKey: key)
        }
        old["options"] = oldOptions
        new["options"] = newOptions
        return canonical(old) == canonical(new)
    }

    /// An option's value as an options file records it.
    static func option(_ name: String, in text: String) -> String? {
        let object = (try? JSONSerialization.jsonObject(with: Data(text.utf8))) as? [String: Any]
        return (object?["options"] as? [String: Any])?[name] as? String
    }

    /// The option names an options file records.
    static func optionNames(_ text: String) -> Set<String> {
        let object = (try? JSONSerialization.jsonObject(with: Data(text.utf8))) as? [String: Any]
        return Set((object?["options"] as? [String: Any] ?? [:]).keys)
    }

    /// A parsed JSON value as sorted-key JSON bytes, for comparing values.
    private static func canonical(_ value: Any) -> Data? {
        try? JSONSerialization.data(withJSONObject: [value], options: [.sortedKeys])
    }

    /// A JSON value as JSONSerialization reads it back.
    private static func parsed(_ value: JSONValue) -> Any? {
        try? JSONSerialization.jsonObject(with: Data(value.serialized().utf8), options: .fragmentsAllowed)
    }
}
