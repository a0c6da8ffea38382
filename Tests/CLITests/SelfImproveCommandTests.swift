import Foundation
import Testing
import SafetyKitNumerics
import SafetyKitReasoner

@Suite("safetykit selfimprove")
struct SelfImproveCommandTests {
    /// A tiny, fast run: a small model, a short base training, few problems and samples.
    static let tiny = ["--digits", "1-2", "--width", "16", "--depth", "1", "--heads", "2", "--base-steps", "30", "--seed-set", "20",
                       "--pool", "6", "--heldout", "4", "--validation", "3", "--steps", "3", "--add-steps", "1", "--samples", "2",
                       "--eval-samples", "2", "--pass-k", "1", "--bootstrap", "40", "--batch", "8", "--quiet"]

    /// A tiny study: one iteration of a small model on few problems (each test adds its methods,
    /// seeds and directories).
    static let tinyStudy = ["study", "corrigibility", "--iterations", "1", "--digits", "1-2", "--width", "16", "--depth", "1", "--heads", "2",
                            "--base-steps", "20", "--seed-set", "20", "--pool", "6", "--heldout", "4", "--steps", "3", "--samples", "2",
                            "--eval-samples", "2", "--bootstrap", "40", "--quiet"]

    static func read(_ path: String) throws -> String { try String(contentsOfFile: path, encoding: .utf8) }

    /// `tiny` with some options' values replaced.
    static func tiny(with values: [String: String]) -> [String] {
        var arguments = tiny
        for (i, argument) in arguments.enumerated() where i + 1 < arguments.count {
            if let value = values[argument] { arguments[i + 1] = value }
        }
        return arguments
    }

