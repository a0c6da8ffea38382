import Foundation

/// The record of one shard of a sweep, kept beside its CSV file as `FILE.shard` (so the CSV itself
/// stays plain, readable by `plot`, pandas or any CSV reader):
/// `safetykit-shard K/N rows A..<B of T sweep F bytes S digest D`, where F fingerprints the
/// sweep's definition and D is a 64-bit FNV-1a digest of the CSV's S bytes. `merge` uses it to
/// put shards in order, to check that none is missing or from another sweep, and to refuse a
/// shard whose content was cut or altered after it was written.
package struct ShardHeader: Sendable, Equatable {
    package var index: Int
    package var count: Int
    package var rows: Range<Int>
    package var total: Int
    package var fingerprint: String
    /// The CSV's size and digest, once sealed (`seal(csvAt:)`).
    package var bytes: Int = 0
    package var digest: String = ""

    package init(index: Int, count: Int, rows: Range<Int>, total: Int, fingerprint: String) {
        self.index = index
        self.count = count
        self.rows = rows
        self.total = total
        self.fingerprint = fingerprint
    }

    static let prefix = "safetykit-shard "

    /// The record's path beside a shard's CSV.
    package static func recordPath(for csvPath: String) -> String { csvPath + ".shard" }

    /// The record's line, with its line feed.
    package var line: String {
        "\(Self.prefix)\(index)/\(count) rows \(rows.lowerBound)..<\(rows.upperBound) of \(total) sweep \(fingerprint) bytes \(bytes) digest \(digest)\n"
    }

    /// Parses a record line; nil if the line is not one.
    package init?(parsing line: String) {
        guard line.hasPrefix(Self.prefix) else { return nil }
        let words = line.dropFirst(Self.prefix.count).split(separator: " ")
        guard words.count == 11, words[1] == "rows", words[3] == "of", words[5] == "sweep", words[7] == "bytes", words[9] == "digest" else { return nil }
        let kn = words[0].split(separator: "/"), bounds = words[2].components(separatedBy: "..<")
        guard kn.count == 2, let k = Int(kn[0]), let n = Int(kn[1]), bounds.count == 2,
              let a = Int(bounds[0]), let b = Int(bounds[1]), a <= b, let t = Int(words[4]), let size = Int(words[8]) else { return nil }
        self.init(index: k, count: n, rows: a..<b, total: t, fingerprint: String(words[6]))
        bytes = size
        digest = String(words[10])
    }

    /// Records the finished CSV at `csvPath` (its size and digest) in the record beside it,
    /// written atomically.
    package func seal(csvAt csvPath: String) throws(AnalysisError) {
        guard let data = FileManager.default.contents(atPath: csvPath) else { throw .missingFile(path: csvPath) }
        var sealed = self
        sealed.bytes = data.count
        sealed.digest = Self.fingerprint(of: data)
        try OutputFile.write(sealed.line, to: Self.recordPath(for: csvPath))
    }

    /// A 64-bit FNV-1a hash of a canonical description, as 16 hex digits.
    package static func fingerprint(of description: String) -> String { fingerprint(of: Data(description.utf8)) }

    /// A 64-bit FNV-1a hash of bytes, as 16 hex digits.
    package static func fingerprint(of bytes: Data) -> String {
        var hash: UInt64 = 0xCBF2_9CE4_8422_2325
        bytes.withUnsafeBytes { raw in
            for byte in raw {
                hash ^= UInt64(byte)
                hash = hash &* 0x0000_0100_0000_01B3
            }
        }
        let hex = String(hash, radix: 16)
        return String(repeating: "0", count: 16 - hex.count) + hex
    }
}
