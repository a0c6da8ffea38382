import Foundation
import Testing
import SafetyKitReasoner

@Suite("safetykit train, sample and eval")
struct ReasonerCommandTests {
    static let tiny = ["--width", "16", "--depth", "1", "--heads", "2", "--context", "64", "--batch", "8"]

    @Test func trainSampleEvalRoundTrip() throws {
        let directory = try CLI.temporaryDirectory()
        let train = try CLI.run(["train", "--steps", "30", "--eval-problems", "5", "--seed", "4", "--out", directory + "/m.ckpt", "--quiet"] + Self.tiny)
        #expect(train.status == 0, "\(train.stderr)")
        #expect(train.stdout.contains("trained 30 steps") && train.stdout.contains("difficulty 2:"))
        #expect(CLI.files(in: directory) == ["m.ckpt", "m.loss.csv"])
        let curve = try String(contentsOfFile: directory + "/m.loss.csv", encoding: .utf8).split(separator: "\n")
        #expect(curve.first == "step,loss,learning_rate,gradient_norm,tokens,seconds" && curve.count == 31)
        let first = Double(curve[1].split(separator: ",")[1])!, last = Double(curve[30].split(separator: ",")[1])!
        #expect(last < first)

        let sample = try CLI.run(["sample", "--model", directory + "/m.ckpt", "--problem", "12+34", "-k", "3", "--format", "json"])
        #expect(sample.status == 0)
        let lines = sample.stdout.split(separator: "\n")
        #expect(lines.count == 3)
        let object = try #require(try JSONSerialization.jsonObject(with: Data(lines[0].utf8)) as? [String: Any])
        #expect(object["correct"] is Bool && object["confidence"] is Double)

        let eval = try CLI.run(["eval", "--model", directory + "/m.ckpt", "--digits", "1-3", "--problems", "10", "--format", "json", "--quiet"])
        #expect(eval.status == 0)
        let result = try #require(try JSONSerialization.jsonObject(with: Data(eval.stdout.utf8)) as? [String: Any])
        #expect(result["accuracy"] is Double)
        #expect((result["per_difficulty"] as? [String: Any])?.keys.sorted() == ["1", "2", "3"])
        // 10 problems per difficulty where training held out 5: the 5 beyond, at each trained difficulty, are counted.
        #expect(result["possibly_trained_on"] as? Double == 10)   // difficulties 1 and 2 were trained (train defaults to 1-2)
        // By default eval tests exactly the held-out problems of the training run.
        let held = try CLI.run(["eval", "--model", directory + "/m.ckpt", "--format", "json", "--quiet"])
        let heldResult = try #require(try JSONSerialization.jsonObject(with: Data(held.stdout.utf8)) as? [String: Any])
        #expect(heldResult["possibly_trained_on"] as? Double == 0)
        #expect(((heldResult["per_difficulty"] as? [String: Any])?.values.compactMap { ($0 as? [String: Any])?["total"] as? Double }).map { Set($0) } == [5])

        // A model is used only on the task it was trained for.
        let other = try CLI.run(["eval", "--model", directory + "/m.ckpt", "--task", "modchain", "--quiet"])
        #expect(other.status == 64 && other.stderr.contains("was trained for the task 'addition', not 'modchain'"))
        // The same seed trains the same weights, on one thread as on all.
        let again = try CLI.run(["train", "--steps", "30", "--eval-problems", "5", "--seed", "4", "--threads", "1", "--out", directory + "/n.ckpt", "--quiet"] + Self.tiny)
        #expect(again.status == 0)
        #expect(try Data(contentsOf: URL(fileURLWithPath: directory + "/m.ckpt")) == Data(contentsOf: URL(fileURLWithPath: directory + "/n.ckpt")))
    }

