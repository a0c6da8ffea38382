import Foundation
import SafetyKitAnalysis
import SafetyKitNumerics

/// How a command prints its results.
enum OutputFormat: String, CaseIterable {
    /// Aligned text for a reader.
    case table
    /// One CSV record per row.
    case csv
    /// JSON (one object, or JSON Lines for several).
    case json
}

/// What a subcommand accepts, from which both the parser and `--help` are made.
struct CommandSpec {
    /// `--threads`, for every command that runs long; results are identical for any N.
    static let threads = Option(name: "threads", value: "N", help: "Worker threads; the output is identical for any N.",
                                shownDefault: "the cores this process may use", kind: .integer(1...1024))

    /// One option, declared once: its name, placeholder, help, default and the values it
    /// accepts. The parser checks every given value against `kind` before any work starts, the
    /// typed readers (`ParsedArguments.integer(_:)`, `number(_:)`, `choice(_:as:)`) return the
    /// given value or this default, `--help` shows both, and run records (`recorded`) write
    /// them, so a command never restates a range or a default where it reads the option.
    struct Option {
        /// The long name without dashes, e.g. "sigma".
        var name: String
        /// The value's placeholder, e.g. "X"; nil for a flag.
        var value: String?
        var help: String
        /// The default value, used when the option is not given (it must be a valid value:
        /// a test checks every declaration's).
        var defaultValue: String? = nil
        /// A default that is not a value ("the model's", "all cores"), shown in help only; the
        /// command decides it.
        var shownDefault: String? = nil
        var repeatable = false
        /// A one-letter short form, e.g. "k".
        var short: Character? = nil
        /// The values accepted.
        var kind: Kind = .text

        /// What an option's value may be.
        enum Kind: Equatable {
            /// Any text (paths, lists and ranges that their own parsers check).
            case text
            /// A whole number in the range.
            case integer(ClosedRange<Int>)
            /// A finite number in the domain.
            case number(Domain)
            /// One of the words.
            case choice([String])

            /// The choices of an enum, by raw value.
            static func choices<T: RawRepresentable & CaseIterable>(_ type: T.Type) -> Kind where T.RawValue == String {
                .choice(T.allCases.map(\.rawValue))
            }
        }

        /// The numbers a `.number` option accepts.
        enum Domain: Equatable {
            case finite, positive, nonNegative, unit, belowOne

            func contains(_ x: Double) -> Bool {
                switch self {
                case .finite: true
                case .positive: x > 0
                case .nonNegative: x >= 0
                case .unit: (0...1).contains(x)
                case .belowOne: x >= 0 && x < 1
                }
            }

            /// "must be positive", as an error message says it.
            var requirement: String {
                switch self {
                case .finite: "must be a finite number"
                case .positive: "must be positive"
                case .nonNegative: "must be >= 0"
                case .unit: "must be in [0, 1]"
                case .belowOne: "must be in [0, 1)"
                }
            }
        }


        /// The same option with another default (a command that shares a group but not its defaults).
        func defaulting(_ value: String) -> Option {
            var copy = self
            copy.defaultValue = value
            return copy
        }

        /// Checks `text` against `kind`; the error names the option and what it accepts.
        func check(_ text: String) throws(CLIError) {
            switch kind {
            case .text: return
            case let .integer(range):
                guard let value = Int(text.trimmingCharacters(in: .whitespaces)), range.contains(value) else {
                    throw .usage("--\(name) must be a whole number from \(range.lowerBound) to \(range.upperBound), got '\(text)'")
                }
            case let .number(domain):
                guard let value = Double(text.trimmingCharacters(in: .whitespaces)), value.isFinite else {
                    throw .usage("--\(name) must be a finite number, got '\(text)'")
                }
                guard domain.contains(value) else { throw .usage("--\(name) \(domain.requirement), got '\(text)'") }
            case let .choice(words):
                guard words.contains(text) else { throw .usage("unknown --\(name) '\(text)'; expected one of: \(words.joined(separator: ", "))") }
            }
        }
    }

    /// Option lists joined in order (a command's own options around shared `OptionGroups`).
    static func joined(_ parts: [Option]...) -> [Option] { parts.flatMap { $0 } }

    var name: String
    var summary: String
    var usage: String
    var options: [Option]
    /// Paragraphs after the options: conventions, worked examples.
    var discussion: String
    /// Positional arguments accepted (name for help), or nil if none.
    var positionals: String? = nil

