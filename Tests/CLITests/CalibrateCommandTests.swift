import Foundation
import Testing

@Suite("safetykit calibrate and plot")
struct CalibrateCommandTests {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent().path
    static let example = root + "/notebooks-data/calibration/two-models.csv"

    /// "-" is standard input for calibrate and --beliefs, and standard output for --out;
    /// `safetykit help CMD` is `CMD --help`.
    @Test func dashIsStandardInputAndOutput() throws {
        let text = try String(contentsOfFile: Self.example, encoding: .utf8)
        let piped = try CLI.run(["calibrate", "-", "--group-column", "model", "--bootstrap", "0", "--format", "csv", "--out", "-"], input: text)
        let file = try CLI.run(["calibrate", Self.example, "--group-column", "model", "--bootstrap", "0", "--format", "csv"])
        #expect(piped.status == 0 && piped.stdout == file.stdout)
        let beliefs = try CLI.run(["offswitch", "--beliefs", "-", "--format", "csv"], input: text)
        #expect(beliefs.status == 0 && beliefs.stdout.hasPrefix("policy,"))
        let bad = try CLI.run(["calibrate", "-"], input: "confidence,correct\n2,1\n")
        #expect(bad.status == 65 && bad.stderr.contains("<stdin>:2:1"))
        #expect(try CLI.run(["help", "calibrate"]).stdout == (try CLI.run(["calibrate", "--help"])).stdout)
    }

    /// Evaluation logs are read directly, their format detected from the content.
    @Test func evaluationLogsAreReadDirectly() throws {
        let fixtures = Self.root + "/Tests/AnalysisTests/Fixtures/"
        let lmEval = try CLI.run(["calibrate", fixtures + "lm-eval-samples.jsonl", "--group-column", "doc.subject", "--bootstrap", "0", "--format", "csv"])
        #expect(lmEval.status == 0, "\(lmEval.stderr)")
        let rows = lmEval.stdout.split(separator: "\n")
        #expect(rows.count == 3 && rows[1].hasPrefix("anatomy,4,0.5,") && rows[2].hasPrefix("nutrition,4,0.75,"))
        let beliefs = try CLI.run(["offswitch", "--beliefs", fixtures + "inspect-log.json", "--format", "csv"])
        #expect(beliefs.status == 0 && beliefs.stdout.hasPrefix("policy,deference_rate"), "\(beliefs.stderr)")
        let completions = try CLI.run(["calibrate", fixtures + "completions.jsonl", "--input-format", "completions", "--bootstrap", "0", "--format", "csv"])
        #expect(completions.status == 0 && completions.stdout.contains("\n4,0.5,"))
        // A format that does not fit is one clear error.
        let wrong = try CLI.run(["calibrate", fixtures + "completions.jsonl", "--input-format", "inspect"])
        #expect(wrong.status == 65 && wrong.stderr.contains("an inspect_ai log (.json) is one object"))
        let scorer = try CLI.run(["calibrate", fixtures + "completions.jsonl", "--scorer", "match"])
        #expect(scorer.status == 64 && scorer.stderr.contains("--scorer applies to inspect logs only"))
    }

    @Test func jsonHasTheDocumentedKeysAndDatasetAValues() throws {
        let directory = try CLI.temporaryDirectory()
        // Dataset A alone: the rows of the "sqrt" model.
        let lines = try String(contentsOfFile: Self.example, encoding: .utf8).split(separator: "\n")
        try (lines.prefix(1001).joined(separator: "\n") + "\n").write(toFile: directory + "/a.csv", atomically: true, encoding: .utf8)
        let r = try CLI.run(["calibrate", directory + "/a.csv", "--format", "json", "--bootstrap", "100", "--seed", "3"])
        #expect(r.status == 0)
        let object = try #require(try JSONSerialization.jsonObject(with: Data(r.stdout.utf8)) as? [String: Any])
        for key in ["n", "accuracy", "mean_confidence", "ece", "mce", "rmsce", "brier", "reliability", "resolution", "uncertainty",
                    "nll", "auroc", "bins", "binning", "ece_ci", "auroc_ci"] {
            #expect(object[key] != nil, "missing \(key)")
        }
        #expect(abs((object["ece"] as! Double) - 0.16866857129568) < 1e-12)
        #expect(abs((object["auroc"] as! Double) - 0.83619337909407) < 1e-12)
        #expect((object["bins"] as! [Any]).count == 15 && object["binning"] as? String == "equal-width")
        let again = try CLI.run(["calibrate", directory + "/a.csv", "--format", "json", "--bootstrap", "100", "--seed", "3", "--threads", "1"])
        #expect(again.stdout == r.stdout)   // seeded, and the same for any thread count
        let mass = try CLI.run(["calibrate", directory + "/a.csv", "--format", "json", "--bootstrap", "0", "--bins", "15", "--binning", "mass"])
        let massObject = try #require(try JSONSerialization.jsonObject(with: Data(mass.stdout.utf8)) as? [String: Any])
        #expect(abs((massObject["ece"] as! Double) - 0.16887114116368) < 1e-12)
    }