    /// Tasks with their own tokens train from the command line, and a model of the mixture is
    /// used on each member (eval, sample, and as a selfimprove base), never the other way round.
    @Test func theMixtureServesEachMember() throws {
        let directory = try CLI.temporaryDirectory()
        let sub = try CLI.run(["train", "--task", "subtraction", "--steps", "5", "--eval-problems", "2", "--out", directory + "/s.ckpt", "--quiet"] + Self.tiny)
        #expect(sub.status == 0, "\(sub.stderr)")
        let mixed = try CLI.run(["train", "--task", "mixed", "--digits", "1-2", "--steps", "5", "--eval-problems", "2", "--out", directory + "/m.ckpt", "--quiet"] + Self.tiny)
        #expect(mixed.status == 0, "\(mixed.stderr)")
        for task in ["subtraction", "wordproblem", "multiplication", "modchain", "addition"] {
            let eval = try CLI.run(["eval", "--model", directory + "/m.ckpt", "--task", task, "--digits", "1", "--problems", "2", "--format", "json", "--quiet"])
            #expect(eval.status == 0, "\(task): \(eval.stderr)")
        }
        let story = try CLI.run(["sample", "--model", directory + "/m.ckpt", "--task", "wordproblem", "--problem", "Ann:apples:34:finds:25:loses:12", "-k", "1"])
        #expect(story.status == 0 && story.stdout.contains("Ann has 3 4 apples , finds 2 5 , then loses 1 2 . how many ?"), "\(story.stderr)")
        let base = try CLI.run(["selfimprove", "--task", "addition", "--base", directory + "/m.ckpt", "--iterations", "1", "--out", directory + "/run"]
                               + SelfImproveCommandTests.tiny)
        #expect(base.status == 0, "\(base.stderr)")
        // The run's checkpoints record the base's task, so they too serve every member.
        let transfer = try CLI.run(["eval", "--model", directory + "/run/checkpoints/iteration-1.ckpt", "--task", "subtraction", "--digits", "1",
                                    "--problems", "2", "--format", "json", "--quiet"])
        #expect(transfer.status == 0, "\(transfer.stderr)")
        // A member's model is not the mixture's, nor another member's.
        let wrong = try CLI.run(["eval", "--model", directory + "/s.ckpt", "--task", "mixed", "--quiet"])
        #expect(wrong.status == 64 && wrong.stderr.contains("was trained for the task 'subtraction', not 'mixed'"))
        let asBase = try CLI.run(["selfimprove", "--task", "addition", "--base", directory + "/s.ckpt", "--iterations", "1", "--out", directory + "/run2"]
                                 + SelfImproveCommandTests.tiny)
        #expect(asBase.status == 64 && asBase.stderr.contains("has another vocabulary"), "\(asBase.stderr)")
        #expect(!FileManager.default.fileExists(atPath: directory + "/run2"))
    }