    /// The full help text.
    var help: String {
        var text = "\(summary)\n\nUsage: \(usage)\n\nOptions:\n"
        let rendered = options.map { option -> (String, String) in
            var left = "  "
            if let short = option.short { left += "-\(short), " }
            left += "--\(option.name)"
            if let value = option.value { left += " \(value)" }
            var right = option.help
            if let shown = option.defaultValue ?? option.shownDefault { right += " (default: \(shown))" }
            if option.repeatable { right += " Repeatable." }
            return (left, right)
        } + [("  -h, --help", "Show this help.")]
        let width = min(34, (rendered.map(\.0.count).max() ?? 0) + 2)
        for (left, right) in rendered {
            if left.count + 2 > width {
                text += left + "\n" + String(repeating: " ", count: width) + right + "\n"
            } else {
                text += left.padding(toLength: width, withPad: " ", startingAt: 0) + right + "\n"
            }
        }
        return text + "\n" + discussion + "\n"
    }

    /// Parses arguments against this spec.
    func parse(_ arguments: [String]) throws(CLIError) -> ParsedArguments {
        var parsed = ParsedArguments(declared: Dictionary(options.map { ($0.name, $0) }, uniquingKeysWith: { first, _ in first }))
        var i = 0
        func option(named name: String) throws(CLIError) -> Option {
            if let found = options.first(where: { $0.name == name }) { return found }
            throw .usage("unknown option --\(name) for 'safetykit \(self.name)'; see 'safetykit \(self.name) --help'")
        }
        while i < arguments.count {
            let argument = arguments[i]
            i += 1
            if argument == "--help" || argument == "-h" { parsed.help = true; continue }
            var name: String
            var inline: String? = nil
            if argument.hasPrefix("--") {
                name = String(argument.dropFirst(2))
                if let eq = name.firstIndex(of: "=") {
                    inline = String(name[name.index(after: eq)...])
                    name = String(name[..<eq])
                }
            } else if argument.hasPrefix("-"), argument.count == 2, let letter = argument.last, !letter.isNumber,
                      let found = options.first(where: { $0.short == letter }) {
                name = found.name
            } else {
                guard positionals != nil else {
                    throw .usage("unexpected argument '\(argument)' for 'safetykit \(self.name)'; see 'safetykit \(self.name) --help'")
                }
                parsed.positionals.append(argument)
                continue
            }
            let spec = try option(named: name)
            guard let placeholder = spec.value else {
                if inline != nil { throw .usage("--\(name) is a flag and takes no value") }
                parsed.flags.insert(name)
                continue
            }
            let value: String
            if let inline {
                value = inline
            } else {
                guard i < arguments.count else { throw .usage("--\(name) needs a value: --\(name) \(placeholder)") }
                // The next option is never taken as the value (`--out --sweep` once wrote a file
                // named --sweep). A value that starts with two dashes goes inline: --out=--name.
                guard !(arguments[i].hasPrefix("--") && arguments[i].count > 2) else {
                    throw .usage("--\(name) needs a value: --\(name) \(placeholder), before \(arguments[i]) (for a value that starts with --, write --\(name)=VALUE)")
                }
                value = arguments[i]
                i += 1
            }
            if !spec.repeatable, parsed.values[name] != nil {
                throw .usage("--\(name) is given more than once")
            }
            try spec.check(value)
            parsed.values[name, default: []].append(value)
        }
        return parsed
    }
}

/// The options and arguments given to one subcommand, with the command's declarations.
struct ParsedArguments {
    /// The command's options by name.
    var declared: [String: CommandSpec.Option] = [:]
    var values: [String: [String]] = [:]
    var flags: Set<String> = []
    var positionals: [String] = []
    var help = false

    /// The value given, or nil (the declared default is not filled in: see `value`).
    func string(_ name: String) -> String? { values[name]?.last }

    /// The value given, else the declared default.
    func value(_ name: String) -> String? {
        precondition(declared[name] != nil, "--\(name) is read but not declared")
        return string(name) ?? declared[name]?.defaultValue
    }

    /// A declared `.integer` option's value (given, else its default), checked at parsing.
    func integer(_ name: String) -> Int? {
        guard case .integer = declared[name]?.kind else { preconditionFailure("--\(name) is not declared as a whole number") }
        return value(name).flatMap { Int($0.trimmingCharacters(in: .whitespaces)) }
    }

    /// A declared `.number` option's value (given, else its default), checked at parsing.
    func number(_ name: String) -> Double? {
        guard case .number = declared[name]?.kind else { preconditionFailure("--\(name) is not declared as a number") }
        return value(name).flatMap { Double($0.trimmingCharacters(in: .whitespaces)) }
    }

