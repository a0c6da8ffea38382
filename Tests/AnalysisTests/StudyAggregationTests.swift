import Foundation
import Testing
@testable import SafetyKitAnalysis
import SafetyKitNumerics

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

    /// A run's records with the given "all" and difficulty-1 values (nil: a blank column).
    static func records(_ rows: [(iteration: Int, all: [IterationMetrics.Column: Double], one: [IterationMetrics.Column: Double])]) -> [IterationRecord] {
        rows.map { r in
            IterationRecord(iteration: r.iteration,
                            metrics: [.init(difficulty: nil, values: r.all, notes: ""), .init(difficulty: 1, values: r.one, notes: "")],
                            seconds: .init(collect: 0, train: 0, evaluate: 0), preference: [], policy: nil, calibration: [], samples: [])
        }
    }

    @Test func studyTablesAggregatePerMethodIterationAndMetric() throws {
        let seed1 = Self.records([(0, [.greedyAccuracy: 0.5, .probeDeference: 0.1], [.greedyAccuracy: 0.9, .probeDeference: 0]),
                                  (1, [.greedyAccuracy: 0.7, .probeDeference: 0.3], [:])])
        let seed2 = Self.records([(0, [.greedyAccuracy: 0.6, .probeDeference: 0.2], [.greedyAccuracy: 1.0, .probeDeference: 0]),
                                  (1, [.greedyAccuracy: 0.9], [:])])
        let aggregation = StudyAggregation(runs: [("star", [seed1, seed2])])
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

    /// A rate's change lies in [−1, 1], so its interval is clipped there; a change of an unbounded
    /// metric (regret) is not. Changes 1 and 0 over 2 seeds: 0.5 ± t(0.975, 1) · 0.5 = 0.5 ± 6.353.
    @Test func aRatesChangeIsClippedToWhatAChangeCanBe() throws {
        let seed1 = Self.records([(0, [.probeDeference: 0, .probeRegret: 0], [:]), (1, [.probeDeference: 1, .probeRegret: 1], [:])])
        let seed2 = Self.records([(0, [.probeDeference: 0, .probeRegret: 0], [:]), (1, [.probeDeference: 0, .probeRegret: 0], [:])])
        let aggregation = StudyAggregation(runs: [("grpo", [seed1, seed2])])
        let rate = try #require(aggregation.value("grpo", 1, "probe_deference_change")?.interval)
        #expect(rate == -1...1)
        let regret = try #require(aggregation.value("grpo", 1, "probe_regret_change")?.interval)
        #expect(abs(regret.lowerBound - (0.5 - 12.706204736174703 * 0.5)) < 1e-9 && abs(regret.upperBound - (0.5 + 12.706204736174703 * 0.5)) < 1e-9)
    }

    /// The endpoints' tests by hand: 2 arms × 1 endpoint over 3 seeds. Changes (0.1, 0.2, 0.3)
    /// give p = 2/8 and Holm 2 · 0.25 = 0.5; the minimum detectable effect is taken at 0.05 as
    /// registered and at 0.05/2, Holm's first level, which asks for more.
    @Test func endpointTestsCarryBothMinimumDetectableEffects() throws {
        let arm = { (changes: [Double]) in changes.map { Self.records([(0, [.probeDeference: 0.2], [:]), (1, [.probeDeference: 0.2 + $0], [:])]) } }
        let aggregation = StudyAggregation(runs: [("star", arm([0.1, 0.2, 0.3])), ("grpo", arm([0.1, -0.1, 0.05]))])
        let record = PreRegistration(configuration: .object([]), endpoints: [.init(metric: .probeDeference, meaning: "deference")])
        let results = record.results(aggregation, arms: ["star", "grpo"])
        let star = try #require(results.first { $0.arm == "star" })
        #expect(star.p == 0.25 && star.holm == 0.5)
        let registered = try #require(PairedComparison.minimumDetectableEffect(n: 3, sd: 0.1, alpha: 0.05))
        let strictest = try #require(PairedComparison.minimumDetectableEffect(n: 3, sd: 0.1, alpha: 0.025))
        #expect(abs(star.minimumDetectableEffect! - registered) < 1e-12 && abs(star.minimumDetectableEffectCorrected! - strictest) < 1e-12)
        #expect(strictest > registered)
        // Holm over 2 tests over 3 seeds reaches 2 · 2/8 = 0.5 at best; 7 seeds can (2 · 2/128 = 0.031 ≤ 0.05 < 2 · 2/64).
        #expect(PreRegistration.smallestAdjustedP(seeds: 3, tests: 2) == 0.5 && PreRegistration.seedsNeeded(tests: 2) == 7)
    }

    @Test func aRunThatStoppedEarlyKeepsItsLastModel() throws {
        let stopped = Self.records([(0, [.greedyAccuracy: 0.4], [:]), (1, [.greedyAccuracy: 0.6], [:])])
        let full = Self.records([(0, [.greedyAccuracy: 0.4], [:]), (1, [.greedyAccuracy: 0.5], [:]), (2, [.greedyAccuracy: 0.8], [:])])
        let aggregation = StudyAggregation(runs: [("rft", [stopped, full])])
        #expect(aggregation.value("rft", 2, "greedy_accuracy")?.n == 2 && aggregation.value("rft", 2, "greedy_accuracy")?.mean == 0.7)
    }

    /// Each run's rates are k of its n held-out answers, with Wilson's interval: 0.25 of 40 is
    /// 10/40, whose 95% interval is [0.141871, 0.401940] (Wilson 1927, z = 1.959964); a rate without
    /// a held-out count has none, and ECE is not a count.
    @Test func eachRunsRatesCarryWilsonIntervals() throws {
        let counted = Self.records([(0, [.heldOutProblems: 40, .probeDeference: 0.25, .eceAnswer: 0.1], [:]),
                                    (1, [.heldOutProblems: 40, .probeDeference: 0], [:])])
        let uncounted = Self.records([(0, [.probeDeference: 0.5], [:])])
        let aggregation = StudyAggregation(runs: [("star", [counted, uncounted])])
        let r = try #require(aggregation.rate("star", run: 0, 0, .probeDeference))
        #expect(r.successes == 10 && r.trials == 40)
        #expect(abs(r.lower - 0.141871) < 1e-6 && abs(r.upper - 0.401940) < 1e-6)
        #expect(aggregation.rate("star", run: 0, 1, .probeDeference).map { ($0.successes, $0.lower) } ?? (-1, -1) == (0, 0))
        #expect(aggregation.rate("star", run: 1, 0, .probeDeference) == nil)
        #expect(aggregation.runRates.allSatisfy { $0.metric != .eceAnswer })
        let csv = aggregation.ratesCSV { _, run in "seed \(run + 1)" }.split(separator: "\n")
        #expect(csv[0] == "method,run,iteration,metric,successes,trials,rate,wilson_lower,wilson_upper")
        #expect(csv[1].hasPrefix("star,seed 1,0,probe_deference,10,40,0.25,0.14"))
    }
}
