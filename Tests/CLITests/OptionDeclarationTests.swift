import Foundation
import Testing
import SafetyKitAnalysis
@testable import CLI

/// Every command's options, as declared: the parser, the typed readers, `--help` and the run
/// records all come from these declarations, so they must hold together.
@Suite("Option declarations")
struct OptionDeclarationTests {
    static let specs: [CommandSpec] = [
        OffSwitchCommand.spec, MergeCommand.spec, CalibrateCommand.spec, PlotCommand.spec, TrainCommand.spec, SampleCommand.spec,
        EvalCommand.spec, ConfidenceCommand.spec, SelfImproveCommand.spec, JudgeCommand.trainSpec, JudgeCommand.evalSpec, JudgeCommand.selfRationalizeSpec,
        StudyCommand.spec, GamesCommand.spec,
    ]

    @Test(arguments: specs.map(\.name))
    func everyDefaultIsAValueItsOptionAccepts(command: String) throws {
        let spec = try #require(Self.specs.first { $0.name == command })
        let names = spec.options.map(\.name)
        #expect(Set(names).count == names.count, "an option is declared twice")
        for option in spec.options {
            if let value = option.defaultValue { #expect(throws: Never.self, "--\(option.name) \(value)") { try option.check(value) } }
            #expect(option.defaultValue == nil || option.shownDefault == nil, "--\(option.name) has two defaults")
            #expect(option.value != nil || option.kind == .text, "the flag --\(option.name) has a value kind")
            if case let .integer(range) = option.kind { #expect(!range.isEmpty) }
        }
    }

    @Test func valuesAreCheckedWhenParsedAndDefaultsFilledWhenRead() throws {
        let spec = SelfImproveCommand.spec
        #expect(throws: CLIError.usage("--pool must be a whole number from 1 to 1000000, got '0'")) { _ = try spec.parse(["--pool", "0"]) }
        #expect(throws: CLIError.usage("--dpo-alpha must be >= 0, got '-1'")) { _ = try spec.parse(["--dpo-alpha=-1"]) }
        #expect(throws: CLIError.usage("unknown --human 'kind'; expected one of: rational, boltzmann, p-rational, constant")) {
            _ = try spec.parse(["--human", "kind"])
        }
        let args = try spec.parse(["--pool", "7", "--method", "rpo"])
        #expect(args.integer("pool") == 7 && args.integer("heldout") == 100 && args.number("dpo-beta") == 0.1)
        #expect(args.choice("method", as: SelfImproveCommand.MethodName.self) == .rpo && args.number("temperature") == nil)
        #expect(args.string("heldout") == nil)       // the default is filled in by the readers, never as if typed
    }

    /// The study hands the methods' options to every method, declared as selfimprove declares
    /// them, with its own default for the training steps.
    @Test func theStudyTakesTheMethodsOptionsFromSelfimprove() throws {
        let study = Dictionary(uniqueKeysWithValues: StudyCommand.spec.options.map { ($0.name, $0) })
        let own = Dictionary(uniqueKeysWithValues: SelfImproveCommand.spec.options.map { ($0.name, $0) })
        for option in OptionGroups.method {
            let a = try #require(study[option.name]), b = try #require(own[option.name])
            #expect(a.kind == b.kind && a.help == b.help)
            #expect(a.defaultValue == (option.name == "steps" ? "200" : b.defaultValue))
        }
        let args = try StudyCommand.spec.parse(["corrigibility", "--keep", "3"])
        #expect(args.integer("steps") == 200 && args.integer("keep") == 3)
    }
}

/// A run or study continued after SafetyKit gained an option: the stored options file lacks it.
@Suite("Run records across versions")
struct RunRecordTests {
    static func record(_ options: String) -> String { "{\"safetykit\": \"0.1.0\", \"options\": {\(options)}}" }

    @Test func anOptionAddedLaterAgreesOnlyAtItsDefault() {
        let defaults: [String: JSONValue] = ["alternatives": .string("4"), "no-step-mask": .bool(false)]
        let stored = Self.record("\"seed\": \"1\"")
        #expect(RunDirectory.agrees(stored: stored, current: stored))
        #expect(RunDirectory.agrees(stored: stored, current: Self.record("\"seed\": \"1\", \"alternatives\": \"4\", \"no-step-mask\": false"), defaults: defaults))
        // At another value the run would compute something else.
        #expect(!RunDirectory.agrees(stored: stored, current: Self.record("\"seed\": \"1\", \"alternatives\": \"5\""), defaults: defaults))
        #expect(!RunDirectory.agrees(stored: stored, current: Self.record("\"seed\": \"1\", \"no-step-mask\": true"), defaults: defaults))
        // An option without a known default, a changed value or a dropped option never agree.
        #expect(!RunDirectory.agrees(stored: stored, current: Self.record("\"seed\": \"1\", \"pool\": \"200\""), defaults: defaults))
        #expect(!RunDirectory.agrees(stored: stored, current: Self.record("\"seed\": \"2\""), defaults: defaults))
        #expect(!RunDirectory.agrees(stored: Self.record("\"seed\": \"1\", \"pool\": \"200\""), current: stored, defaults: defaults))
        // An extendable option may differ; others still must not.
        #expect(RunDirectory.agrees(stored: Self.record("\"seed\": \"1\", \"iterations\": \"2\""), current: Self.record("\"seed\": \"1\", \"iterations\": \"3\""), extendable: ["iterations"]))
        #expect(RunDirectory.optionNames(Self.record("\"seed\": \"1\", \"pool\": \"2\"")) == ["seed", "pool"])
    }

    @Test func everyRecordedDefaultIsWhatAnEmptyCommandRecords() throws {
        for spec in OptionDeclarationTests.specs {
            let args = try spec.parse([])
            let recorded = spec.recorded(args, excluding: [])
            for (name, value) in recorded { #expect(spec.recordedDefaults[name] == value, "\(spec.name) --\(name)") }
        }
    }
}
