import Foundation
import Testing

@Suite("safetykit judge")
struct JudgeCommandTests {
    /// A small one-digit policy that gets some sums right and some wrong, trained once for the suite.
    static let policy: String = {
        let directory = try! CLI.temporaryDirectory()
        let path = directory + "/policy.ckpt"
        let result = try! CLI.run(["train", "--digits", "1", "--steps", "600", "--lr", "0.003", "--width", "32", "--depth", "2", "--heads", "2", "--context", "96",
                                   "--batch", "16", "--eval-problems", "5", "--out", path, "--quiet"])
        precondition(result.status == 0, result.stderr)
        return path
    }()

    static let tinyTrain = ["--digits", "1", "--seed-problems", "20", "--pool-problems", "20", "--heldout", "8", "--candidates", "4",
                            "--steps", "150", "--lr", "0.003", "--batch", "8", "--bootstrap", "40", "--quiet"]
    static let tinyRounds = ["--steps", "3", "--judgments", "3", "--margin", "1", "--bootstrap", "40", "--quiet"]

    static func read(_ path: String) throws -> String { try String(contentsOfFile: path, encoding: .utf8) }

    @Test func trainSelfRationalizeAndContinueToTheSameFiles() throws {
        let directory = try CLI.temporaryDirectory()
        let whole = directory + "/whole", split = directory + "/split"
        for run in [whole, split] {
            let trained = try CLI.run(["judge", "train", "--policy", Self.policy, "--out", run] + Self.tinyTrain)
            #expect(trained.status == 0, "\(trained.stderr)")
            #expect(trained.stdout.contains("iteration |") && trained.stdout.contains("best-of-k"))
        }
        let rounds = try CLI.run(["judge", "selfrationalize", "--run", whole, "--iterations", "2"] + Self.tinyRounds)
        #expect(rounds.status == 0, "\(rounds.stderr)")
        // The same two rounds in two invocations: the second continues after the first's last round.
        for iterations in ["1", "2", "2"] {
            let part = try CLI.run(["judge", "selfrationalize", "--run", split, "--iterations", iterations] + Self.tinyRounds)
            #expect(part.status == 0, "\(part.stderr)")
        }
        for file in ["metrics.csv", "pairing.csv", "preference.csv", "judgments.jsonl", "calibration_summary.csv", "calibration.csv",
                     "candidates.json", "reports/iteration-2.json"] {
            #expect(try Self.read(whole + "/" + file) == Self.read(split + "/" + file), "\(file) differs between one and two invocations")
        }
        let metrics = try Self.read(whole + "/metrics.csv").split(separator: "\n")
        #expect(metrics.count == 1 + 3 * 2)           // header + (SFT judge + 2 rounds) × (all + 1 difficulty)
        #expect(metrics[0].hasPrefix("iteration,difficulty,candidates,readable,exact_accuracy,balanced_accuracy,mae,step_agreement"))
        #expect(try Self.read(whole + "/preference.csv").split(separator: "\n").count == 1 + 2 * 3)
        #expect(CLI.files(in: whole + "/plots") == ["best-of-k.svg", "judge.svg", "reliability.svg"])
        #expect(CLI.files(in: whole + "/checkpoints") == ["iteration-0.ckpt", "iteration-1.ckpt", "iteration-2.ckpt"])

        // Other options after rounds exist: refused, then --force starts again from the SFT judge.
        let changed = try CLI.run(["judge", "selfrationalize", "--run", split, "--iterations", "2", "--margin", "2", "--steps", "3", "--quiet"])
        #expect(changed.status == 64 && changed.stderr.contains("other options"))
        let forced = try CLI.run(["judge", "selfrationalize", "--run", split, "--iterations", "1", "--margin", "2", "--steps", "3", "--quiet", "--force"])
        #expect(forced.status == 0, "\(forced.stderr)")
        #expect(try Self.read(split + "/metrics.csv").split(separator: "\n").count == 1 + 2 * 2)
        #expect(CLI.files(in: split + "/checkpoints") == ["iteration-0.ckpt", "iteration-1.ckpt"])

        // judge eval with the run's seed judges the run's held-out candidates: the same numbers as its iteration 0.
        let eval = try CLI.run(["judge", "eval", "--judge", whole + "/checkpoints/iteration-0.ckpt", "--policy", Self.policy, "--digits", "1",
                                "--heldout", "8", "--candidates", "4", "--format", "json", "--quiet"])
        #expect(eval.status == 0, "\(eval.stderr)")
        #expect(eval.stderr.isEmpty)
        let json = try #require(try JSONSerialization.jsonObject(with: Data(eval.stdout.utf8)) as? [String: Any])
        let row = metrics[1].split(separator: ",", omittingEmptySubsequences: false).map(String.init)
        #expect(row[1] == "all")
        #expect((json["exact_accuracy"] as? Double).map { abs($0 - Double(row[4])!) < 1e-12 } == true)
        #expect((json["best_of_k"] as? Double).map { abs($0 - Double(row[15])!) < 1e-12 } == true)
        #expect((json["per_difficulty"] as? [String: Any])?["1"] != nil)
    }

