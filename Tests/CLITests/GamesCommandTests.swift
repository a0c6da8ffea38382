import Foundation
import Testing

@Suite("safetykit games")
struct GamesCommandTests {
    @Test func posgSolvesTheBuiltInAndUserGames() throws {
        let plotDirectory = try CLI.temporaryDirectory()
        let drawn = try CLI.run(["games", "posg", "--format", "csv", "--plot", plotDirectory + "/p.svg"])
        #expect(drawn.status == 0)
        let svg = try String(contentsOfFile: plotDirectory + "/p.svg", encoding: .utf8)
        #expect(svg.components(separatedBy: "class=\"cell\"").count == 1 + 36 && svg.contains("stroke-width=\"2.5\""))
        let json = try CLI.run(["games", "posg", "--format", "json"])
        #expect(json.status == 0)
        let object = try #require(try JSONSerialization.jsonObject(with: Data(json.stdout.utf8)) as? [String: Any])
        #expect(object["value"] as? Double == 1.75 && object["best_always_wait"] as? Double == 1)
        #expect((object["optimal"] as? [[String: Any]])?.count == 1)
        let fine = try CLI.run(["games", "posg", "--example", "example-4.10", "--format", "csv"])
        let rows = fine.stdout.split(separator: "\n")
        #expect(rows.count == 1 + 9 * 8)              // 3 robot moves on 2 codes × on/off on 3 versions
        let optimal = rows.dropFirst().filter { $0.split(separator: ",")[3] == "1" }
        #expect(!optimal.isEmpty && optimal.allSatisfy { abs(Double($0.split(separator: ",")[2])! - 4.0 / 3) < 1e-12 })

        let directory = try CLI.temporaryDirectory()
        try Data(#"{"states": [{"name": "good", "prior": 0.5, "act": 1, "off": 0, "human": {"g": 1}, "robot": {"x": 1}}, {"name": "bad", "prior": 0.5, "act": -2, "off": 0, "human": {"b": 1}, "robot": {"x": 1}}]}"#.utf8)
            .write(to: URL(fileURLWithPath: directory + "/coin.json"))
        let user = try CLI.run(["games", "posg", "--game", directory + "/coin.json", "--format", "table"])
        #expect(user.status == 0 && user.stdout.contains("optimal value 0.5"))
    }

    @Test func indifferenceSweepsTheBonus() throws {
        let directory = try CLI.temporaryDirectory()
        let csv = try CLI.run(["games", "indifference", "--bonus", "6,8,10", "--format", "csv", "--plot", directory + "/i.svg"])
        #expect(csv.status == 0, "\(csv.stderr)")
        let rows = csv.stdout.split(separator: "\n")
        // By hand (u_N = 10, u_S = 2, p = ½, c = ½): work = 6 + B/2, prevent = 9.5, cause = 1.5 + B.
        #expect(rows == ["bonus,eu_work,eu_prevent,eu_cause,naive_choice,indifferent_choice", "6,9,9.5,7.5,prevent,work",
                         "8,10,9.5,9.5,work,work", "10,11,9.5,11.5,cause,work"])
        #expect(FileManager.default.fileExists(atPath: directory + "/i.svg"))
        let json = try CLI.run(["games", "indifference", "--format", "json"])
        let object = try #require(try JSONSerialization.jsonObject(with: Data(json.stdout.utf8)) as? [String: Any])
        #expect(object["naive_safe_band"] as? [Double] == [7, 9] && object["indifferent_choice"] as? String == "work")
        let bad = try CLI.run(["games", "indifference", "--press", "2"])
        #expect(bad.status == 64 && bad.stderr.contains("press probability"))
        let misplaced = try CLI.run(["games", "posg", "--bonus", "1"])
        #expect(misplaced.status == 64 && misplaced.stderr.contains("--bonus does not apply to 'posg'"))
        // Every game rejects another game's options, and has its own help with its columns.
        let epsilon = try CLI.run(["games", "obedience", "--epsilon", "0.1"])
        #expect(epsilon.status == 64 && epsilon.stderr.contains("--epsilon does not apply to 'obedience'"))
        let help = try CLI.run(["games", "cirl", "--help"])
        #expect(help.stdout.contains("Usage: safetykit games cirl [--epsilon X]") && help.stdout.contains("CSV columns: human_policy,")
                && !help.stdout.contains("--particles"))
        #expect(try CLI.run(["help", "games", "cirl"]).stdout == help.stdout)
    }

    @Test func obedienceReportsEachRound() throws {
        let directory = try CLI.temporaryDirectory()
        let result = try CLI.run(["games", "obedience", "--human-beta", "0", "--rounds", "4", "--runs", "5", "--particles", "50",
                                  "--format", "csv", "--plot", directory + "/o.svg"])
        #expect(result.status == 0, "\(result.stderr)")
        let rows = result.stdout.split(separator: "\n")
        #expect(rows.count == 5 && rows[0] == "round,obedience,obedience_ci_lo,obedience_ci_hi,advantage,advantage_ci_lo,advantage_ci_hi")
        #expect(rows.dropFirst().allSatisfy { $0.split(separator: ",")[1] == "1" })   // a rational human is obeyed
        #expect(FileManager.default.fileExists(atPath: directory + "/o.svg"))
        let bad = try CLI.run(["games", "obedience", "--robot-features", "9"])
        #expect(bad.status == 64 && bad.stderr.contains("robot features"))
    }

    @Test func interruptibilityComparesTheLearners() throws {
        let directory = try CLI.temporaryDirectory()
        let result = try CLI.run(["games", "interruptibility", "--runs", "3", "--episodes", "800", "--format", "csv", "--plot", directory + "/g.svg"])
        #expect(result.status == 0, "\(result.stderr)")
        let rows = result.stdout.split(separator: "\n")
        #expect(rows.count == 3 && rows[1].hasPrefix("q-learning,3,") && rows[2].hasPrefix("sarsa,3,"))
        #expect(try String(contentsOfFile: directory + "/g.svg", encoding: .utf8).components(separatedBy: "class=\"path\"").count == 3)
    }

    @Test func cirlComparesTheButtonAsEvidenceWithAHardCodedOne() throws {
        let directory = try CLI.temporaryDirectory()
        let result = try CLI.run(["games", "cirl", "--epsilon", "0", "--format", "json", "--plot", directory + "/c.svg"])
        #expect(result.status == 0, "\(result.stderr)")
        let object = try #require(try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any])
        #expect(abs((object["best_cirl"] as? Double ?? 0) + 1.15) < 1e-12 && abs((object["best_hardcoded"] as? Double ?? 0) - 0.9) < 1e-12)
        #expect(FileManager.default.fileExists(atPath: directory + "/c.svg"))
        let bad = try CLI.run(["games", "cirl", "--epsilon", "0.7"])
        #expect(bad.status == 64 && bad.stderr.contains("epsilon"))
    }

    @Test func relativesSweepOneParameterWithTheOffSwitchGridGrammar() throws {
        let cirl = try CLI.run(["games", "cirl", "--sweep", "epsilon=0:0.01:2"])
        #expect(cirl.status == 0)
        // Each row equals the single game at that value.
        #expect(cirl.stdout.split(separator: "\n") == ["epsilon,best_cirl,best_hardcoded", "0,-1.15,0.9", "0.01,-1.358,0.6659999999999998"])
        let obedience = try CLI.run(["games", "obedience", "--sweep", "human-beta=0,1", "--runs", "4", "--particles", "40", "--rounds", "3"])
        #expect(obedience.status == 0 && obedience.stdout.hasPrefix("human-beta,final_obedience,final_advantage,mean_advantage\n0,1,0,0\n"))
        let interruptibility = try CLI.run(["games", "interruptibility", "--sweep", "press=0,0.5", "--runs", "2", "--episodes", "300"])
        #expect(interruptibility.status == 0 && interruptibility.stdout.split(separator: "\n").count == 3)
        let indifference = try CLI.run(["games", "indifference", "--sweep", "bonus=6,10"])
        #expect(indifference.stdout.contains("\n6,9,9.5,7.5,prevent,work\n10,11,9.5,11.5,cause,work"))
        let wrong = try CLI.run(["games", "cirl", "--sweep", "mu=1:2:3"])
        #expect(wrong.status == 64 && wrong.stderr.contains("epsilon, bug"))
        let table = try CLI.run(["games", "cirl", "--sweep", "bug=0.1", "--format", "table"])
        #expect(table.status == 64 && table.stderr.contains("sweeps write CSV"))
    }

    @Test func badGamesAreRejected() throws {
        let directory = try CLI.temporaryDirectory()
        try Data(#"{"states": [{"name": "a", "prior": 1, "act": 1, "off": 0, "human": {"x": 0.4}, "robot": {"y": 1}}]}"#.utf8)
            .write(to: URL(fileURLWithPath: directory + "/sum.json"))
        try Data(#"{"states": [{"name": "a", "prior": 1, "off": 0, "human": {"x": 1}, "robot": {"y": 1}}]}"#.utf8)
            .write(to: URL(fileURLWithPath: directory + "/missing.json"))
        func expectFailure(_ arguments: [String], status: Int32, mentioning text: String) throws {
            let result = try CLI.run(["games"] + arguments)
            #expect(result.status == status, "\(arguments): \(result.stderr)")
            #expect(result.stderr.contains(text) && result.stderr.split(separator: "\n").count == 1, "\(arguments): \(result.stderr)")
        }
        try expectFailure(["posg", "--game", directory + "/sum.json"], status: 65, mentioning: "states[0] (a).human summing to 0.4")
        try expectFailure(["posg", "--game", directory + "/missing.json"], status: 65, mentioning: "states[0].act: missing")
        try expectFailure(["posg", "--game", directory + "/none.json"], status: 66, mentioning: "none.json")
        try expectFailure(["posg", "--example", "chess"], status: 64, mentioning: "file-deletion")
        try expectFailure(["posg", "--game", directory + "/sum.json", "--example", "file-deletion"], status: 64, mentioning: "alternatives")
        try Data("#####\n#A I#\n#####\n".utf8).write(to: URL(fileURLWithPath: directory + "/nogoal.txt"))
        try expectFailure(["interruptibility", "--level", directory + "/nogoal.txt"], status: 65, mentioning: "no goal G")
        try expectFailure(["interruptibility", "--level", directory + "/none.txt"], status: 66, mentioning: "none.txt")
        try expectFailure(["poker"], status: 64, mentioning: "the games are: posg, obedience, cirl, indifference, interruptibility")
    }
}
