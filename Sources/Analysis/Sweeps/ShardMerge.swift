import Foundation

/// Joins shard files into exactly the output the unsharded sweep would have written.
package enum ShardMerge {
    /// Checks the shards (same sweep, every K from 1 to N once, matching headers and row counts)
    /// and writes the header once followed by every shard's rows in order.
    /// Returns the number of rows written.
    @discardableResult
    package static func merge(_ paths: [String], into output: OutputFile) throws(AnalysisError) -> Int {
        guard !paths.isEmpty else { throw .badData(location: "merge", message: "no shard files given") }
        var shards: [(header: ShardHeader, path: String, lines: [Substring])] = []
        for path in paths {
            guard let data = FileManager.default.contents(atPath: path) else { throw .missingFile(path: path) }
            guard let text = String(data: data, encoding: .utf8) else {
                throw .badData(location: path, message: "not UTF-8 text")
            }
            let lines = text.split(separator: "\n", omittingEmptySubsequences: false)
            guard let first = lines.first, let header = ShardHeader(parsing: String(first)) else {
                throw .badData(location: "\(path):1", message: "not a shard file: expected the '# safetykit-shard K/N ...' line that a sharded sweep writes first")
            }
            shards.append((header, path, Array(lines.dropFirst())))
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
                throw .badData(location: "\(shard.path):2", message: "the shard has no header row")
            }
            if let columns, columns != header {
                throw .badData(location: "\(shard.path):2", message: "the header differs from the first shard's")
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