    /// A declared choice as an enum case (given, else its default), checked at parsing.
    func choice<T: RawRepresentable>(_ name: String, as type: T.Type) -> T? where T.RawValue == String {
        guard case .choice = declared[name]?.kind else { preconditionFailure("--\(name) is not declared as a choice") }
        return value(name).flatMap(T.init(rawValue:))
    }
    func all(_ name: String) -> [String] { values[name] ?? [] }
    func flag(_ name: String) -> Bool { flags.contains(name) }
    func has(_ name: String) -> Bool { values[name] != nil || flags.contains(name) }

    /// A finite number, or a usage error naming the option.
    func double(_ name: String) throws(CLIError) -> Double? {
        guard let text = string(name) else { return nil }
        guard let value = Double(text.trimmingCharacters(in: .whitespaces)), value.isFinite else {
            throw .usage("--\(name) must be a finite number, got '\(text)'")
        }
        return value
    }

    /// A whole number within `range`, or a usage error naming the option and the range.
    func integer(_ name: String, in range: ClosedRange<Int>) throws(CLIError) -> Int? {
        guard let text = string(name) else { return nil }
        guard let value = Int(text.trimmingCharacters(in: .whitespaces)), range.contains(value) else {
            throw .usage("--\(name) must be a whole number from \(range.lowerBound) to \(range.upperBound), got '\(text)'")
        }
        return value
    }


    /// --format as an `OutputFormat` among `allowed`; by default `table` on a terminal, else `piped`.
    func outputFormat(_ allowed: [OutputFormat], piped: OutputFormat) throws(CLIError) -> OutputFormat {
        guard let text = try choice("format", allowed.map(\.rawValue)) else { return Terminal.stdoutIsTerminal ? .table : piped }
        return OutputFormat(rawValue: text)!
    }

    /// --threads N, applied to the whole process (`Parallel.limitCores`); by default the cores
    /// the process may use (its CPU affinity, as taskset and SLURM's cpusets set it).
    func applyThreads() throws(CLIError) {
        if let threads = try integer("threads", in: 1...1024) { Parallel.limitCores(to: threads) }
    }

    /// --bootstrap: 0 for no intervals, else at least the resamples a 95% interval needs.
    func bootstrapResamples(default value: Int, upTo limit: Int = 1_000_000) throws(CLIError) -> Int {
        let minimum = CalibrationAnalysis.minimumResamples(level: 0.95)
        guard let resamples = try integer("bootstrap", in: 0...limit) else { return value }
        guard resamples == 0 || resamples >= minimum else {
            throw .usage("--bootstrap \(resamples) is too few resamples for a 95% interval; use 0 (no intervals) or at least \(minimum) (1000 is the default of calibrate)")
        }
        return resamples
    }

    /// --seed as a 64-bit seed (1 by default), or a usage error.
    func seed(default value: UInt64 = 1) throws(CLIError) -> UInt64 {
        guard let text = string("seed") else { return value }
        guard let seed = UInt64(text) else { throw .usage("--seed must be a whole number from 0 to 2^64-1, got '\(text)'") }
        return seed
    }

    /// One of the given choices, or a usage error listing them.
    func choice(_ name: String, _ choices: [String]) throws(CLIError) -> String? {
        guard let text = string(name) else { return nil }
        guard choices.contains(text) else {
            throw .usage("unknown --\(name) '\(text)'; expected one of: \(choices.joined(separator: ", "))")
        }
        return text
    }
}

extension CommandSpec {
    /// Every option as run, defaults filled in (flags as booleans), for a run's record
    /// (config.json, study.json) and the check that a continued run uses the same options.
    /// `--threads` is never recorded: it changes how long a run takes, not what it computes, so a
    /// run may be continued with another thread count.
    /// `used` gives the value a run actually used where it differs from what was typed or the
    /// help's default (a seed set that `--base` made unused is null, not the default's text).
    func recorded(_ args: ParsedArguments, excluding: Set<String>, used: [String: JSONValue] = [:]) -> [(String, JSONValue)] {
        options.filter { !excluding.contains($0.name) && $0.name != "threads" }.map { option in
            if let value = used[option.name] { return (option.name, value) }
            if option.value == nil { return (option.name, .bool(args.flag(option.name))) }
            return (option.name, (args.string(option.name) ?? option.defaultValue ?? option.shownDefault).map(JSONValue.string) ?? .null)
        }
    }

    /// Every option's default as `recorded` writes it (flags false): what a run started before an
    /// option existed computed, for `RunDirectory.agrees`.
    var recordedDefaults: [String: JSONValue] {
        Dictionary(uniqueKeysWithValues: options.map { option in
            (option.name, option.value == nil ? .bool(false) : (option.defaultValue ?? option.shownDefault).map(JSONValue.string) ?? .null)
        })
    }
}
