import Foundation
import Testing

@Suite("safetykit offswitch")
struct OffSwitchCommandTests {
    @Test func singleGameCSVHasTheDocumentedColumns() throws {
        let r = try CLI.run(["offswitch", "--prior", "gaussian", "--mu", "0.5", "--sigma", "1", "--human", "boltzmann", "--beta", "1", "--format", "csv"])
        #expect(r.status == 0)
        let lines = r.stdout.split(separator: "\n")
        #expect(lines.count == 2)
        #expect(lines[0] == "prior,mu,sigma,human,beta,eu_act,eu_off,eu_wait,delta,p_allow,best_action")
        let f = lines[1].split(separator: ",").map(String.init)
        #expect(f[0] == "gaussian" && f[1] == "0.5" && f[2] == "1" && f[3] == "boltzmann" && f[4] == "1")
        #expect(abs(Double(f[7])! - 0.5) < 1e-9 && abs(Double(f[8])!) < 1e-9 && abs(Double(f[9])! - 0.6020271328) < 1e-9)
        #expect(f[10] == "act|wait")
    }

    @Test func otherPriorsAndHumansNameTheirOwnParameters() throws {
        let uniform = try CLI.run(["offswitch", "--prior", "uniform", "--lo", "-1", "--hi", "3", "--human", "p-rational", "--p", "0.8", "--format", "csv"])
        #expect(uniform.stdout.hasPrefix("prior,lo,hi,human,p,eu_act"))
        let discrete = try CLI.run(["offswitch", "--prior", "discrete", "--points", "1:0.5,-1:0.5", "--human", "rational", "--format", "csv"])
        #expect(discrete.stdout == "prior,points,human,eu_act,eu_off,eu_wait,delta,p_allow,best_action\ndiscrete,1:0.5;-1:0.5,rational,0,0,0.5,0.5,0.5,wait\n")
        let mixture = try CLI.run(["offswitch", "--prior", "mixture", "--mixture", "0.5*gaussian(0,1)+0.5*point(2)", "--human", "constant", "--c", "0.3", "--format", "csv"])
        #expect(mixture.status == 0 && mixture.stdout.contains("\"0.5*gaussian(0,1)+0.5*point(2)\",constant,0.3,1,"))
    }

    @Test func tableExplainsAndJSONHasTheorem2() throws {
        let table = try CLI.run(["offswitch", "--mu", "0.5", "--beta", "0.1", "--format", "table"])
        #expect(table.stdout.contains("Best: wait — deferring is worth delta = 0.1922"))
        #expect(table.stdout.contains("Theorem 2"))
        let json = try CLI.run(["offswitch", "--mu", "2", "--sigma", "3", "--beta", "1", "--format", "json"])
        let object = try #require(try JSONSerialization.jsonObject(with: Data(json.stdout.utf8)) as? [String: Any])
        #expect(abs((object["delta"] as! Double) - 0.3084848126) < 1e-9)
        #expect(object["best_action"] as? String == "wait")
        let theorem2 = try #require(object["theorem2"] as? [String: Double])
        #expect(abs(theorem2["spread_term"]! - theorem2["override_term"]! - 0.3084848126) < 1e-9)
    }

    @Test func samplesFileMakesAnEmpiricalPrior() throws {
        let directory = try CLI.temporaryDirectory()
        try "id,utility\n1,2\n2,-1\n3,0.5\n4,-0.5\n".write(toFile: directory + "/s.csv", atomically: true, encoding: .utf8)
        let r = try CLI.run(["offswitch", "--prior", "samples", "--samples", directory + "/s.csv", "--column", "utility", "--human", "rational", "--format", "csv"])
        #expect(r.status == 0)
        #expect(r.stdout.hasSuffix("samples,4,rational,0.25,0,0.625,0.375,0.5,wait\n"))
    }

    @Test func monteCarloReportsIntervalsThatCoverTheExactValues() throws {
        let r = try CLI.run(["offswitch", "--mu", "0.3", "--sigma", "1.2", "--beta", "0.4", "--simulate", "200000", "--seed", "3", "--format", "csv"])
        #expect(r.status == 0)
        let lines = r.stdout.split(separator: "\n")
        let header = lines[0].split(separator: ",").map(String.init), row = lines[1].split(separator: ",").map { Double($0) }
        func value(_ name: String) -> Double { row[header.firstIndex(of: name)!]! }
        #expect(value("mc_rounds") == 200000)
        #expect(value("mc_wait_lo") <= value("eu_wait") && value("eu_wait") <= value("mc_wait_hi"))
        #expect(value("mc_act_lo") <= value("eu_act") && value("eu_act") <= value("mc_act_hi"))
        let again = try CLI.run(["offswitch", "--mu", "0.3", "--sigma", "1.2", "--beta", "0.4", "--simulate", "200000", "--seed", "3", "--format", "csv"])
        #expect(again.stdout == r.stdout)
    }

