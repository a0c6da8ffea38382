import Foundation

/// Joins shard files into exactly the output the unsharded sweep would have written.
package enum ShardMerge {
    /// Checks the shards (each CSV against its record, the same sweep, every K from 1 to N once,
    /// matching headers and row counts) and writes the header once followed by every shard's
    /// rows in order.
    /// Returns the number of rows written.
    @discardableResult
    package static func merge(_ paths: [String], into output: OutputFile) throws(AnalysisError) -> Int {
        guard !paths.isEmpty else { throw .badData(location: "merge", message: "no shard files given") }
        var shards: [(header: ShardHeader, path: String, lines: [Substring])] = []
        for path in paths {
            let recordPath = ShardHeader.recordPath(for: path)
            guard let data = FileManager.default.contents(atPath: path) else { throw .missingFile(path: path) }
            guard let recordData = FileManager.default.contents(atPath: recordPath),
                  let header = ShardHeader(parsing: String(decoding: recordData, as: UTF8.self).trimmingCharacters(in: .newlines)) else {
                throw .badData(location: path, message: "not a shard: no record beside it (\(recordPath)), which a sharded sweep writes after its CSV")
            }
            // The record vouches for the bytes: a cut or edited shard is refused, not merged.
            guard data.count == header.bytes, ShardHeader.fingerprint(of: data) == header.digest else {
                throw .badData(location: path, message: "its content does not match its record (\(header.bytes) bytes with digest \(header.digest); found \(data.count) bytes): the shard was cut or altered")
            }
            guard let text = String(data: data, encoding: .utf8) else {
                throw .badData(location: path, message: "not UTF-8 text")
            }
            shards.append((header, path, text.split(separator: "\n", omittingEmptySubsequences: false)))
        }
        let reference = shards[0].header
        for shard in shards {
            guard shard.header.fingerprint == reference.fingerprint, shard.header.count == reference.count,
                  shard.header.total == reference.total else {
                throw .badData(location: "\(shard.path):1", message: "this shard belongs to another sweep than \(shards[0].path)")
            }
        }
        shards.sort { $0.header.index < $1.header.index }
        let present = shards.map(\.header.index)
        for (a, b) in zip(shards, shards.dropFirst()) where a.header.index == b.header.index {
            throw .badData(location: "merge", message: "shard \(a.header.index)/\(reference.count) is given twice: \(a.path) and \(b.path)")
        }
        let missing = Set(1...reference.count).subtracting(present).sorted()
        guard missing.isEmpty else {
            throw .badData(location: "merge", message: "missing shard(s) \(missing.map(String.init).joined(separator: ", ")) of \(reference.count)")
        }
        var columns: Substring? = nil
        var written = 0
        for shard in shards {
            var lines = shard.lines
            if lines.last == "" { lines.removeLast() }
            guard let header = lines.first else {
                throw .badData(location: "\(shard.path):1", message: "the shard has no header row")
            }
            if let columns, columns != header {
                throw .badData(location: "\(shard.path):1", message: "the header differs from the first shard's")
            }
            if columns == nil { try output.write(String(header) + "\n"); columns = header }
            let rows = lines.dropFirst()
            guard rows.count == shard.header.rows.count else {
                throw .badData(location: shard.path, message: "expected \(shard.header.rows.count) rows, found \(rows.count): the shard is incomplete")
            }
            for row in rows { try output.write(String(row) + "\n") }
            written += rows.count
        }
        return written
    }
}
