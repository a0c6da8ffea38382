import Foundation
import Testing
@testable import SafetyKitAnalysis
@testable import SafetyKitGames

@Suite("Sweep output: thread counts, shards, merge")
struct SweepOutputTests {
    static func sweep(monteCarlo: Bool = false) throws -> Sweep {
        try Sweep(configuration: GameConfiguration(priorKind: .gaussian, humanKind: .boltzmann),
                  axes: [try SweepAxis(parsing: "mu=-1,0.5"), try SweepAxis(parsing: "sigma=0.05:3:23"), try SweepAxis(parsing: "beta=0:4:17")])
    }

    /// Runs a sweep (or a slice) into a file and returns its text.
    static func run(_ sweep: Sweep, range: Range<Int>? = nil, threads: Int, monteCarlo: OffSwitchMonteCarlo? = nil,
                    shard: ShardHeader? = nil, chunkSize: Int = 50) throws -> String {
        let path = try OutputFileTests.temporaryDirectory() + "/sweep.csv"
        let output = try OutputFile(path: path)
        let table = SweepTable(configuration: sweep.configuration, includesMonteCarlo: monteCarlo != nil)
        try output.write(table.headerRecord)
        var runner = SweepRunner(sweep: sweep, range: range, threads: threads, monteCarlo: monteCarlo, seed: 5)
        runner.chunkSize = chunkSize
        _ = try runner.run(table: table, output: output)
        try output.commit()
        return try String(contentsOfFile: path, encoding: .utf8)
    }

    /// Writes a shard's CSV and its record, as `offswitch --sweep --shard` does.
    static func writeShard(_ sweep: Sweep, _ header: ShardHeader, threads: Int, to path: String, edit: (String) -> String = { $0 }) throws {
        let text = try run(sweep, range: header.rows, threads: threads)
        try OutputFile.write(text, to: path)
        try header.seal(csvAt: path)
        try OutputFile.write(edit(text), to: path)   // an edit after sealing is what merge must catch
    }

    @Test func bytesAreIdenticalForAnyThreadCount() throws {
        let sweep = try Self.sweep()
        let monteCarlo = try OffSwitchMonteCarlo(rounds: 200)
        let one = try Self.run(sweep, threads: 1, monteCarlo: monteCarlo)
        for threads in [2, 3, 7] {
            #expect(try Self.run(sweep, threads: threads, monteCarlo: monteCarlo, chunkSize: 13) == one)
        }
        #expect(one.split(separator: "\n").count == 1 + sweep.count)
        #expect(one.hasPrefix("prior,mu,sigma,human,beta,eu_act,eu_off,eu_wait,delta,p_allow,best_action,mc_rounds,"))
    }

    @Test func rowsMatchSingleGames() throws {
        let sweep = try Self.sweep()
        let table = try CSVReader.parse(try Self.run(sweep, threads: 2))
        for index in [0, 17, 400, sweep.count - 1] {
            let (parameters, solution) = try sweep.solve(at: index)
            let row = table.rows[index]
            #expect(Double(row[1]) == parameters[.mu] && Double(row[2]) == parameters[.sigma] && Double(row[4]) == parameters[.beta])
            #expect(Double(row[7]) == solution.euWait && Double(row[8]) == solution.delta && row[10] == solution.best.description)
        }
    }

    @Test func mergedShardsEqualTheUnshardedSweep() throws {
        let sweep = try Self.sweep()
        let whole = try Self.run(sweep, threads: 2)
        for n in [1, 3, 5] {
            var paths: [String] = []
            for k in (1...n).reversed() {   // merge must not depend on the order given
                let range = Sweep.shardRange(k, of: n, count: sweep.count)
                let header = ShardHeader(index: k, count: n, rows: range, total: sweep.count, fingerprint: "abc")
                let path = try OutputFileTests.temporaryDirectory() + "/part-\(k).csv"
                try Self.writeShard(sweep, header, threads: 2, to: path)
                paths.append(path)
            }
            let merged = try OutputFileTests.temporaryDirectory() + "/merged.csv"
            let output = try OutputFile(path: merged)
            #expect(try ShardMerge.merge(paths, into: output) == sweep.count)
            try output.commit()
            #expect(try String(contentsOfFile: merged, encoding: .utf8) == whole)
        }
    }

    @Test func mergeRefusesIncompleteOrForeignShards() throws {
        let sweep = try Self.sweep()
        func shard(_ k: Int, _ n: Int, fingerprint: String = "abc", edit: @escaping (String) -> String = { $0 }) throws -> String {
            let range = Sweep.shardRange(k, of: n, count: sweep.count)
            let header = ShardHeader(index: k, count: n, rows: range, total: sweep.count, fingerprint: fingerprint)
            let path = try OutputFileTests.temporaryDirectory() + "/s\(k).csv"
            try Self.writeShard(sweep, header, threads: 1, to: path, edit: edit)
            return path
        }
        func mergeError(_ paths: [String]) -> String {
            do {
                _ = try ShardMerge.merge(paths, into: try OutputFile(path: try OutputFileTests.temporaryDirectory() + "/m.csv"))
                return "no error"
            } catch { return "\(error)" }
        }
        #expect(mergeError([try shard(1, 3), try shard(3, 3)]).contains("missing shard(s) 2 of 3"))
        #expect(mergeError([try shard(1, 2), try shard(2, 2, fingerprint: "zzz")]).contains("another sweep"))
        // A shard cut short (its last six bytes) or with one digit changed is refused: the record vouches for the bytes.
        #expect(mergeError([try shard(1, 2), try shard(2, 2, edit: { String($0.dropLast(6)) })]).contains("the shard was cut or altered"))
        #expect(mergeError([try shard(1, 2), try shard(2, 2, edit: { $0.replacingOccurrences(of: "wait", with: "waiT") })]).contains("the shard was cut or altered"))
        #expect(mergeError([try shard(1, 2), try shard(1, 2)]).contains("given twice"))
        let plain = try OutputFileTests.temporaryDirectory() + "/plain.csv"
        try OutputFile.write("a,b\n1,2\n", to: plain)
        #expect(mergeError([plain]).contains("not a shard: no record beside it"))
        #expect(mergeError(["/no/such.csv"]).contains("no such file"))
    }

    @Test func shardHeadersRoundTrip() {
        var header = ShardHeader(index: 3, count: 8, rows: 250..<375, total: 1000, fingerprint: ShardHeader.fingerprint(of: "x"))
        header.bytes = 123
        header.digest = ShardHeader.fingerprint(of: "y")
        #expect(ShardHeader(parsing: String(header.line.dropLast())) == header)
        #expect(ShardHeader(parsing: "safetykit-shard 3/8 rows 5..<2 of 10 sweep f bytes 1 digest d") == nil)
        // FNV-1a 64 of "a" (the published test vector).
        #expect(ShardHeader.fingerprint(of: "a") == "af63dc4c8601ec8c")
        #expect(ShardHeader.fingerprint(of: "a") != ShardHeader.fingerprint(of: "b"))
    }
}