    @Test func sweepsAreIdenticalAcrossThreadCountsAndShardsMergeBack() throws {
        let directory = try CLI.temporaryDirectory()
        let grid = ["--grid", "mu=-1,1", "--grid", "sigma=0.1:3:40", "--grid", "beta=0:2:41"]
        let one = try CLI.run(["offswitch", "--sweep"] + grid + ["--threads", "1", "--out", directory + "/one.csv", "--quiet"])
        let three = try CLI.run(["offswitch", "--sweep"] + grid + ["--threads", "3", "--out", directory + "/three.csv", "--quiet"])
        #expect(one.status == 0 && three.status == 0 && one.stderr.isEmpty)
        let whole = try Data(contentsOf: URL(fileURLWithPath: directory + "/one.csv"))
        #expect(whole == (try Data(contentsOf: URL(fileURLWithPath: directory + "/three.csv"))))
        #expect(String(decoding: whole, as: UTF8.self).split(separator: "\n").count == 1 + 2 * 40 * 41)
        for k in 1...4 {
            let shard = try CLI.run(["offswitch", "--sweep"] + grid + ["--shard", "\(k)/4", "--out", directory + "/part-\(k).csv"])
            #expect(shard.status == 0 && shard.stderr.contains("(shard \(k)/4)"))
            // A shard is plain CSV (its record lives beside it), so any CSV reader takes it.
            #expect(try String(contentsOfFile: directory + "/part-\(k).csv", encoding: .utf8).hasPrefix("prior,mu,sigma,"))
            #expect(FileManager.default.fileExists(atPath: directory + "/part-\(k).csv.shard"))
        }
        #expect(try CLI.run(["plot", directory + "/part-1.csv", "--x", "sigma", "--y", "delta", "--out", directory + "/p.svg"]).status == 0)
        #expect(try CLI.run(["offswitch", "--sweep"] + grid + ["--shard", "1/4"]).stderr.contains("--shard needs --out FILE"))
        let merged = try CLI.run(["merge", directory + "/part-3.csv", directory + "/part-1.csv", directory + "/part-4.csv",
                                  directory + "/part-2.csv", "--out", directory + "/merged.csv"])
        #expect(merged.status == 0)
        #expect(try Data(contentsOf: URL(fileURLWithPath: directory + "/merged.csv")) == whole)
        let missing = try CLI.run(["merge", directory + "/part-1.csv", directory + "/part-2.csv", "--out", directory + "/bad.csv"])
        #expect(missing.status == 65 && missing.stderr.contains("missing shard(s) 3, 4 of 4"))
        #expect(!FileManager.default.fileExists(atPath: directory + "/bad.csv"))
        // A different sweep's shard is refused.
        _ = try CLI.run(["offswitch", "--sweep", "--grid", "mu=-1,2", "--grid", "sigma=0.1:3:40", "--grid", "beta=0:2:41", "--shard", "2/4", "--out", directory + "/other.csv"])
        let foreign = try CLI.run(["merge", directory + "/part-1.csv", directory + "/other.csv", directory + "/part-3.csv", directory + "/part-4.csv"])
        #expect(foreign.status == 65 && foreign.stderr.contains("another sweep"))
    }

