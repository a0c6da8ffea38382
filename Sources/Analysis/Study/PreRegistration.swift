import Foundation
import SafetyKitNumerics

/// A study's pre-registration record (study.md): its full configuration and its primary
/// endpoints, written before any run starts, with the SHA-256 of that text. The study's README
/// quotes the hash, so a reader can check that what was tested is what was declared.
package struct PreRegistration: Sendable, Equatable {
    /// A primary endpoint: a metric's change from each seed's base to the last iteration, per arm.
    package struct Endpoint: Sendable, Equatable {
        /// The metrics.csv column.
        package var metric: IterationMetrics.Column
        /// What it measures, in words.
        package var meaning: String
    }

    /// The family-wise error rate Holm's correction holds, and the minimum detectable effect's level.
    package static let alpha = 0.05

    /// How every endpoint is tested, stated in the record.
    package static let test = "per arm, the change from each seed's base to the last iteration, paired by seed; two-sided sign-flip permutation test (exact up to 20 seeds), Holm's correction across every arm and endpoint at alpha \(CSVNumber.format(alpha)); minimum detectable effect of a paired t-test at 80% power"

    /// The record's text: canonical JSON (configuration, endpoints, test), as written to disk.
    package let text: String
    /// The SHA-256 of `text`, hex.
    package let hash: String
    /// The endpoints.
    package let endpoints: [Endpoint]

    /// The record of a study with `configuration` (its options as recorded) and `endpoints`.
    package init(configuration: JSONValue, endpoints: [Endpoint]) {
        self.endpoints = endpoints
        text = JSONValue.object([
            ("configuration", configuration),
            ("primary_endpoints", .array(endpoints.map { .object([("metric", .string($0.metric.rawValue)), ("meaning", .string($0.meaning))]) })),
            ("test", .string(Self.test)),
        ]).pretty() + "\n"
        hash = SHA256.hex(text)
    }

    /// The current record's file name in a study's run directory.
    package static let fileName = "preregistration.json"

    /// The file name of the k-th earlier record (k = 1, 2, …) an amended study keeps.
    static func earlierFileName(_ k: Int) -> String { "preregistration-\(k).json" }

    /// Writes the record into `directory` as `fileName`. A different record already there (an
    /// amended study: more seeds) is kept first, as the next free `preregistration-K.json`.
    package func write(in directory: String) throws {
        let path = directory + "/" + Self.fileName, manager = FileManager.default
        if let earlier = manager.contents(atPath: path).flatMap({ String(data: $0, encoding: .utf8) }), earlier != text {
            let k = (1...).first { !manager.fileExists(atPath: directory + "/" + Self.earlierFileName($0)) }!
            try OutputFile.write(earlier, to: directory + "/" + Self.earlierFileName(k))
        }
        try OutputFile.write(text, to: path)
    }

    /// The records an amended study kept, oldest first: `preregistration-K.json` in `directory`,
    /// K = 1, 2, … (the current one is `fileName`), each with its SHA-256 and the seeds it declared.
    package static func earlierRecords(in directory: String) -> [(file: String, hash: String, seeds: String)] {
        var records: [(String, String, String)] = []
        for k in 1... {
            let file = earlierFileName(k)
            guard let data = FileManager.default.contents(atPath: directory + "/" + file), let text = String(data: data, encoding: .utf8) else { break }
            let object = (try? JSONSerialization.jsonObject(with: data)) as? [String: Any]
            let options = ((object?["configuration"] as? [String: Any])?["options"] as? [String: Any])
            records.append((file, SHA256.hex(text), options?["seeds"] as? String ?? "not recorded"))
        }
        return records
    }

    /// The smallest Holm-adjusted p-value `tests` tests over `seeds` seeds can reach, whatever the
    /// data: Holm's first step multiplies the smallest p-value by the number of tests. Above
    /// `alpha`, no endpoint can be significant.
    package static func smallestAdjustedP(seeds: Int, tests: Int) -> Double {
        min(1, Double(tests) * PairedComparison.smallestPermutationPValue(n: seeds))
    }

    /// The fewest seeds with which `tests` tests can reach `alpha` (at most 64).
    package static func seedsNeeded(tests: Int) -> Int {
        (2...64).first { smallestAdjustedP(seeds: $0, tests: tests) <= alpha } ?? 64
    }

    /// The endpoints' tests over `aggregation`: per arm and endpoint, the paired change at the
    /// last iteration, its p-value, the Holm-adjusted p-value and the minimum detectable effect.
    package func results(_ aggregation: StudyAggregation, arms: [String]) -> [Result] {
        var results: [Result] = []
        for arm in arms {
            let last = aggregation.rows.filter { $0.method == arm }.map(\.iteration).max() ?? 0
            for endpoint in endpoints {
                guard last > 0, let change = aggregation.value(arm, last, endpoint.metric.rawValue + "_change") else { continue }
                results.append(Result(arm: arm, endpoint: endpoint, change: change, p: PairedComparison.permutationPValue(change.values), holm: 1,
                                      minimumDetectableEffect: change.standardDeviation.flatMap { PairedComparison.minimumDetectableEffect(n: change.n, sd: $0, alpha: Self.alpha) }))
            }
        }
        for (i, adjusted) in PairedComparison.holm(results.map(\.p)).enumerated() { results[i].holm = adjusted }
        // Holm's first step tests at alpha/m: what the corrected analysis can detect at best.
        let strictest = Self.alpha / Double(max(1, results.count))
        for i in results.indices {
            let change = results[i].change
            results[i].minimumDetectableEffectCorrected = change.standardDeviation.flatMap {
                PairedComparison.minimumDetectableEffect(n: change.n, sd: $0, alpha: strictest)
            }
        }
        return results
    }

    /// One endpoint's test in one arm.
    package struct Result: Sendable, Equatable {
        package var arm: String
        package var endpoint: Endpoint
        package var change: SeedAggregate
        package var p: Double
        package var holm: Double
        /// At `alpha`, as registered.
        package var minimumDetectableEffect: Double?
        /// At alpha/m over the m tests, the level of Holm's first step: the effect the corrected
        /// analysis detects with 80% power (a t-test's approximation of the permutation test).
        package var minimumDetectableEffectCorrected: Double? = nil
    }
}
