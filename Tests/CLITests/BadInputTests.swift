import Foundation
import Testing

/// Every bad input gets one line on stderr naming what was wrong and what is accepted, the
/// documented exit code, and no output file.
@Suite("Bad input")
struct BadInputTests {
    struct Case: Sendable, CustomTestStringConvertible {
        var arguments: [String]
        var status: Int32
        var message: String
        var testDescription: String { arguments.joined(separator: " ") }
    }

    static let cases: [Case] = [
        Case(arguments: ["selfimprove", "--method", "grpo", "--reward", "brier"], status: 64,
             message: "unknown --reward 'brier'; expected one of: binary, step, rlcr"),
        Case(arguments: ["selfimprove", "--method", "grpo", "--reward", "rlcr"], status: 64,
             message: "--reward rlcr scores a stated confidence; give --base a model from 'safetykit confidence' (--stated both)"),
        Case(arguments: ["selfimprove", "--offswitch-probe", "--probe-source", "verbalized"], status: 64,
             message: "--probe-source verbalized needs a model that states it; give a base from 'safetykit confidence' (ptrue, verbalized), --method self (feedback), or sequence, answer or vote"),
        Case(arguments: ["selfimprove", "--offswitch-probe", "--probe-source", "feedback"], status: 64,
             message: "--probe-source feedback needs a model that states it"),
        Case(arguments: ["aggregate", "grpo"], status: 64,
             message: "cannot read 'grpo' as an arm; expected NAME=DIR,DIR,... (one run directory per seed)"),
        Case(arguments: ["aggregate", "grpo=/no/such/run"], status: 66, message: "/no/such/run/state.json"),
        Case(arguments: ["aggregate", "grpo=/r1,/r1"], status: 64, message: "the arm 'grpo' names the run /r1 twice; give one run directory per seed"),
        Case(arguments: ["outcome", "--estimators", "grpo,ppo"], status: 64,
             message: "unknown estimator 'ppo' in --estimators; expected some of: grpo, drgrpo, rloo"),
        Case(arguments: ["outcome", "--score", "hinge"], status: 64, message: "unknown --score 'hinge'; expected one of: brier, log, spherical"),
        Case(arguments: ["outcome", "--group-size", "1"], status: 64, message: "--group-size must be a whole number from 2 to 256, got '1'"),
        Case(arguments: ["study", "corrigibility", "--starts", "sft,rl"], status: 64,
             message: "unknown start 'rl' in --starts; expected some of: sft, stated"),
        Case(arguments: ["study", "corrigibility", "--shard", "1/2", "--merge"], status: 64,
             message: "--shard runs a slice and --merge aggregates them all; give one of the two"),
        Case(arguments: ["selfimprove", "--method", "rloo", "--wait-cost", "-1"], status: 64, message: "--wait-cost must be >= 0, got '-1'"),
        Case(arguments: ["selfimprove", "--method", "s3c", "--correction-positions", "0"], status: 64, message: "--correction-positions must be"),
        Case(arguments: ["selfimprove", "--method", "self", "--meta-skill-distillation", "-1"], status: 64, message: "--meta-skill-distillation must be"),
        Case(arguments: ["selfimprove", "--method", "self", "--meta-skill-iterations", "101"], status: 64, message: "--meta-skill-iterations must be"),
        Case(arguments: ["selfimprove", "--method", "regenesis", "--guideline-paths", "0"], status: 64, message: "--guideline-paths must be"),
        Case(arguments: ["pinto", "--rationalizer", "no-such.ckpt"], status: 66, message: "no-such.ckpt: no such checkpoint file"),
        Case(arguments: ["pinto", "--perturbation", "swap"], status: 64, message: "unknown --perturbation 'swap'; expected one of: mask, replace"),
        Case(arguments: ["pinto", "--perturb-ratio", "1.5"], status: 64, message: "--perturb-ratio must be in [0, 1], got '1.5'"),
        Case(arguments: ["train", "--task", "subtraction", "--digits", "1-9"], status: 64, message: "--digits must be A or A-B within 1-8 for subtraction, got '1-9'"),
        Case(arguments: ["selfimprove", "--method", "regenesis", "--path-filter", "judge"], status: 64, message: "unknown --path-filter 'judge'; expected one of: gold, vote"),
        Case(arguments: ["selfimprove", "--method", "regenesis", "--digits", "1-2", "--seed-set", "0"], status: 64,
             message: "--method regenesis shows its guidelines on the seed set, which is empty here; give --seed-set"),
        Case(arguments: ["confidence", "--model", "x.ckpt", "--shift-task", "chess"], status: 64, message: "--shift-task: unknown task 'chess'"),
        Case(arguments: ["confidence", "--model", "x.ckpt", "--distillation", "-1"], status: 64, message: "--distillation must be >= 0, got '-1'"),
        Case(arguments: ["confidence", "--model", "m.ckpt", "--stated", "words"], status: 64,
             message: "unknown --stated 'words'; expected one of: ptrue, both, decision"),
        Case(arguments: ["selfimprove", "--method", "rloo", "--kl-coef", "-0.1"], status: 64, message: "--kl-coef must be >= 0, got '-0.1'"),
        Case(arguments: ["selfimprove", "--method", "drgrpo", "--updates-per-batch", "0"], status: 64,
             message: "--updates-per-batch must be a whole number from 1 to 64, got '0'"),
        Case(arguments: ["study", "corrigibility", "--clip-range", "0"], status: 64, message: "--clip-range must be positive, got '0'"),
        Case(arguments: ["confidence", "--model", "no-such.ckpt"], status: 66, message: "no-such.ckpt"),
        Case(arguments: ["confidence", "--model", "m.ckpt", "--shift", "17"], status: 64, message: "--shift must be a whole number from 0 to 16, got '17'"),
        Case(arguments: ["offswitch", "--sigma", "0"], status: 64, message: "invalid sigma 0: expected sigma > 0"),
        Case(arguments: ["games", "cirl", "--sweep", "epsilon=0:1:1000000000"], status: 64,
             message: "invalid grid epsilon COUNT '1000000000': expected a whole number from 1 to 10000000"),
        Case(arguments: ["offswitch", "--sweep", "--grid", "mu=-1:1:10000", "--grid", "sigma=0.1:2:10000", "--grid", "beta=0:5:10000"], status: 64,
             message: "the sweep has 1000000000000 points (about 110.0 TB of CSV); give --large to run more than 2000000000, or shard it"),
        Case(arguments: ["offswitch", "--prior", "mixture", "--mixture", "0.7*gaussian(0,1)+0.3*uniform(-1,2)+0.1*point(3)"], status: 64,
             message: "invalid mixture weights summing to 1.1: expected weights that sum to 1 (or ask for them to be renormalised)"),
        Case(arguments: ["offswitch", "--mu", "1", "--sweep", "--grid", "mu=0:1:3", "--grid", "sigma=1:2:3"], status: 64,
             message: "--mu and --grid mu=... both set mu; give one"),
        Case(arguments: ["plot", "x.csv", "--x", "a", "--y", "b", "--z", "c", "--out", "p.svg"], status: 64,
             message: "--z applies to --kind heatmap only, not to a line chart"),
        Case(arguments: ["offswitch", "--out", "--sweep"], status: 64,
             message: "--out needs a value: --out FILE, before --sweep (for a value that starts with --, write --out=VALUE)"),
        Case(arguments: ["calibrate", "x.csv", "--bootstrap", "1"], status: 64,
             message: "--bootstrap 1 is too few resamples for a 95% interval; use 0 (no intervals) or at least 40 (1000 is the default of calibrate)"),
        Case(arguments: ["study", "corrigibility", "--bootstrap", "10"], status: 64,
             message: "--bootstrap 10 is too few resamples for a 95% interval; use 0 (no intervals) or at least 40 (1000 is the default of calibrate)"),
        Case(arguments: ["study", "corrigibility", "--methods", "star,foo"], status: 64,
             message: "unknown method 'foo' in --methods; expected some of: star, rft, online-rft, bstar, lmsi, mccot, rpo"),
        Case(arguments: ["offswitch", "--sigma", "-2"], status: 64, message: "invalid sigma -2: expected sigma > 0"),
        Case(arguments: ["offswitch", "--beta", "-1"], status: 64, message: "invalid beta -1: expected beta >= 0"),
        Case(arguments: ["offswitch", "--human", "p-rational", "--p", "1.2"], status: 64, message: "invalid p 1.2: expected a probability in [0, 1]"),
        Case(arguments: ["offswitch", "--human", "constant", "--c", "-0.5"], status: 64, message: "invalid c -0.5: expected a probability in [0, 1]"),
        Case(arguments: ["offswitch", "--prior", "uniform", "--lo", "2", "--hi", "1"], status: 64, message: "invalid lo 2 with hi 1: expected lo < hi"),
        Case(arguments: ["offswitch", "--mu", "nan"], status: 64, message: "--mu must be a finite number, got 'nan'"),
        Case(arguments: ["offswitch", "--sigma", "inf"], status: 64, message: "--sigma must be a finite number, got 'inf'"),
        Case(arguments: ["offswitch", "--mu", "abc"], status: 64, message: "--mu must be a finite number, got 'abc'"),
        Case(arguments: ["offswitch", "--prior", "cauchy"], status: 64, message: "unknown --prior 'cauchy'; expected one of: gaussian, uniform, discrete, samples, mixture"),
        Case(arguments: ["offswitch", "--human", "angry"], status: 64, message: "unknown --human 'angry'; expected one of: rational, boltzmann, p-rational, constant"),
        Case(arguments: ["offswitch", "--sweep", "--grid", "sigma=0.1:1:0"], status: 64, message: "invalid grid sigma COUNT '0': expected a whole number from 1 to 10000000"),
        Case(arguments: ["offswitch", "--sweep", "--grid", "sigma=a:1:3"], status: 64, message: "invalid grid sigma 'a': expected a finite number"),
        Case(arguments: ["offswitch", "--sweep", "--grid", "sigma"], status: 64, message: "invalid grid 'sigma': expected NAME=START:STOP:COUNT"),
        Case(arguments: ["offswitch", "--sweep", "--grid", "sigma=0:1:3"], status: 64, message: "invalid sigma 0: expected sigma > 0"),
        Case(arguments: ["offswitch", "--sweep", "--grid", "p=0.1,0.2"], status: 64, message: "cannot sweep p: a gaussian prior with a boltzmann human has sweepable parameters: mu, sigma, beta"),
        Case(arguments: ["offswitch", "--prior", "discrete", "--points", "1:0,-1:0"], status: 64, message: "invalid weights summing to 0: expected weights that sum to a positive, finite number"),
        Case(arguments: ["offswitch", "--prior", "discrete", "--points", "1:x"], status: 64, message: "invalid points '1:x': expected value:weight pairs"),
        Case(arguments: ["offswitch", "--prior", "discrete"], status: 64, message: "--prior discrete needs --points"),
        Case(arguments: ["offswitch", "--sweep", "--shard", "0/4"], status: 64, message: "--shard must be K/N with 1 <= K <= N, got '0/4'"),
        Case(arguments: ["offswitch", "--sweep", "--shard", "5/4"], status: 64, message: "--shard must be K/N with 1 <= K <= N, got '5/4'"),
        Case(arguments: ["offswitch", "--sweep", "--shard", "x"], status: 64, message: "--shard must be K/N with 1 <= K <= N, got 'x'"),
        Case(arguments: ["offswitch", "--threads", "0"], status: 64, message: "--threads must be a whole number from 1 to 1024, got '0'"),
        Case(arguments: ["offswitch", "--simulate", "1"], status: 64, message: "--simulate must be a whole number from 2 to 1000000000, got '1'"),
        Case(arguments: ["offswitch", "--format", "xml"], status: 64, message: "unknown --format 'xml'; expected one of: table, csv, json"),
        Case(arguments: ["offswitch", "--plot", "x.svg"], status: 64, message: "--plot needs --sweep"),
        Case(arguments: ["offswitch", "--p", "0.5"], status: 64, message: "--p does not apply to a gaussian prior with a boltzmann human"),
        Case(arguments: ["offswitch", "--bogus"], status: 64, message: "unknown option --bogus for 'safetykit offswitch'"),
        Case(arguments: ["offswitch", "--sigma"], status: 64, message: "--sigma needs a value: --sigma X"),
        Case(arguments: ["offswitch", "--sigma", "1", "--sigma", "2"], status: 64, message: "--sigma is given more than once"),
        Case(arguments: ["frobnicate"], status: 64, message: "unknown command 'frobnicate'"),
        Case(arguments: ["merge"], status: 64, message: "merge needs the shard files"),
        Case(arguments: ["offswitch", "--prior", "samples", "--samples", "/no/such/file.csv", "--column", "x"], status: 66, message: "/no/such/file.csv: no such file or not readable"),
        Case(arguments: ["offswitch", "--out", "/no/such/dir/out.csv"], status: 73, message: "cannot create /no/such/dir/out.csv"),
        Case(arguments: ["offswitch", "--sweep", "--out", "/no/such/dir/out.csv"], status: 73, message: "cannot create /no/such/dir/out.csv"),
    ]

