import Foundation
import SafetyKitAnalysis

/// `--input-format` for the commands that read predictions (`calibrate`, `offswitch --beliefs`):
/// a CSV file, or an evaluation harness's log, named or detected from the file's content.
enum EvaluationLogInput {
    static let choices = ["auto"] + EvaluationLog.Format.allCases.map(\.rawValue)

    static let option = CommandSpec.Option(
        name: "input-format", value: "FMT",
        help: "csv, lm-eval (lm-evaluation-harness --log_samples JSONL), inspect (an inspect_ai .json log), completions (OpenAI-style or TRL JSONL with logprobs and correct/reward) or samples (a SafetyKit run's samples.jsonl); auto detects it from the content.",
        defaultValue: "auto")
    static let scorerOption = CommandSpec.Option(name: "scorer", value: "NAME", help: "inspect logs: the scorer whose value says right (C) or wrong (I); default the first by name.")
    static let sourceOption = CommandSpec.Option(name: "confidence-source", value: "NAME",
                                                 help: "SafetyKit samples: sequence, answer, vote, ptrue or verbalized (answers without a value of it are left out).",
                                                 defaultValue: "answer", kind: .choices(ConfidenceSource.self))

    /// The predictions in `path`, grouped by `group` (a CSV column, or a dotted field of a JSON record).
    static func read(_ args: ParsedArguments, path: String, group: String?) throws -> PredictionTable {
        try readWithFormat(args, path: path, group: group).table
    }

    /// The predictions and the format they were read in.
    static func readWithFormat(_ args: ParsedArguments, path: String, group: String?) throws -> (table: PredictionTable, format: EvaluationLog.Format) {
        let chosen = try args.choice("input-format", choices) ?? "auto"
        // "-" is standard input.
        let source = path == "-" ? "<stdin>" : path
        let data: Data
        if path == "-" {
            data = (try? FileHandle.standardInput.readToEnd()) ?? Data()
        } else {
            guard let contents = FileManager.default.contents(atPath: path) else { throw AnalysisError.missingFile(path: path) }
            data = contents
        }
        let format = chosen == "auto" ? EvaluationLog.Format.detect(Array(data)) : EvaluationLog.Format(rawValue: chosen)!
        if format != .inspect, args.has("scorer") { throw CLIError.usage("--scorer applies to inspect logs only; this file is read as \(format.rawValue)") }
        if format != .samples, args.has("confidence-source") {
            throw CLIError.usage("--confidence-source applies to SafetyKit samples (samples.jsonl) only; this file is read as \(format.rawValue)")
        }
        let table = try EvaluationLog.parse(data, source: source, format: format, confidenceColumn: args.string("confidence-column") ?? "confidence",
                                            correctColumn: args.string("correct-column") ?? "correct", group: group, scorer: args.string("scorer"),
                                            confidenceSource: args.value("confidence-source") ?? "answer")
        return (table, format)
    }
}