    /// Shards run as separate processes; a fingerprint that depended on the process (Swift's
    /// seeded hashing) would make merge refuse them.
    @Test func shardsOfAnEmpiricalPriorSweepMergeAcrossProcesses() throws {
        let directory = try CLI.temporaryDirectory()
        try "u\n1.5\n-0.5\n0.25\n-2\n".write(toFile: directory + "/u.csv", atomically: true, encoding: .utf8)
        let base = ["offswitch", "--sweep", "--prior", "samples", "--samples", directory + "/u.csv", "--column", "u", "--grid", "beta=0:2:9", "--quiet"]
        #expect(try CLI.run(base + ["--out", directory + "/whole.csv"]).status == 0)
        for k in 1...3 { #expect(try CLI.run(base + ["--shard", "\(k)/3", "--out", directory + "/p\(k).csv"]).status == 0) }
        let merged = try CLI.run(["merge", directory + "/p1.csv", directory + "/p2.csv", directory + "/p3.csv", "--out", directory + "/merged.csv"])
        #expect(merged.status == 0, "\(merged.stderr)")
        #expect(try Data(contentsOf: URL(fileURLWithPath: directory + "/merged.csv")) == Data(contentsOf: URL(fileURLWithPath: directory + "/whole.csv")))
    }

    @Test func defaultSweepAndPlot() throws {
        let directory = try CLI.temporaryDirectory()
        let r = try CLI.run(["offswitch", "--sweep", "--out", directory + "/sweep.csv", "--plot", directory + "/sweep.svg"])
        #expect(r.status == 0)
        #expect(r.stderr.hasPrefix("wrote 30300 rows to \(directory)/sweep.csv in "))
        #expect(r.stderr.hasSuffix(", and a heatmap to \(directory)/sweep.svg\n"))
        let svg = try String(contentsOfFile: directory + "/sweep.svg", encoding: .utf8)
        #expect(svg.hasPrefix("<?xml") && svg.contains("μ = 0.5") && svg.hasSuffix("</svg>\n"))
        #expect(CLI.files(in: directory) == ["sweep.csv", "sweep.svg"])
    }

    @Test func helpTeachesAndVersionNamesTheLibraries() throws {
        let help = try CLI.run(["offswitch", "--help"])
        #expect(help.status == 0)
        for text in ["--sigma X", "(default: 1)", "Examples:", "SLURM", "--shard K/N"] { #expect(help.stdout.contains(text)) }
        #expect(try CLI.run(["merge", "--help"]).stdout.contains("Example:"))
        let version = try CLI.run(["--version"])
        #expect(version.status == 0 && version.stdout.contains("GSL") && version.stdout.contains("OpenBLAS core"))
        #expect(try CLI.run([]).stdout.contains("Commands:"))
    }
}

@Suite("safetykit offswitch --beliefs")
struct OffSwitchBeliefsTests {
    @Test func theProbeRunsOnAPredictionsFile() throws {
        let directory = try CLI.temporaryDirectory()
        var csv = "p,ok\n"
        for i in 0..<40 { csv += "\(i % 4 == 0 ? 0.6 : 0.99),\(i % 2)\n" }   // overconfident: half right at 0.99
        try Data(csv.utf8).write(to: URL(fileURLWithPath: directory + "/pred.csv"))
        let result = try CLI.run(["offswitch", "--beliefs", directory + "/pred.csv", "--confidence-column", "p", "--correct-column", "ok",
                                  "--human", "rational", "--format", "json", "--decisions", directory + "/decisions.csv"])
        #expect(result.status == 0, "\(result.stderr)")
        let object = try #require(try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any])
        let policies = try #require(object["policies"] as? [String: [String: Any]])
        #expect(Set(policies.keys) == ["model", "recalibrated", "always-wait", "always-act", "oracle"])
        #expect(policies["oracle"]?["regret"] as? Double == 0)
        // Theorem 1: with a rational human every uncertain belief waits, and waiting is then perfect.
        #expect(policies["model"]?["deference_rate"] as? Double == 1)
        #expect(policies["always-act"]?["harmful_rate"] as? Double == 0.5)
        let decisions = try String(contentsOfFile: directory + "/decisions.csv", encoding: .utf8).split(separator: "\n")
        #expect(decisions.count == 41 && decisions[0] == "row,confidence,correct,action,believed_delta,true_delta,utility,harmful")

        let noisy = try CLI.run(["offswitch", "--beliefs", directory + "/pred.csv", "--confidence-column", "p", "--correct-column", "ok",
                                 "--human", "boltzmann", "--beta", "1", "--format", "csv"])
        #expect(noisy.status == 0)
        #expect(noisy.stdout.hasPrefix("policy,deference_rate,harmful_rate,mean_utility,regret,mean_believed_delta,mean_true_delta,delta_gap\nmodel,"))
    }

    @Test func badBeliefsInputIsRejected() throws {
        let directory = try CLI.temporaryDirectory()
        try Data("confidence,correct\n0.5,1\n1.5,0\n".utf8).write(to: URL(fileURLWithPath: directory + "/bad.csv"))
        try Data("confidence,correct\n0.5,1\n".utf8).write(to: URL(fileURLWithPath: directory + "/good.csv"))
        func expectFailure(_ arguments: [String], status: Int32, mentioning text: String) throws {
            let result = try CLI.run(["offswitch"] + arguments)
            #expect(result.status == status, "\(arguments): \(result.stderr)")
            #expect(result.stderr.contains(text) && result.stderr.split(separator: "\n").count == 1, "\(arguments): \(result.stderr)")
        }
        try expectFailure(["--beliefs", directory + "/none.csv"], status: 66, mentioning: "none.csv")
        try expectFailure(["--beliefs", directory + "/bad.csv"], status: 65, mentioning: "bad.csv")
        try expectFailure(["--beliefs", directory + "/good.csv", "--confidence-column", "p"], status: 65, mentioning: "p")
        try expectFailure(["--beliefs", directory + "/good.csv", "--wrong-cost", "0"], status: 64, mentioning: "--wrong-cost")
        try expectFailure(["--beliefs", directory + "/good.csv", "--mu", "1"], status: 64, mentioning: "does not apply with --beliefs")
        try expectFailure(["--wrong-cost", "2"], status: 64, mentioning: "needs --beliefs")
        try expectFailure(["--beliefs", directory + "/good.csv", "--decisions", directory + "/missing/d.csv"], status: 73, mentioning: "d.csv")
    }
}