    @Test func groupsGiveOneResultEach() throws {
        let csv = try CLI.run(["calibrate", Self.example, "--group-column", "model", "--format", "csv", "--bootstrap", "50"])
        #expect(csv.status == 0)
        let rows = csv.stdout.split(separator: "\n")
        #expect(rows.count == 3)
        #expect(rows[0].hasPrefix("group,n,accuracy,mean_confidence,ece,ece_debiased,mce,rmsce,brier,reliability,resolution,uncertainty,nll,auroc,bins,binning,accuracy_ci_lo,accuracy_ci_hi"))
        #expect(rows[1].hasPrefix("sqrt,1000,0.498,") && rows[2].hasPrefix("identity,1000,0.498,"))
        let jsonl = try CLI.run(["calibrate", Self.example, "--group-column", "model", "--format", "json", "--bootstrap", "0"])
        #expect(jsonl.stdout.split(separator: "\n").count == 2)
        let table = try CLI.run(["calibrate", Self.example, "--group-column", "model", "--format", "table", "--bootstrap", "0"])
        #expect(table.stdout.contains("model = identity") && table.stdout.contains("reliability (15 equal-width bins)"))
    }

    @Test func plotsAreWritten() throws {
        let directory = try CLI.temporaryDirectory()
        let r = try CLI.run(["calibrate", Self.example, "--group-column", "model", "--bootstrap", "0", "--plot", directory + "/r.svg", "--quiet"])
        #expect(r.status == 0)
        let svg = try String(contentsOfFile: directory + "/r.svg", encoding: .utf8)
        #expect(svg.contains("model = sqrt · ECE = 0.1687 · n = 1000"))
        _ = try CLI.run(["offswitch", "--sweep", "--grid", "beta=0.1,1", "--grid", "sigma=0.1:3:20", "--out", directory + "/s.csv", "--quiet"])
        let line = try CLI.run(["plot", directory + "/s.csv", "--x", "sigma", "--y", "delta", "--group", "beta", "--out", directory + "/l.svg"])
        #expect(line.status == 0)
        let lineSVG = try String(contentsOfFile: directory + "/l.svg", encoding: .utf8)
        #expect(lineSVG.components(separatedBy: "class=\"series\"").count == 3)
        let heat = try CLI.run(["plot", directory + "/s.csv", "--kind", "heatmap", "--x", "beta", "--y", "sigma", "--out", directory + "/h.svg"])
        #expect(heat.status == 0)
        let reliability = try CLI.run(["plot", Self.example, "--kind", "reliability", "--x", "confidence", "--y", "correct", "--group", "model", "--out", directory + "/p.svg"])
        #expect(reliability.status == 0)
        // Bands come from *_ci_lo / *_ci_hi columns, as calibrate writes them.
        let metrics = try CLI.run(["calibrate", Self.example, "--group-column", "model", "--format", "csv", "--bootstrap", "50", "--quiet"])
        try metrics.stdout.replacingOccurrences(of: "sqrt,", with: "1,").replacingOccurrences(of: "identity,", with: "2,")
            .write(toFile: directory + "/m.csv", atomically: true, encoding: .utf8)
        let band = try CLI.run(["plot", directory + "/m.csv", "--x", "group", "--y", "ece", "--out", directory + "/b.svg"])
        #expect(band.status == 0)
        #expect(try String(contentsOfFile: directory + "/b.svg", encoding: .utf8).contains("<polygon"))
        // A blank y cell is a missing point (run metrics leave some cells blank); other text is an error.
        try "iteration,selected\n0,\n1,10\n2,12\n".write(toFile: directory + "/gaps.csv", atomically: true, encoding: .utf8)
        let gaps = try CLI.run(["plot", directory + "/gaps.csv", "--x", "iteration", "--y", "selected", "--out", directory + "/g.svg"])
        #expect(gaps.status == 0)
        #expect(try String(contentsOfFile: directory + "/g.svg", encoding: .utf8).components(separatedBy: "<circle").count == 4)   // two points and the legend's marker
        try "iteration,selected\n0,n/a\n".write(toFile: directory + "/text.csv", atomically: true, encoding: .utf8)
        let text = try CLI.run(["plot", directory + "/text.csv", "--x", "iteration", "--y", "selected", "--out", directory + "/t.svg"])
        #expect(text.status == 65 && text.stderr.contains("text.csv:2:2"))
    }