    @Test(arguments: cases)
    func rejected(_ c: Case) throws {
        let r = try CLI.run(c.arguments)
        #expect(r.status == c.status)
        #expect(r.stderr.contains(c.message), "stderr was: \(r.stderr)")
        #expect(r.stderr.split(separator: "\n").count == 1, "expected one line, got: \(r.stderr)")
        #expect(!r.stderr.contains("Fatal error") && !r.stderr.contains("Stack dump"))
    }

    @Test func badSampleFilesNameTheLine() throws {
        let directory = try CLI.temporaryDirectory()
        let files = ["empty.csv": "", "header.csv": "x\n", "text.csv": "x\n1\n2\nabc\n", "ragged.csv": "x,y\n1,2\n3\n", "quote.csv": "x\n\"1\n"]
        for (name, text) in files { try text.write(toFile: directory + "/" + name, atomically: true, encoding: .utf8) }
        let expected = [("empty.csv", "the file is empty"), ("header.csv", "has a header but no data rows"), ("text.csv", "text.csv:4:1: column 'x' has 'abc'"),
                        ("ragged.csv", "ragged.csv:3: expected 2 fields"), ("quote.csv", "quote.csv:2:1: a quoted field is never closed")]
        for (name, message) in expected {
            let r = try CLI.run(["offswitch", "--prior", "samples", "--samples", directory + "/" + name, "--column", "x", "--out", directory + "/out.csv"])
            #expect(r.status == 65, "\(name)")
            #expect(r.stderr.contains(message), "\(name): \(r.stderr)")
        }
        let column = try CLI.run(["offswitch", "--prior", "samples", "--samples", directory + "/text.csv", "--column", "y"])
        #expect(column.status == 65 && column.stderr.contains("no column 'y'; the columns are: x"))
        #expect(!CLI.files(in: directory).contains("out.csv"))
    }

