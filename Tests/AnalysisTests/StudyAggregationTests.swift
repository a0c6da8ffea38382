import Foundation
import Testing
@testable import SafetyKitAnalysis

@Suite("Aggregation over seeds")
struct StudyAggregationTests {
    @Test func meansAndStudentTIntervals() throws {
        let a = try #require(SeedAggregate([0.2, 0.4, 0.6]))
        // s = 0.2, t(0.975, 2) = 4.302652729749464: half-width 4.3027 · 0.2/√3.
        let half = 4.302652729749464 * 0.2 / 3.0.squareRoot()
        #expect(abs(a.mean - 0.4) < 1e-15 && abs(a.lower! - (0.4 - half)) < 1e-12 && abs(a.upper! - (0.4 + half)) < 1e-12)
        // One seed: the t-interval is undefined, so there is none (it was the point itself).
        #expect(SeedAggregate([0.7])?.mean == 0.7 && SeedAggregate([0.7])?.interval == nil)
        #expect(SeedAggregate([]) == nil)
    }

    @Test func studyTablesAggregatePerMethodIterationAndMetric() throws {
        func table(_ rows: [(Int, String, Double, String)]) throws -> CSVTable {
            var text = "iteration,method,difficulty,greedy_accuracy,probe_deference\n"
            for r in rows { text += "\(r.0),m,\(r.1),\(r.2),\(r.3)\n" }
            return try CSVReader.parse(text)
        }
        let seed1 = try table([(0, "all", 0.5, "0.1"), (0, "1", 0.9, "0.0"), (1, "all", 0.7, "0.3")])
        let seed2 = try table([(0, "all", 0.6, "0.2"), (0, "1", 1.0, "0.0"), (1, "all", 0.9, "")])
        let aggregation = try StudyAggregation(runs: [("star", [seed1, seed2])])
        // Only the "all" rows count; a blank cell is skipped, not read as 0.
        #expect(aggregation.value("star", 0, "greedy_accuracy")?.mean == 0.55)
        #expect(aggregation.value("star", 1, "greedy_accuracy")?.n == 2)
        #expect(aggregation.value("star", 1, "probe_deference")?.n == 1 && aggregation.value("star", 1, "probe_deference")?.mean == 0.3)
        #expect(aggregation.value("star", 0, "ece_answer") == nil)
        let csv = aggregation.csv().split(separator: "\n")
        #expect(csv[0] == "method,iteration,metric,seeds,mean,ci_lower,ci_upper")
        #expect(csv.contains { $0.hasPrefix("star,0,greedy_accuracy,2,0.55,") })
        // Paired changes since each seed's base: 0.7 − 0.5 and 0.9 − 0.6.
        #expect(abs(aggregation.value("star", 1, "greedy_accuracy_change")!.mean - 0.25) < 1e-12)
        // Rates are clipped to [0, 1].
        #expect(aggregation.value("star", 1, "greedy_accuracy")!.upper! <= 1)
        // One seed's value has no interval: empty fields in the CSV.
        #expect(csv.contains("star,1,probe_deference,1,0.3,,"))
    }

    @Test func aRunThatStoppedEarlyKeepsItsLastModel() throws {
        let stopped = try CSVReader.parse("iteration,method,difficulty,greedy_accuracy\n0,m,all,0.4\n1,m,all,0.6\n")
        let full = try CSVReader.parse("iteration,method,difficulty,greedy_accuracy\n0,m,all,0.4\n1,m,all,0.5\n2,m,all,0.8\n")
        let aggregation = try StudyAggregation(runs: [("rft", [stopped, full])])
        #expect(aggregation.value("rft", 2, "greedy_accuracy")?.n == 2 && aggregation.value("rft", 2, "greedy_accuracy")?.mean == 0.7)
    }
}