    @Test func singleClassReportsAurocAsMissingAndSaysWhy() throws {
        let directory = try CLI.temporaryDirectory()
        try "confidence,correct\n0.9,1\n0.6,true\n".write(toFile: directory + "/one.csv", atomically: true, encoding: .utf8)
        let r = try CLI.run(["calibrate", directory + "/one.csv", "--format", "csv", "--bootstrap", "40"])
        #expect(r.status == 0)
        #expect(r.stderr.contains("AUROC is undefined because every answer is right"))
        let fields = r.stdout.split(separator: "\n")[1].split(separator: ",", omittingEmptySubsequences: false)
        #expect(fields[12] == "" && fields[13] == "15")   // auroc is empty; bins follows
    }

    @Test(arguments: [
        (["calibrate"], Int32(64), "calibrate needs a CSV file"),
        (["calibrate", "/no/such.csv"], 66, "/no/such.csv: no such file"),
        (["calibrate", "EXAMPLE", "--bins", "0"], 64, "--bins must be a whole number from 1 to 100000, got '0'"),
        (["calibrate", "EXAMPLE", "--binning", "quantile"], 64, "unknown --binning 'quantile'; expected one of: width, mass"),
        (["calibrate", "EXAMPLE", "--confidence-column", "p"], 65, "no column 'p'; the columns are: model, id, confidence, correct"),
        (["calibrate", "EXAMPLE", "--out", "/no/dir/x.csv"], 73, "cannot create /no/dir/x.csv"),
        (["plot", "EXAMPLE", "--x", "confidence", "--y", "correct"], 64, "plot needs --out FILE.svg"),
        (["plot", "EXAMPLE", "--x", "model", "--y", "correct", "--out", "/tmp/x.svg"], 65, "column 'model' has 'sqrt'; expected a finite number"),
        (["plot", "EXAMPLE", "--kind", "pie", "--x", "a", "--y", "b", "--out", "/tmp/x.svg"], 64, "unknown --kind 'pie'"),
    ])
    func badInput(arguments: [String], status: Int32, message: String) throws {
        let r = try CLI.run(arguments.map { $0 == "EXAMPLE" ? Self.example : $0 })
        #expect(r.status == status)
        #expect(r.stderr.contains(message), "\(r.stderr)")
        #expect(r.stderr.split(separator: "\n").count == 1)
    }

    @Test func badDataNamesTheLineAndColumn() throws {
        let directory = try CLI.temporaryDirectory()
        let cases = [("range.csv", "confidence,correct\n0.5,1\n1.5,0\n", "range.csv:3:1: confidence 1.5 is outside [0, 1]"),
                     ("text.csv", "confidence,correct\n0.5,1\nhigh,0\n", "text.csv:3:1: confidence 'high' is not a number"),
                     ("flag.csv", "confidence,correct\n0.5,yes\n", "flag.csv:2:2: correctness 'yes' is not 0/1 or true/false"),
                     ("empty.csv", "", "the file is empty"),
                     ("header.csv", "confidence,correct\n", "has a header but no data rows")]
        for (name, text, message) in cases {
            try text.write(toFile: directory + "/" + name, atomically: true, encoding: .utf8)
            let r = try CLI.run(["calibrate", directory + "/" + name, "--out", directory + "/out.csv"])
            #expect(r.status == 65, "\(name)")
            #expect(r.stderr.contains(message), "\(name): \(r.stderr)")
        }
        #expect(!CLI.files(in: directory).contains("out.csv"))
    }

    @Test func helpShowsAWorkedExampleOnARepositoryFile() throws {
        let help = try CLI.run(["calibrate", "--help"])
        #expect(help.stdout.contains("notebooks-data/calibration/two-models.csv"))
        #expect(FileManager.default.fileExists(atPath: Self.example))
        #expect(try CLI.run(["plot", "--help"]).stdout.contains("Examples:"))
    }
}