    /// PINTO from the command line: two reasoners and the rationalizer, in and out of
    /// distribution, one typed row each in pinto.csv; a judge is refused as the rationalizer.
    @Test func pintoTrainsBothReasonersAndMeasuresThem() throws {
        let directory = try CLI.temporaryDirectory()
        let train = try CLI.run(["train", "--steps", "20", "--eval-problems", "4", "--out", directory + "/m.ckpt", "--quiet"] + Self.tiny)
        #expect(train.status == 0, "\(train.stderr)")
        let run = try CLI.run(["pinto", "--rationalizer", directory + "/m.ckpt", "--out", directory + "/p", "--steps", "4", "--problems", "6",
                               "--batch", "4", "--perturb-ratio", "0.5", "--quiet"])
        #expect(run.status == 0, "\(run.stderr)")
        #expect(run.stdout.contains("PINTO on addition: in = held-out at 1-2, out = 3"))
        let lines = try String(contentsOfFile: directory + "/p/pinto.csv", encoding: .utf8).split(separator: "\n")
        #expect(lines.first?.hasPrefix("model,split,n,accuracy,accuracy_lo,accuracy_hi,ece,answer_changed") == true)
        #expect(lines.dropFirst().map { $0.split(separator: ",", omittingEmptySubsequences: false).prefix(3).joined(separator: ",") }
                == ["rationalizer,in,8", "rationalizer,out,4", "reasoner,in,8", "reasoner,out,4", "reasoner-plain,in,8", "reasoner-plain,out,4"])
        #expect(Set(CLI.files(in: directory + "/p")) == ["pinto.csv", "reasoner.ckpt", "reasoner-plain.ckpt"])
        let reasoner = try Checkpoint.read(path: directory + "/p/reasoner.ckpt")
        #expect(reasoner.vocabulary == Vocabulary.standard.appending(RationaleFormat.tokens) && reasoner.metadata["counterfactual_weight"] == "1")
        // The two reasoners differ only by the regularizer, which changes the weights.
        #expect(try Data(contentsOf: URL(fileURLWithPath: directory + "/p/reasoner.ckpt")) != Data(contentsOf: URL(fileURLWithPath: directory + "/p/reasoner-plain.ckpt")))
        let missing = try CLI.run(["pinto", "--out", directory + "/q"])
        #expect(missing.status == 64 && missing.stderr.contains("pinto needs --rationalizer FILE"))
        let asRationalizer = try CLI.run(["pinto", "--rationalizer", directory + "/p/reasoner.ckpt", "--out", directory + "/q"])
        #expect(asRationalizer.status == 64 && asRationalizer.stderr.contains("has another vocabulary"), "\(asRationalizer.stderr)")
        #expect(!FileManager.default.fileExists(atPath: directory + "/q/pinto.csv"))
    }

    @Test func rotaryPositionsTrainSampleAndEvaluate() throws {
        let directory = try CLI.temporaryDirectory()
        let train = try CLI.run(["train", "--positions", "rotary", "--steps", "30", "--eval-problems", "5", "--out", directory + "/r.ckpt", "--quiet"] + Self.tiny)
        #expect(train.status == 0, "\(train.stderr)")
        let learned = try CLI.run(["train", "--steps", "30", "--eval-problems", "5", "--out", directory + "/l.ckpt", "--quiet"] + Self.tiny)
        #expect(learned.status == 0)
        // A different model: the rotary flag reaches the forward pass.
        #expect(try Data(contentsOf: URL(fileURLWithPath: directory + "/r.ckpt")) != Data(contentsOf: URL(fileURLWithPath: directory + "/l.ckpt")))
        let eval = try CLI.run(["eval", "--model", directory + "/r.ckpt", "--digits", "1-2", "--problems", "5", "--format", "json", "--quiet"])
        #expect(eval.status == 0, "\(eval.stderr)")
    }

    /// A shifted-operand model is evaluated on plain padded problems at lengths it never saw.
    @Test func shiftedAdditionTrainsAndEvaluatesOnPaddedProblems() throws {
        let directory = try CLI.temporaryDirectory()
        let train = try CLI.run(["train", "--task", "addition-shifted", "--digits", "1-2", "--steps", "20", "--eval-problems", "5",
                                 "--out", directory + "/s.ckpt", "--quiet"] + Self.tiny.map { $0 == "64" ? "128" : $0 })
        #expect(train.status == 0, "\(train.stderr)")
        let eval = try CLI.run(["eval", "--model", directory + "/s.ckpt", "--task", "addition-padded", "--digits", "1-6", "--problems", "4",
                                "--format", "json", "--quiet"])
        #expect(eval.status == 0, "\(eval.stderr)")
        let result = try #require(try JSONSerialization.jsonObject(with: Data(eval.stdout.utf8)) as? [String: Any])
        #expect(result["task"] as? String == "addition-padded")
        #expect((result["per_difficulty"] as? [String: Any])?.keys.sorted() == ["1", "2", "3", "4", "5", "6"])
    }

    /// `confidence` teaches a trained model P(True) and scores its answers in distribution and under
    /// shift: a table, a checkpoint with the question's tokens, and one CSV row per scored answer
    /// that `calibrate` reads; the same seed gives the same file.
    @Test func confidenceLearnsPTrueAndScoresItsAnswers() throws {
        let directory = try CLI.temporaryDirectory()
        let train = try CLI.run(["train", "--steps", "30", "--eval-problems", "6", "--seed", "4", "--out", directory + "/m.ckpt", "--quiet"] + Self.tiny)
        #expect(train.status == 0, "\(train.stderr)")
        let arguments = ["confidence", "--model", directory + "/m.ckpt", "--problems", "12", "--steps", "10", "--batch", "8", "--shift", "1",
                         "--bootstrap", "0", "--quiet"]
        let run = try CLI.run(arguments + ["--out", directory + "/p.ckpt"])
        #expect(run.status == 0, "\(run.stderr)")
        #expect(run.stdout.contains("Learned from") && run.stdout.contains("held-out") && run.stdout.contains("shifted (3)"))
        #expect(run.stdout.contains("ptrue") && run.stdout.contains("verbalized"))
        let rows = try String(contentsOfFile: directory + "/p.ptrue.csv", encoding: .utf8).split(separator: "\n")
        #expect(rows.first == "split,difficulty,confidence,correct")
        // Held-out at 1 and 2 digits, shifted at 3, and the other task (the modular chain) at 1 and 2 operations.
        #expect(rows.count == 1 + 6 + 6 + 6 + 12 && rows.filter { $0.hasPrefix("task modchain,") }.count == 12)
        #expect(run.stdout.contains("\nmodchain "))
        #expect(rows.dropFirst().allSatisfy { Double($0.split(separator: ",")[2]).map { (0...1).contains($0) } == true })
        // The verbalized rows are the answers that stated a decile: at most one per answer, each a decile.
        let verbalized = try String(contentsOfFile: directory + "/p.verbalized.csv", encoding: .utf8).split(separator: "\n")
        #expect(verbalized.first == "split,difficulty,confidence,correct" && verbalized.count <= rows.count)
        #expect(verbalized.dropFirst().allSatisfy { Double($0.split(separator: ",")[2]).map { ($0 * 10).rounded() == $0 * 10 } == true })
        let stated = try Checkpoint.read(path: directory + "/p.ckpt")
        #expect(stated.vocabulary == StatedConfidence.vocabulary && stated.metadata["stated"] == "both")
        let again = try CLI.run(arguments + ["--out", directory + "/q.ckpt"])
        #expect(again.status == 0)
        #expect(try String(contentsOfFile: directory + "/q.ptrue.csv", encoding: .utf8) == rows.joined(separator: "\n") + "\n")
        // P(True) alone: the shorter vocabulary, and no verbalized file.
        let alone = try CLI.run(arguments + ["--out", directory + "/r.ckpt", "--stated", "ptrue", "--shift-task", "none"])
        #expect(alone.status == 0 && !alone.stdout.contains("verbalized") && !alone.stdout.contains("modchain"))
        #expect(try Checkpoint.read(path: directory + "/r.ckpt").vocabulary == PTrue.vocabulary)
        #expect(!FileManager.default.fileExists(atPath: directory + "/r.verbalized.csv"))
        // With decisions: the longer vocabulary and a line of decision shares per split.
        let decides = try CLI.run(arguments + ["--out", directory + "/d.ckpt", "--stated", "decision", "--human", "rational"])
        #expect(decides.status == 0 && decides.stdout.contains("decisions: act"), "\(decides.stderr)")
        #expect(try Checkpoint.read(path: directory + "/d.ckpt").vocabulary == StatedConfidence.decisionVocabulary)
        let calibrate = try CLI.run(["calibrate", directory + "/p.ptrue.csv", "--group-column", "split", "--bootstrap", "0", "--format", "csv"])
        #expect(calibrate.status == 0, "\(calibrate.stderr)")
        let missing = try CLI.run(["confidence", "--out", directory + "/x.ckpt"])
        #expect(missing.status == 64 && missing.stderr.contains("confidence needs --model FILE"))
    }

    /// The stochastic-outcome check end to end: its tables and charts, the same bytes for any
    /// thread count.
    @Test func outcomeRunsEveryEstimatorFromSharedBases() throws {
        let directory = try CLI.temporaryDirectory()
        let arguments = ["outcome", "--seeds", "2", "--steps", "4", "--base-steps", "20", "--prompts", "3", "--group-size", "4",
                         "--measure-every", "2", "--quiet"]
        let one = try CLI.run(arguments + ["--out", directory + "/one", "--threads", "1"])
        #expect(one.status == 0, "\(one.stderr)")
        let two = try CLI.run(arguments + ["--out", directory + "/two", "--threads", "2"])
        #expect(two.status == 0 && two.stdout == one.stdout)
        for file in ["curves.csv", "summary.csv", "overconfidence.svg", "ece.svg"] {
            #expect(try String(contentsOfFile: directory + "/one/" + file, encoding: .utf8) == String(contentsOfFile: directory + "/two/" + file, encoding: .utf8))
        }
        let curves = try String(contentsOfFile: directory + "/one/curves.csv", encoding: .utf8).split(separator: "\n")
        #expect(curves.first == "estimator,seed,step,reward,ece,overconfidence,mean_abs_error,brier,extreme_share")
        #expect(curves.count == 1 + 3 * 2 * 3)           // 3 estimators × 2 seeds × steps 0, 2, 4
        // Every estimator starts from its seed's one base.
        let bases = curves.dropFirst().filter { $0.split(separator: ",")[2] == "0" }.map { $0.split(separator: ",").dropFirst().joined(separator: ",") }
        #expect(Set(bases).count == 2)
        let summary = try String(contentsOfFile: directory + "/one/summary.csv", encoding: .utf8).split(separator: "\n")
        #expect(summary.count == 1 + 3 * 5 && one.stdout.contains("overconfidence"))
    }

    @Test func badInputIsRejected() throws {
        let directory = try CLI.temporaryDirectory()
        try Data("SKCKPT\r\nnot really".utf8).write(to: URL(fileURLWithPath: directory + "/bad.ckpt"))
        let cases: [([String], Int32, String)] = [
            (["sample", "--model", "/no/such.ckpt", "--problem", "1+2"], 66, "/no/such.ckpt: no such checkpoint file"),
            (["sample", "--model", directory + "/bad.ckpt", "--problem", "1+2"], 65, "not a usable checkpoint"),
            (["eval", "--model", directory + "/bad.ckpt"], 65, "not a usable checkpoint"),
            (["train", "--digits", "0-3"], 64, "--digits must be A or A-B within 1-8 for addition, got '0-3'"),
            (["train", "--task", "sorting"], 64, "unknown task 'sorting'; expected one of: addition, modchain"),
            (["train", "--task", "addition-shifted-13"], 64, "addition-shifted-W for a field of W = 2-12 digits"),
            (["train", "--width", "30", "--heads", "4"], 64, "width 30 does not divide into 4 heads"),
            (["train", "--out", "/no/such/dir/m.ckpt", "--steps", "1"], 73, "cannot create"),
            (["train", "--digits", "1-3", "--seed-set", "10,20"], 64, "--seed-set must be N or one N >= 1 per difficulty (3 for --digits 1-3), got '10,20'"),
            (["sample", "--problem", "1+2"], 64, "sample needs --model FILE"),
            (["train", "--positions", "absolute"], 64, "--positions"),
            (["train", "--positions", "rotary", "--width", "12", "--heads", "4"], 64, "head size 3 must be even"),
        ]
        for (arguments, status, message) in cases {
            let r = try CLI.run(arguments)
            #expect(r.status == status, "\(arguments)")
            #expect(r.stderr.contains(message), "\(arguments): \(r.stderr)")
            #expect(r.stderr.split(separator: "\n").count == 1)
        }
        _ = try CLI.run(["train", "--steps", "2", "--eval-problems", "0", "--out", directory + "/m.ckpt", "--quiet"] + Self.tiny)
        let badProblem = try CLI.run(["sample", "--model", directory + "/m.ckpt", "--problem", "12-34"])
        #expect(badProblem.status == 64 && badProblem.stderr.contains("expected A+B with 1 to 8 digits each"))
    }
}