    @Test func aFailedRunLeavesExistingOutputsAlone() throws {
        let directory = try CLI.temporaryDirectory()
        try "precious\n".write(toFile: directory + "/sweep.csv", atomically: true, encoding: .utf8)
        // The plot path is bad: the run stops before it writes anything, and sweep.csv is untouched.
        let r = try CLI.run(["offswitch", "--sweep", "--out", directory + "/sweep.csv", "--plot", "/no/such/dir/p.svg"])
        #expect(r.status == 73)
        #expect(try String(contentsOfFile: directory + "/sweep.csv", encoding: .utf8) == "precious\n")
        #expect(CLI.files(in: directory) == ["sweep.csv"])
        let plot = try CLI.run(["offswitch", "--sweep", "--grid", "sigma=1:2:5", "--plot", directory + "/p.svg", "--out", directory + "/o.csv"])
        #expect(plot.status == 65 && plot.stderr.contains("a heatmap needs 2 grid axes"))
        #expect(CLI.files(in: directory) == ["sweep.csv"])
    }

    /// Write errors are errors everywhere: a full device as --out or as standard output exits 74
    /// with one line, and a device given as --out is written, never replaced by a file.
    @Test func writeErrorsExit74AndDevicesAreNotReplaced() throws {
        guard FileManager.default.fileExists(atPath: "/dev/full") else { return }
        for arguments in [["offswitch", "--format", "csv", "--out", "/dev/full"], ["games", "cirl", "--out", "/dev/full"],
                          ["calibrate", CalibrateCommandTests.example, "--bootstrap", "0", "--quiet", "--out", "/dev/full"]] {
            let r = try CLI.run(arguments)
            #expect(r.status == 74 && r.stderr.contains("/dev/full: No space left on device"), "\(arguments): \(r.stderr)")
        }
        for arguments in [["--help"], ["--version"], ["offswitch", "--format", "csv"], ["games", "posg", "--format", "table"]] {
            let r = try CLI.run(arguments, stdoutTo: "/dev/full")
            #expect(r.status == 74 && r.stderr.contains("No space left on device") && !r.stderr.contains("Fatal error"), "\(arguments): \(r.stderr)")
        }
        var status = stat()
        #expect(stat("/dev/full", &status) == 0 && (status.st_mode & S_IFMT) == S_IFCHR, "/dev/full is still a device")
        let null = try CLI.run(["offswitch", "--format", "csv", "--out", "/dev/null"])
        #expect(null.status == 0)
    }