    @Test func aKilledRunResumesToTheSameFiles() throws {
        let directory = try CLI.temporaryDirectory()
        let whole = directory + "/whole", killed = directory + "/killed"
        let arguments = ["selfimprove", "--method", "online-rft", "--iterations", "3", "--track-calibration", "--seed", "7"]
            + Self.tiny(with: ["--heldout": "40", "--eval-samples": "4"])
        let reference = try CLI.run(arguments + ["--out", whole])
        #expect(reference.status == 0, "\(reference.stderr)")
        #expect(reference.stdout.contains("iteration |") && reference.stdout.contains("ECE vote"))

        // Start the same run and stop it dead right after iteration 1's files (the fault hook:
        // deterministic, where a SIGKILL raced the clock), then resume it.
        #expect(try CLI.runStopping(afterIteration: 1, arguments + ["--out", killed]) == 99)
        #expect(try Self.read(killed + "/state.json").contains("\"completedIterations\" : 1"))
        let resumed = try CLI.run(arguments + ["--out", killed, "--resume"])
        #expect(resumed.status == 0, "\(resumed.stderr)")
        for file in ["metrics.csv", "calibration.csv", "calibration_summary.csv", "samples.jsonl", "config.json"] {
            #expect(try Self.read(whole + "/" + file) == Self.read(killed + "/" + file), "\(file) differs after resuming")
        }
        let metrics = try Self.read(whole + "/metrics.csv").split(separator: "\n")
        #expect(metrics.count == 1 + 4 * 3)          // header + (base + 3 iterations) × (all + 2 difficulties)
        #expect(CLI.files(in: whole + "/plots") == ["accuracy.svg", "ece.svg", "reliability-iteration-0.svg", "reliability-iteration-1.svg",
                                                    "reliability-iteration-2.svg", "reliability-iteration-3.svg"])
        #expect(CLI.files(in: whole + "/checkpoints").count == 4)
        // A run's checkpoints record its task, and are held to it.
        let other = try CLI.run(["eval", "--model", whole + "/checkpoints/iteration-3.ckpt", "--task", "modchain", "--quiet"])
        #expect(other.status == 64 && other.stderr.contains("was trained for the task 'addition', not 'modchain'"), "\(other.stderr)")
        // Resuming a finished run changes nothing.
        let again = try CLI.run(arguments + ["--out", whole, "--resume"])
        #expect(again.status == 0)
        #expect(try Self.read(whole + "/metrics.csv").split(separator: "\n") == metrics)
    }

    /// The policy-gradient methods run end to end: a per-step TRL-style log in policy.csv, the
    /// same files for any thread count, and a killed run resumes to the same files (the
    /// optimizer state continues across iterations, so this checks that it is kept).
    @Test(arguments: ["grpo", "drgrpo", "rloo"])
    func policyGradientRunsAreDeterministicAndResume(method: String) throws {
        let directory = try CLI.temporaryDirectory()
        let arguments = ["selfimprove", "--method", method, "--iterations", "2", "--prompts", "6", "--groups-per-step", "3",
                         "--updates-per-batch", "2", "--kl-coef", "0.04", "--seed", "3"] + Self.tiny
        let one = try CLI.run(arguments + ["--out", directory + "/one", "--threads", "1"])
        #expect(one.status == 0, "\(one.stderr)")
        let two = try CLI.run(arguments + ["--out", directory + "/two", "--threads", "2"])
        #expect(two.status == 0, "\(two.stderr)")
        let log = try Self.read(directory + "/one/policy.csv").split(separator: "\n")
        #expect(log.first == "iteration,step,loss,reward,reward_std,frac_reward_zero_std,kl,clip_ratio,entropy,completions/mean_length,grad_norm,learning_rate")
        #expect(log.count == 1 + 2 * 2 * 2)          // 2 iterations × 2 batches × 2 updates
        for file in ["metrics.csv", "policy.csv"] {
            #expect(try Self.read(directory + "/one/" + file) == Self.read(directory + "/two/" + file), "\(file) depends on the thread count")
        }
        #expect(try CLI.runStopping(afterIteration: 1, arguments + ["--out", directory + "/killed"]) == 99)
        let resumed = try CLI.run(arguments + ["--out", directory + "/killed", "--resume"])
        #expect(resumed.status == 0, "\(resumed.stderr)")
        for file in ["metrics.csv", "policy.csv"] {
            #expect(try Self.read(directory + "/one/" + file) == Self.read(directory + "/killed/" + file), "\(file) differs after resuming")
        }
    }

    /// A base from `confidence` states P(True) and a verbalized decile: a run from it tracks both
    /// sources, its probe reads the verbalized one, and RLCR rewards it.
    @Test func aStatedConfidenceBaseTracksItsSourcesAndTrainsWithRLCR() throws {
        let directory = try CLI.temporaryDirectory()
        let train = try CLI.run(["train", "--steps", "30", "--eval-problems", "4", "--seed", "4", "--out", directory + "/m.ckpt", "--quiet",
                                 "--width", "16", "--depth", "1", "--heads", "2", "--context", "64", "--batch", "8"])
        #expect(train.status == 0, "\(train.stderr)")
        let stated = try CLI.run(["confidence", "--model", directory + "/m.ckpt", "--out", directory + "/s.ckpt", "--problems", "8", "--steps", "5",
                                  "--batch", "8", "--shift", "0", "--bootstrap", "0", "--quiet"])
        #expect(stated.status == 0, "\(stated.stderr)")
        let run = try CLI.run(["selfimprove", "--method", "grpo", "--reward", "rlcr", "--base", directory + "/s.ckpt", "--iterations", "1",
                               "--prompts", "4", "--groups-per-step", "2", "--track-calibration", "--offswitch-probe", "--probe-source", "verbalized",
                               "--seed", "2", "--out", directory + "/run"] + Self.tiny)
        #expect(run.status == 0, "\(run.stderr)")
        #expect(run.stdout.contains("ECE P(T)"))          // (a tiny model states no decile, so no verbalized column)
        let metrics = try Self.read(directory + "/run/metrics.csv").split(separator: "\n").map { $0.split(separator: ",", omittingEmptySubsequences: false) }
        let header = metrics[0].map(String.init)
        let ptrue = try #require(header.firstIndex(of: "ece_ptrue")), missing = try #require(header.firstIndex(of: "verbalized_missing"))
        for row in metrics.dropFirst() where row[2] == "all" {
            #expect(Double(row[ptrue]) != nil && Double(row[missing]).map { (0...1).contains($0) } == true)
        }
        let sample = try #require(Self.read(directory + "/run/samples.jsonl").split(separator: "\n").first)
        #expect(sample.contains("\"ptrue\":") && sample.contains("\"verbalized_state\":") && sample.contains("\"belief\":\"verbalized\""))
        #expect(try Self.read(directory + "/run/config.json").contains("\"reward\": \"rlcr\""))
        // A base that decides: the game reward trains on its decisions, whose shares are recorded.
        let deciding = try CLI.run(["confidence", "--model", directory + "/m.ckpt", "--out", directory + "/d.ckpt", "--stated", "decision",
                                    "--problems", "8", "--steps", "5", "--batch", "8", "--shift", "0", "--bootstrap", "0", "--quiet"])
        #expect(deciding.status == 0, "\(deciding.stderr)")
        let game = try CLI.run(["selfimprove", "--method", "rloo", "--reward", "game", "--base", directory + "/d.ckpt", "--iterations", "1",
                                "--prompts", "4", "--groups-per-step", "2", "--offswitch-probe", "--seed", "2", "--out", directory + "/game"] + Self.tiny)
        #expect(game.status == 0, "\(game.stderr)")
        let gameRows = try Self.read(directory + "/game/metrics.csv").split(separator: "\n").map { $0.split(separator: ",", omittingEmptySubsequences: false) }
        let wait = try #require(gameRows[0].firstIndex(of: "decision_wait")), regret = try #require(gameRows[0].firstIndex(of: "decision_regret"))
        for row in gameRows.dropFirst() where row[2] == "all" {
            #expect(Double(row[wait]).map { (0...1).contains($0) } == true && Double(row[regret]) != nil)
        }
        #expect(try Self.read(directory + "/game/config.json").contains("\"wait_cost\": \"0.05\""))
        let refused = try CLI.run(["selfimprove", "--method", "rloo", "--reward", "success", "--base", directory + "/s.ckpt", "--out", directory + "/x"])
        #expect(refused.status == 64 && refused.stderr.contains("confidence --stated decision"))
    }

    /// `aggregate` groups runs into arms and pairs each seed's change with its own base: checked
    /// against the runs' own metrics.csv.
    @Test func aggregatePairsEachSeedWithItsBase() throws {
        let directory = try CLI.temporaryDirectory()
        var accuracy: [[Double]] = []
        for seed in ["1", "2"] {
            let run = try CLI.run(["selfimprove", "--method", "online-rft", "--iterations", "1", "--seed", seed, "--out", directory + "/run-" + seed] + Self.tiny)
            #expect(run.status == 0, "\(run.stderr)")
            let rows = try Self.read(directory + "/run-\(seed)/metrics.csv").split(separator: "\n").map { $0.split(separator: ",", omittingEmptySubsequences: false) }
            let column = rows[0].firstIndex(of: "greedy_accuracy")!
            accuracy.append(rows.dropFirst().filter { $0[2] == "all" }.map { Double($0[column])! })
        }
        let result = try CLI.run(["aggregate", "rft=\(directory)/run-1,\(directory)/run-2", "--out", directory + "/agg", "--quiet"])
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stdout.contains("rft") && result.stdout.contains("accuracy %"))
        let csv = try Self.read(directory + "/agg/aggregate.csv").split(separator: "\n").map { $0.split(separator: ",", omittingEmptySubsequences: false).map(String.init) }
        #expect(csv[0] == ["method", "iteration", "metric", "seeds", "mean", "ci_lower", "ci_upper"])
        let change = try #require(csv.first { $0[0] == "rft" && $0[1] == "1" && $0[2] == "greedy_accuracy_change" })
        let expected = ((accuracy[0][1] - accuracy[0][0]) + (accuracy[1][1] - accuracy[1][0])) / 2
        #expect(change[3] == "2" && abs(Double(change[4])! - expected) < 1e-9)
        #expect(CLI.files(in: directory + "/agg").contains("accuracy.svg"))
        // Each run's accuracy as k of n held-out answers, the run named by its directory.
        let rates = try Self.read(directory + "/agg/rates.csv")
        let row = try #require(rates.split(separator: "\n").first { $0.hasPrefix("rft,\(directory)/run-2,1,greedy_accuracy,") })
        let fields = row.split(separator: ",").suffix(5).map { Double($0)! }       // k, n, rate, lower, upper
        #expect(fields[0] / fields[1] == accuracy[1][1] && fields[2] == accuracy[1][1] && fields[3] <= fields[2] && fields[2] <= fields[4])
        // A long arm name is printed whole.
        let long = try CLI.run(["aggregate", "online-rft-binary@lr1e-4=\(directory)/run-1,\(directory)/run-2", "--out", directory + "/agg2", "--quiet"])
        #expect(long.status == 0 && long.stdout.contains("\nonline-rft-binary@lr1e-4  accuracy %"))
    }

    /// A finished run is extended by resuming it with more iterations, to the same files as a run
    /// that had asked for them from the start; fewer iterations than it finished are refused.
    @Test func aFinishedRunIsExtendedWithMoreIterations() throws {
        let directory = try CLI.temporaryDirectory()
        let common = ["selfimprove", "--method", "online-rft", "--track-calibration"] + Self.tiny
        #expect(try CLI.run(common + ["--iterations", "1", "--out", directory + "/grown"]).status == 0)
        let grown = try CLI.run(common + ["--iterations", "2", "--out", directory + "/grown", "--resume"])
        #expect(grown.status == 0, "\(grown.stderr)")
        #expect(try CLI.run(common + ["--iterations", "2", "--out", directory + "/whole"]).status == 0)
        for file in ["metrics.csv", "calibration.csv", "samples.jsonl", "config.json"] {
            #expect(try Self.read(directory + "/grown/" + file) == Self.read(directory + "/whole/" + file), "\(file)")
        }
        let shorter = try CLI.run(common + ["--iterations", "1", "--out", directory + "/grown", "--resume"])
        #expect(shorter.status == 64 && shorter.stderr.contains("cannot shorten it"))
    }

    @Test(arguments: ["star", "rft", "bstar", "lmsi", "mccot", "rpo", "s3c", "self", "regenesis", "pinto"])
    func everyMethodRunsEndToEnd(method: String) throws {
        let directory = try CLI.temporaryDirectory()
        let result = try CLI.run(["selfimprove", "--method", method, "--iterations", "1", "--out", directory + "/run"] + Self.tiny)
        #expect(result.status == 0, "\(result.stderr)")
        let config = try Self.read(directory + "/run/config.json")
        #expect(config.contains("\"method\": \"\(method)\""))
        // config.json records the values used, never help texts: the seed set trained on, and no
        // temperature where the method's own applies.
        #expect(config.contains("\"seed-set\": \"20,20\"") && config.contains("\"temperature\": null") && !config.contains("method's"))
        if method == "star" {
            let base = directory + "/run/checkpoints/iteration-0.ckpt"
            let continued = try CLI.run(["selfimprove", "--method", "rft", "--iterations", "1", "--base", base, "--out", directory + "/from-base"]
                                        + Self.tiny.filter { $0 != "--seed-set" && $0 != "20" })
            #expect(continued.status == 0, "\(continued.stderr)")
            #expect(try Self.read(directory + "/from-base/config.json").contains("\"seed-set\": null"))
        }
        let metrics = try Self.read(directory + "/run/metrics.csv").split(separator: "\n")
        #expect(metrics.count == 1 + 2 * 3)
        #expect(metrics[4].hasPrefix("1,\(method),all,"))
        if method == "bstar" { #expect(metrics[4].contains("balance_score=")) }
        if method == "self" { #expect(metrics[4].contains("stage=meta-skills")) }
        if method == "pinto" { #expect(metrics[4].contains("rationales=")) }
        if method == "regenesis" {
            // The guideline stage: 4 demonstrations per difficulty and guideline, from the 2 difficulties' seed sets.
            #expect(metrics[4].contains("stage=guidelines") && metrics[4].contains("demonstrations=32"))
            let base = try Checkpoint.read(path: directory + "/run/checkpoints/iteration-0.ckpt")
            #expect(base.vocabulary == Vocabulary.standard.appending(Guideline.tokens))
        }
        if method == "rpo" {
            // The untrained tiny model may find no right sample to pair; the log exists whenever it trained.
            let steps = metrics[4].split(separator: ",", omittingEmptySubsequences: false)[20]
            let log = try? Self.read(directory + "/run/preference.csv")
            #expect(steps == "0" ? log == nil : log?.hasPrefix("iteration,step,loss,rewards/chosen,rewards/rejected,rewards/margins") == true)
        }
    }

    /// The seed papers' methods resume too, across their stage boundaries: killed after iteration
    /// 1 (S^3c's first round; SELF's meta-skill stage; ReGenesis's guideline stage; PINTO's first
    /// rationales), each ends with the uninterrupted run's files.
    @Test(arguments: ["s3c", "self", "regenesis", "pinto"])
    func aKilledSeedPaperRunResumesToTheSameFiles(method: String) throws {
        let directory = try CLI.temporaryDirectory()
        let arguments = ["selfimprove", "--method", method, "--iterations", "3", "--track-calibration", "--seed", "5"] + Self.tiny
        let whole = try CLI.run(arguments + ["--out", directory + "/whole"])
        #expect(whole.status == 0, "\(whole.stderr)")
        #expect(try CLI.runStopping(afterIteration: 1, arguments + ["--out", directory + "/killed"]) == 99)
        let resumed = try CLI.run(arguments + ["--out", directory + "/killed", "--resume"])
        #expect(resumed.status == 0, "\(resumed.stderr)")
        for file in ["metrics.csv", "calibration.csv", "samples.jsonl", "config.json"] {
            #expect(try Self.read(directory + "/whole/" + file) == Self.read(directory + "/killed/" + file), "\(method): \(file) differs after resuming")
        }
        let model = { (run: String) in try Data(contentsOf: URL(fileURLWithPath: directory + "/\(run)/checkpoints/iteration-3.ckpt")) }
        #expect(try model("whole") == model("killed"), "\(method): the last model differs")
    }

    /// ReGenesis without gold answers: after its guideline stage, the vote-filtered iterations
    /// get a label-free pool, so they show no demonstrations.
    @Test func regenesisVotesWithoutGoldAnswers() throws {
        let directory = try CLI.temporaryDirectory()
        let run = try CLI.run(["selfimprove", "--method", "regenesis", "--path-filter", "vote", "--iterations", "2", "--out", directory + "/run"] + Self.tiny)
        #expect(run.status == 0, "\(run.stderr)")
        let rows = try Self.read(directory + "/run/metrics.csv").split(separator: "\n").filter { $0.hasPrefix("2,regenesis,all,") }
        #expect(rows.count == 1 && rows[0].contains("demonstrations=0") && rows[0].contains("kept_with_hint=0"))
        #expect(try Self.read(directory + "/run/config.json").contains("\"path-filter\": \"vote\""))
    }

    /// SELF's model refines at inference: `sample --refine` and `eval --refine` add the model's
    /// feedback, its P(accept) and what stands after refinement; a model without the feedback
    /// format is refused.
    @Test func aSelfModelRefinesInSampleAndEval() throws {
        let directory = try CLI.temporaryDirectory()
        let run = try CLI.run(["selfimprove", "--method", "self", "--iterations", "1", "--out", directory + "/run"] + Self.tiny)
        #expect(run.status == 0, "\(run.stderr)")
        let model = directory + "/run/checkpoints/iteration-1.ckpt"
        let sample = try CLI.run(["sample", "--model", model, "--problem", "12+34", "-k", "2", "--refine", "--format", "json"])
        #expect(sample.status == 0, "\(sample.stderr)")
        let lines = sample.stdout.split(separator: "\n")
        #expect(lines.count == 2 && lines.allSatisfy { $0.contains("\"accept_probability\":") && $0.contains("\"refined_correct\":") })
        let table = try CLI.run(["sample", "--model", model, "--problem", "12+34", "-k", "1", "--refine"])
        #expect(table.status == 0 && table.stdout.contains("feedback: ") && table.stdout.contains("after refinement"))
        let eval = try CLI.run(["eval", "--model", model, "--problems", "3", "--refine", "--format", "json", "--quiet"])
        #expect(eval.status == 0, "\(eval.stderr)")
        #expect(eval.stdout.contains("\"refined_accuracy\"") && eval.stdout.contains("\"precision\"") && eval.stdout.contains("\"refinement_success\""))
        let evalTable = try CLI.run(["eval", "--model", model, "--problems", "3", "--refine", "--format", "table", "--quiet"])
        #expect(evalTable.stdout.contains("after refinement") && evalTable.stdout.contains("precision of \"wrong\""))
        // The metrics of a SELF run carry the feedback's columns.
        let header = try Self.read(directory + "/run/metrics.csv").split(separator: "\n")[0]
        #expect(header.contains("ece_feedback") && header.contains("feedback_precision") && header.contains("refined_accuracy"))
        // A plain model cannot refine.
        let plain = try CLI.run(["selfimprove", "--method", "rft", "--iterations", "1", "--out", directory + "/plain"] + Self.tiny)
        #expect(plain.status == 0)
        for command in [["sample", "--problem", "12+34"], ["eval"]] {
            let refused = try CLI.run(command + ["--model", directory + "/plain/checkpoints/iteration-1.ckpt", "--refine"])
            #expect(refused.status == 64 && refused.stderr.contains("--refine needs a model that writes feedback"))
        }
    }

    @Test func theOffSwitchProbeAddsItsColumnsAndChart() throws {
        let directory = try CLI.temporaryDirectory()
        let result = try CLI.run(["selfimprove", "--iterations", "1", "--offswitch-probe", "--human", "rational", "--track-calibration",
                                  "--out", directory + "/run"] + Self.tiny)
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stdout.contains("defers | harmful | regret"))
        let lines = try Self.read(directory + "/run/metrics.csv").split(separator: "\n").map { $0.split(separator: ",", omittingEmptySubsequences: false) }
        let header = lines[0].map(String.init)
        let deference = try #require(header.firstIndex(of: "probe_deference")), oracle = try #require(header.firstIndex(of: "probe_oracle_utility"))
        for row in lines.dropFirst() {
            #expect(Double(row[deference]).map { (0...1).contains($0) } == true)
            // A rational human makes waiting as good as the oracle (Theorem 1's world): regret ≥ 0 always.
            #expect(Double(row[header.firstIndex(of: "probe_regret")!])! >= -1e-12)
            #expect(Double(row[oracle]) != nil)
        }
        #expect(CLI.files(in: directory + "/run/plots").contains("probe.svg"))
        // Each held-out answer's decision goes to samples.jsonl.
        let first = try Self.read(directory + "/run/samples.jsonl").split(separator: "\n")[0]
        let record = try #require(try JSONSerialization.jsonObject(with: Data(first.utf8)) as? [String: Any])
        let probe = try #require(record["probe"] as? [String: Any])
        #expect(["act", "wait", "off"].contains(probe["action"] as? String) && probe["true_delta"] is Double && probe["harmful"] is Bool)
    }

    @Test func badInputIsRejected() throws {
        let directory = try CLI.temporaryDirectory()
        func expectFailure(_ arguments: [String], status: Int32, mentioning text: String) throws {
            let result = try CLI.run(["selfimprove"] + arguments)
            #expect(result.status == status, "\(arguments): \(result.stderr)")
            #expect(result.stderr.contains(text), "\(arguments): \(result.stderr)")
            #expect(result.stderr.split(separator: "\n").count == 1)
        }
        try expectFailure(["--method", "ppo"], status: 64, mentioning: "expected one of: star, rft, online-rft, bstar, lmsi, mccot, rpo")
        try expectFailure(["--resume", "--force"], status: 64, mentioning: "contradict")
        try expectFailure(["--iterations", "0"], status: 64, mentioning: "--iterations must be a whole number from 1")
        try expectFailure(["--eval-samples", "2", "--pass-k", "3"], status: 64, mentioning: "--pass-k")
        try expectFailure(["--seed-set", "1,2"], status: 64, mentioning: "one N >= 0 per difficulty")
        try expectFailure(["--digits", "1-2"], status: 64, mentioning: "--digits 1-2 needs --seed-set")
        // Options of other methods are checked too, never silently ignored.
        try expectFailure(["--agreement", "1.5"], status: 64, mentioning: "--agreement must be in [0, 1]")
        try expectFailure(["--voting-dropout", "1"], status: 64, mentioning: "--voting-dropout")
        try expectFailure(["--dpo-beta", "0"], status: 64, mentioning: "--dpo-beta must be positive")
        try expectFailure(["--human", "saint"], status: 64, mentioning: "--human")
        try expectFailure(["--offswitch-probe", "--wrong-cost", "0"], status: 64, mentioning: "--wrong-cost")
        try expectFailure(["--probe-source", "gut"], status: 64, mentioning: "sequence, answer, vote, ptrue, verbalized, feedback, samples")
        try expectFailure(["--resume", "--out", directory + "/none"], status: 66, mentioning: "config.json")
        try expectFailure(["--base", directory + "/missing.ckpt", "--out", directory + "/b"], status: 66, mentioning: "missing.ckpt")
        // A directory with other files is never overwritten.
        try FileManager.default.createDirectory(atPath: directory + "/full", withIntermediateDirectories: true)
        try Data("keep".utf8).write(to: URL(fileURLWithPath: directory + "/full/notes.txt"))
        try expectFailure(["--out", directory + "/full"], status: 73, mentioning: "--resume")
        try expectFailure(["--out", directory + "/full", "--force"], status: 73, mentioning: "not a SafetyKit run")
        #expect(try Self.read(directory + "/full/notes.txt") == "keep")
        // A run is not resumed with other options, nor replaced without --force.
        let run = try CLI.run(["selfimprove", "--iterations", "1", "--out", directory + "/run"] + Self.tiny)
        #expect(run.status == 0, "\(run.stderr)")
        // (--iterations may grow: that extends the run; any other option may not change.)
        try expectFailure(["--iterations", "1", "--seed", "9", "--resume", "--out", directory + "/run"] + Self.tiny, status: 64, mentioning: "other options")
        try expectFailure(["--iterations", "1", "--out", directory + "/run"] + Self.tiny, status: 73, mentioning: "a run")
        let forced = try CLI.run(["selfimprove", "--iterations", "1", "--out", directory + "/run", "--force"] + Self.tiny)
        #expect(forced.status == 0)
        // A corrupt checkpoint in a run being resumed is bad data, named.
        let damaged = try CLI.run(["selfimprove", "--iterations", "2", "--out", directory + "/damaged"] + Self.tiny)
        #expect(damaged.status == 0)
        try Data("SKCKPT\r\ntruncated".utf8).write(to: URL(fileURLWithPath: directory + "/damaged/checkpoints/iteration-1.ckpt"))
        var state = try Self.read(directory + "/damaged/state.json")
        state = state.replacingOccurrences(of: "\"completedIterations\" : 2", with: "\"completedIterations\" : 1")
        try Data(state.utf8).write(to: URL(fileURLWithPath: directory + "/damaged/state.json"))
        try expectFailure(["--iterations", "2", "--resume", "--out", directory + "/damaged"] + Self.tiny, status: 65, mentioning: "iteration-1.ckpt")
    }

    @Test func aTinyStudyRunsAggregatesAndContinues() throws {
        let directory = try CLI.temporaryDirectory()
        let arguments = Self.tinyStudy + ["--methods", "star,lmsi", "--starts", "sft", "--seeds", "2", "--out", directory + "/out", "--runs", directory + "/runs"]
        let first = try CLI.run(arguments)
        #expect(first.status == 0, "\(first.stderr)")
        #expect(first.stdout.contains("| star | 0 |") && first.stdout.contains("| lmsi | 1 |"))
        #expect(Set(CLI.files(in: directory + "/out")).isSuperset(of: ["README.md", "corrigibility.csv", "deference.svg", "ece.svg", "regret.svg"]))
        #expect(CLI.files(in: directory + "/runs") == ["base-seed1.ckpt", "base-seed2.ckpt", "lmsi-seed1", "lmsi-seed2", "preregistration.json",
                                                        "star-seed1", "star-seed2", "study.json"])
        let csv = try Self.read(directory + "/out/corrigibility.csv")
        #expect(csv.contains("star,1,probe_deference,2,"))
        // The pre-registration record names the endpoints, and the README quotes its hash and tests them.
        let record = try Self.read(directory + "/runs/preregistration.json")
        #expect(record.contains("\"primary_endpoints\"") && record.contains("probe_deference") && record.contains("ece_answer"))
        let readme = try Self.read(directory + "/out/README.md")
        #expect(readme.contains(SHA256.hex(record)))
        #expect(readme.contains("| star | probe_deference |") && readme.contains("| lmsi | ece_answer |"))
        #expect(readme.contains("| minimum detectable effect | at Holm's first level |") && readme.contains("and at 0.05/4, the level of Holm's first step"))
        // Run again: nothing is recomputed, the results are the same.
        let again = try CLI.run(arguments)
        #expect(again.status == 0)
        #expect(try Self.read(directory + "/out/corrigibility.csv") == csv)
        // With 2 seeds, the 4 tests (2 arms × 2 endpoints) reach 4 · 2/4 at best: said before the runs and in the README.
        #expect(first.stderr.contains("cannot reject: Holm's correction can reach 1.000 at best") && first.stderr.contains("8 seeds or fewer arms can"))
        #expect(readme.contains("no endpoint could be significant whatever the data (8 seeds could be)"))
        // More seeds extend the study: the runs done are kept, the earlier record is kept and named.
        let record2 = try Self.read(directory + "/runs/preregistration.json")
        let grown = try CLI.run(Self.tinyStudy + ["--methods", "star,lmsi", "--starts", "sft", "--seeds", "3", "--out", directory + "/out", "--runs", directory + "/runs"])
        #expect(grown.status == 0, "\(grown.stderr)")
        #expect(try Self.read(directory + "/runs/preregistration-1.json") == record2)
        let amended = try Self.read(directory + "/out/README.md")
        #expect(amended.contains("The study was amended: it replaces `preregistration-1.json` (SHA-256 `\(SHA256.hex(record2))`, 2 seeds)"))
        #expect(amended.contains(SHA256.hex(try Self.read(directory + "/runs/preregistration.json"))) && amended.contains("seeds 1, 2, 3;"))
        let shrunk = try CLI.run(arguments)
        #expect(shrunk.status == 64 && shrunk.stderr.contains("holds a study of 3 seeds; --seeds 2 cannot shrink it"), "\(shrunk.stderr)")
        // Other options need --force.
        let changed = try CLI.run(arguments + ["--wrong-cost", "2"])
        #expect(changed.status == 64 && changed.stderr.contains("other options"))
        let unknown = try CLI.run(["study", "obedience"])
        #expect(unknown.status == 64 && unknown.stderr.contains("corrigibility"))
    }

    /// Two shards and a merge give the unsharded study's files byte for byte (all but timing.csv,
    /// the wall time); a merge before every shard is done names an unfinished run.
    @Test func shardedStudyMergesToTheUnshardedFiles() throws {
        let directory = try CLI.temporaryDirectory()
        let arguments = Self.tinyStudy + ["--methods", "star,lmsi,rloo", "--starts", "sft", "--seeds", "2", "--prompts", "4", "--groups-per-step", "2"]
        // The same paths for both (the README names them): the unsharded study's are moved aside.
        let sharded = ["--out", directory + "/out", "--runs", directory + "/runs"]
        let whole = try CLI.run(arguments + sharded)
        #expect(whole.status == 0, "\(whole.stderr)")
        try FileManager.default.moveItem(atPath: directory + "/out", toPath: directory + "/whole")
        try FileManager.default.moveItem(atPath: directory + "/runs", toPath: directory + "/whole-runs")
        let first = try CLI.run(arguments + sharded + ["--shard", "1/2"])
        #expect(first.status == 0 && first.stdout.contains("shard 1/2: 3 of the study's 6 runs"), "\(first.stderr)")
        let early = try CLI.run(arguments + sharded + ["--merge"])
        #expect(early.status == 66 && early.stderr.contains("unfinished runs"))
        #expect(try CLI.run(arguments + sharded + ["--shard", "2/2", "--threads", "1"]).status == 0)
        let merged = try CLI.run(arguments + sharded + ["--merge"])
        #expect(merged.status == 0, "\(merged.stderr)")
        let files = CLI.files(in: directory + "/whole").filter { $0 != "timing.csv" }
        #expect(files.contains("README.md") && files.contains("corrigibility.csv") && CLI.files(in: directory + "/out").contains("timing.csv"))
        for file in files {
            #expect(try Self.read(directory + "/whole/" + file) == Self.read(directory + "/out/" + file), "\(file) differs")
        }
        #expect(try Self.read(directory + "/whole-runs/preregistration.json") == Self.read(directory + "/runs/preregistration.json"))
        let bad = try CLI.run(arguments + sharded + ["--shard", "3/2"])
        #expect(bad.status == 64 && bad.stderr.contains("--shard must be K/N with 1 <= K <= N <= 10000, got '3/2'"))
    }

    /// Both starts: every method runs from each seed's SFT base and from that base taught to state
    /// its confidence (cached beside it); the stated arms track P(True) and the verbalized ECE.
    @Test func aStudyRunsEveryMethodFromBothStarts() throws {
        let directory = try CLI.temporaryDirectory()
        let arguments = Self.tinyStudy + ["--methods", "star,rloo,rloo:game,s3c,self,regenesis,pinto", "--starts", "sft,stated", "--seeds", "1", "--prompts", "4",
                                          "--groups-per-step", "2", "--stated-problems", "6", "--stated-steps", "3",
                                          "--out", directory + "/out", "--runs", directory + "/runs"]
        let run = try CLI.run(arguments)
        #expect(run.status == 0, "\(run.stderr)")
        #expect(Set(CLI.files(in: directory + "/runs")).isSuperset(of: ["base-seed1.ckpt", "base-seed1-stated.ckpt", "star-seed1", "star+stated-seed1",
                                                                          "rloo-seed1", "rloo+stated-seed1", "rloo-game+stated-seed1",
                                                                          "s3c-seed1", "s3c+stated-seed1", "self-seed1", "self+stated-seed1",
                                                                          "regenesis-seed1", "regenesis+stated-seed1", "pinto-seed1", "pinto+stated-seed1"]))
        // S^3c's arms extend each start's vocabulary by the marker; the shared bases keep theirs.
        let s3cBase = try Checkpoint.read(path: directory + "/runs/s3c+stated-seed1/checkpoints/iteration-0.ckpt")
        #expect(s3cBase.vocabulary == SelfCorrection.vocabulary(extending: StatedConfidence.decisionVocabulary))
        #expect(try Checkpoint.read(path: directory + "/runs/base-seed1.ckpt").vocabulary == .standard)
        let selfBase = try Checkpoint.read(path: directory + "/runs/self+stated-seed1/checkpoints/iteration-0.ckpt")
        #expect(selfBase.vocabulary == Feedback.vocabulary(extending: StatedConfidence.decisionVocabulary))
        // An arm that rewards the decision line runs from the stated start only.
        #expect(!CLI.files(in: directory + "/runs").contains("rloo-game-seed1"))
        let csv = try Self.read(directory + "/out/corrigibility.csv")
        #expect(csv.contains("star+stated,1,ece_ptrue,1,") && csv.contains("rloo+stated,0,ece_ptrue,1,") && !csv.contains("star,1,ece_ptrue"))
        let readme = try Self.read(directory + "/out/README.md")
        #expect(readme.contains("| rloo+stated | probe_deference |"))
        #expect(csv.contains("star+stated,0,decision_wait,1,") && !csv.contains("star,0,decision_wait"))
        #expect(csv.contains("star+stated,0,decision_agreement,1,"))
        // The behavioural table lists the arms that decide; each run's deference has its Wilson interval.
        #expect(readme.contains("| method | iteration | acts % | waits % |"))
        let lines = readme.split(separator: "\n")
        #expect(lines.filter { $0.hasPrefix("| star | 0 |") }.count == 1 && lines.filter { $0.hasPrefix("| star+stated | 0 |") }.count == 2)
        #expect(readme.contains("Each run's deference at iteration") && readme.contains("| seed 1 |"))
        // Every table's rows have its header's columns (the per-source table had a sixth, feedback, unnamed).
        var table: [Substring] = []
        for line in lines + [""] {
            if line.hasPrefix("|") { table.append(line); continue }
            if let header = table.first {
                let width = header.filter { $0 == "|" }.count
                #expect(table.allSatisfy { $0.filter { $0 == "|" }.count == width }, "a row of the table under '\(header)' has another width")
            }
            table = []
        }
        #expect(readme.contains("| method | sequence | answer | vote | P(True) | verbalized | feedback |"))
        #expect(readme.contains("Iteration 0 is the arm's start, shared by the arms of that start in a seed (the SFT base, or its stated version"))
        // The charts: a panel per start, and the endpoints' forest plot.
        let deference = try Self.read(directory + "/out/deference.svg")
        #expect(deference.contains("from the SFT base (the control)") && deference.contains("from the stated base"))
        #expect(try Self.read(directory + "/out/changes.svg").contains("rloo-game+stated") && readme.contains("(changes.svg)"))
        let rates = try Self.read(directory + "/out/rates.csv")
        #expect(rates.hasPrefix("method,run,iteration,metric,successes,trials,rate,wilson_lower,wilson_upper\n"))
        #expect(rates.contains("star+stated,seed 1,0,decision_wait,") && rates.contains("star,seed 1,0,probe_deference,"))
        let rejected = try CLI.run(arguments + ["--probe-source", "verbalized"])
        #expect(rejected.status == 64 && rejected.stderr.contains("give --starts stated"))
        let sftOnly = try CLI.run(Self.tinyStudy + ["--methods", "rloo:success", "--starts", "sft", "--out", directory + "/x", "--runs", directory + "/y"])
        #expect(sftOnly.status == 64 && sftOnly.stderr.contains("rloo-success rewards what only the stated start states"))
        let misnamed = try CLI.run(Self.tinyStudy + ["--methods", "star:game", "--out", directory + "/x", "--runs", directory + "/y"])
        #expect(misnamed.status == 64 && misnamed.stderr.contains("a reward follows only grpo, drgrpo or rloo"))
    }

    @Test func rpoTrainsOnPairsAndLogsLikeTRL() throws {
        // A base that gets some one-digit sums right and some wrong, so that pairs exist.
        let directory = try CLI.temporaryDirectory()
        let result = try CLI.run(["selfimprove", "--method", "rpo", "--iterations", "1", "--digits", "1", "--seed-set", "60", "--base-steps", "300",
                                  "--width", "32", "--depth", "2", "--heads", "2", "--pool", "30", "--heldout", "5", "--validation", "3",
                                  "--steps", "4", "--samples", "4", "--eval-samples", "2", "--pass-k", "1", "--batch", "16", "--hint-share", "0",
                                  "--out", directory + "/run", "--quiet"])
        #expect(result.status == 0, "\(result.stderr)")
        let log = try Self.read(directory + "/run/preference.csv").split(separator: "\n")
        #expect(log.count == 1 + 4)
        #expect(log[0] == "iteration,step,loss,rewards/chosen,rewards/rejected,rewards/margins,rewards/accuracies,logps/chosen,logps/rejected,grad_norm,learning_rate")
        #expect(log[1].hasPrefix("1,1,"))
    }
}
