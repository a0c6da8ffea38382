import Foundation
import Testing
@testable import SafetyKitGames

@Suite("The partially observable off-switch game (Garber et al. 2025)")
struct PartiallyObservableGameTests {
    @Test func fileDeletionGameHasValueSevenQuartersAndOneOptimalPair() throws {
        let solution = try PartiallyObservableGame.fileDeletion.solve()
        #expect(abs(solution.value - 7.0 / 4) < 1e-12)
        #expect(solution.optimal == [.init(robot: ["L": .act, "M": .wait], human: ["1.0": .off, "2.0": .on])])
        // Every always-wait pair earns at most 1.
        #expect(abs(solution.bestAlwaysWait - 1) < 1e-12)
        #expect(solution.pairsEnumerated == 9 * 4)
    }

    @Test func example410() throws {
        let coarse = try PartiallyObservableGame.example410(coarse: true).solve()
        #expect(abs(coarse.value - 1) < 1e-12)
        #expect(coarse.optimal.allSatisfy { $0.robot == ["L": .wait, "M": .wait] })
        let fine = try PartiallyObservableGame.example410(coarse: false).solve()
        #expect(abs(fine.value - 4.0 / 3) < 1e-12)
    }

    @Test func gamesAreReadFromJSONWithLocatedErrors() throws {
        let text = """
        {"name": "coin", "states": [
          {"name": "good", "prior": 0.5, "act": 1, "off": 0, "human": {"sees good": 1}, "robot": {"blind": 1}},
          {"name": "bad", "prior": 0.5, "act": -2, "off": 0, "human": {"sees bad": 1}, "robot": {"blind": 1}}]}
        """
        let game = try PartiallyObservableGame.decode(Data(text.utf8), source: "coin.json")
        // R cannot tell the states apart; waiting lets H filter: value ½.
        #expect(abs(try game.solve().value - 0.5) < 1e-12)
        func failure(_ json: String) -> String {
            do { _ = try PartiallyObservableGame.decode(Data(json.utf8), source: "g.json"); return "" } catch { return error.description }
        }
        #expect(failure(#"{"states": [{"name": "a", "prior": 1, "act": 1, "off": 0, "human": {"x": 0.5}, "robot": {"y": 1}}]}"#)
            .contains("g.json: invalid states[0] (a).human summing to 0.5"))
        #expect(failure(#"{"states": [{"name": "a", "prior": 0.7, "act": 1, "off": 0, "human": {"x": 1}, "robot": {"y": 1}}]}"#)
            .contains("priors"))
        #expect(failure(#"{"states": [{"name": "a", "prior": -1, "act": 1, "off": 0, "human": {"x": 1}, "robot": {"y": 1}}]}"#)
            .contains("states[0] (a).prior -1"))
        #expect(failure(#"{"states": [{"name": "a", "prior": 1, "off": 0, "human": {"x": 1}, "robot": {"y": 1}}]}"#)
            .contains("g.json: states[0].act: missing \"act\""))
        #expect(failure(#"{"states": [{"name": "a", "prior": 1, "act": "big", "off": 0, "human": {"x": 1}, "robot": {"y": 1}}]}"#)
            .contains("g.json: states[0].act"))
        #expect(failure("{\"states\": [").contains("not valid JSON"))
    }

    @Test func aGameTooLargeToEnumerateSaysSo() throws {
        let states = (0..<40).map { i in
            PartiallyObservableGame.State(name: "s\(i)", prior: 1.0 / 40, act: 1, off: 0, human: ["h\(i)": 1], robot: ["r\(i)": 1])
        }
        #expect(throws: GameError.self) { try PartiallyObservableGame(name: "big", states: states).solve() }
    }
}