    /// SIGINT and SIGTERM remove every unfinished output and exit 130 and 143; nothing half-written
    /// (no `.NAME.tmp-PID` file) is left behind.
    @Test(arguments: [(SIGINT, Int32(130)), (SIGTERM, Int32(143))])
    func signalsRemoveUnfinishedOutputs(signal: Int32, status: Int32) throws {
        let directory = try CLI.temporaryDirectory()
        let process = Process()
        process.executableURL = CLI.binary
        process.arguments = ["offswitch", "--sweep", "--grid", "mu=-1:1:3000", "--grid", "sigma=0.1:5:3000", "--out", directory + "/big.csv", "--quiet"]
        let err = Pipe()
        process.standardError = err
        try process.run()
        // Wait until the output has started (its temporary file exists), then interrupt.
        let deadline = Date().addingTimeInterval(20)
        while CLI.files(in: directory).isEmpty && Date() < deadline { usleep(10_000) }
        #expect(CLI.files(in: directory).contains { $0.hasPrefix(".big.csv.tmp-") })
        kill(process.processIdentifier, signal)
        process.waitUntilExit()
        let stderr = String(decoding: err.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        #expect(process.terminationStatus == status, "\(stderr)")
        #expect(CLI.files(in: directory).isEmpty, "left \(CLI.files(in: directory))")
        #expect(stderr.contains("stopped by") && stderr.contains("removed 1 unfinished output file"))
    }

    /// `safetykit pinto` stopped mid-run leaves nothing: its folder is checked first and made
    /// only when the results are written, and it exits 143.
    @Test func aStoppedPintoLeavesNothing() throws {
        let directory = try CLI.temporaryDirectory()
        let train = try CLI.run(["train", "--steps", "5", "--eval-problems", "4", "--width", "16", "--depth", "1", "--heads", "2", "--out", directory + "/m.ckpt", "--quiet"])
        #expect(train.status == 0, "\(train.stderr)")
        let file = try CLI.run(["pinto", "--rationalizer", directory + "/m.ckpt", "--out", directory + "/m.ckpt"])
        #expect(file.status == 73 && file.stderr.contains("is a file, not a folder"))
        let process = Process()
        process.executableURL = CLI.binary
        process.arguments = ["pinto", "--rationalizer", directory + "/m.ckpt", "--steps", "100000", "--problems", "4", "--out", directory + "/p", "--quiet"]
        process.standardError = Pipe()
        try process.run()
        usleep(1_500_000)
        kill(process.processIdentifier, SIGTERM)
        process.waitUntilExit()
        #expect(process.terminationStatus == 143)
        #expect(CLI.files(in: directory).sorted() == ["m.ckpt", "m.loss.csv"])
    }

    /// Outputs are checked before the work, in plain words: one path for two outputs, a
    /// directory given as a file, a folder that does not exist.
    @Test func outputPathsAreCheckedBeforeTheWork() throws {
        let directory = try CLI.temporaryDirectory()
        let twice = try CLI.run(["offswitch", "--sweep", "--grid", "sigma=1:2:3", "--grid", "beta=0:1:3", "--out", directory + "/a.csv", "--plot", directory + "/./a.csv"])
        #expect(twice.status == 73 && twice.stderr.contains("it is already another output of this command"))
        #expect(CLI.files(in: directory).isEmpty)
        let folder = try CLI.run(["offswitch", "--sweep", "--grid", "sigma=1:2:3", "--out", directory])
        #expect(folder.status == 73 && folder.stderr.contains("it is a directory"))
        let missing = try CLI.run(["calibrate", CalibrateCommandTests.example, "--out", directory + "/no/such/r.csv"])
        #expect(missing.status == 73 && missing.stderr.contains("its folder does not exist") && !missing.stderr.contains("NSCocoaErrorDomain"))
    }
}