    @Test func badInputIsRejected() throws {
        let directory = try CLI.temporaryDirectory()
        let cases: [([String], Int32, String)] = [
            (["judge", "train"], 64, "--policy"),
            (["judge", "train", "--policy", directory + "/none.ckpt"], 66, "none.ckpt"),
            (["judge", "train", "--policy", Self.policy, "--init", "weights"], 64, "--init"),
            (["judge", "train", "--policy", Self.policy, "--digits", "0-9"], 64, "--digits"),
            (["judge", "rank"], 64, "train, selfrationalize or eval"),
            (["judge", "selfrationalize", "--run", directory + "/missing"], 66, "judge train"),
            (["judge", "selfrationalize", "--run", directory, "--margin", "0"], 64, "--margin"),
            (["judge", "eval", "--judge", Self.policy], 64, "--policy"),
            (["judge", "eval", "--judge", directory + "/none.ckpt", "--policy", Self.policy], 66, "none.ckpt"),
            (["judge", "selfrationalize", "--run", directory, "--pairing", "vote"], 64, "--pairing"),
            (["judge", "selfrationalize", "--run", directory, "--preference-loss", "kto"], 64, "--preference-loss"),
            (["judge", "train", "--policy", Self.policy, "--candidates", "0"], 64, "--candidates"),
            (["judge", "eval", "--judge", Self.policy, "--policy", Self.policy], 64, "not a judge"),
        ]
        for (arguments, status, fragment) in cases {
            let result = try CLI.run(arguments)
            #expect(result.status == status, "\(arguments): \(result.stderr)")
            #expect(result.stderr.contains(fragment) && result.stderr.split(separator: "\n").count == 1, "\(arguments): \(result.stderr)")
        }
        // A judge is not a policy; an existing run needs --resume or --force.
        let run = directory + "/run"
        let trained = try CLI.run(["judge", "train", "--policy", Self.policy, "--out", run] + Self.tinyTrain)
        #expect(trained.status == 0, "\(trained.stderr)")
        let judgeAsPolicy = try CLI.run(["judge", "train", "--policy", run + "/checkpoints/iteration-0.ckpt", "--out", directory + "/other", "--quiet"])
        #expect(judgeAsPolicy.status == 64 && judgeAsPolicy.stderr.contains("another vocabulary"))
        let judgeAsStart = try CLI.run(["judge", "train", "--policy", Self.policy, "--init", run + "/checkpoints/iteration-0.ckpt",
                                        "--out", directory + "/other", "--quiet"])
        #expect(judgeAsStart.status == 64 && judgeAsStart.stderr.contains("--init"))
        // --init FILE starts from that checkpoint: the policy's own file gives the default run's judge.
        let fromFile = try CLI.run(["judge", "train", "--policy", Self.policy, "--init", Self.policy, "--out", directory + "/from-file"] + Self.tinyTrain)
        #expect(fromFile.status == 0, "\(fromFile.stderr)")
        #expect(try Self.read(directory + "/from-file/metrics.csv") == Self.read(run + "/metrics.csv"))
        let scratch = try CLI.run(["judge", "train", "--policy", Self.policy, "--init", "scratch", "--out", directory + "/scratch"] + Self.tinyTrain)
        #expect(scratch.status == 0, "\(scratch.stderr)")
        #expect(try Self.read(directory + "/scratch/reports/iteration-0.json") != Self.read(run + "/reports/iteration-0.json"))
        let again = try CLI.run(["judge", "train", "--policy", Self.policy, "--out", run] + Self.tinyTrain)
        #expect(again.status == 73 && again.stderr.contains("--resume"))
        let resumed = try CLI.run(["judge", "train", "--policy", Self.policy, "--out", run, "--resume"] + Self.tinyTrain)
        #expect(resumed.status == 0, "\(resumed.stderr)")
        let corrupt = directory + "/corrupt"
        try FileManager.default.copyItem(atPath: run, toPath: corrupt)
        try "{\"seed\": []}".write(toFile: corrupt + "/candidates.json", atomically: true, encoding: .utf8)
        let damaged = try CLI.run(["judge", "selfrationalize", "--run", corrupt] + Self.tinyRounds)
        #expect(damaged.status == 65 && damaged.stderr.contains("candidates.json"))
    }
}
