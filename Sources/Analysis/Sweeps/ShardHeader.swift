import Foundation

/// The first line of a shard file: `# safetykit-shard K/N rows A..<B of T sweep F`, where F
/// fingerprints the sweep's definition. `merge` uses it to put shards in order, to check that
/// none is missing or from another sweep, and to check each shard's row count.
package struct ShardHeader: Sendable, Equatable {
    package var index: Int
    package var count: Int
    package var rows: Range<Int>
    package var total: Int
    package var fingerprint: String

    package init(index: Int, count: Int, rows: Range<Int>, total: Int, fingerprint: String) {
        self.index = index
        self.count = count
        self.rows = rows
        self.total = total
        self.fingerprint = fingerprint
    }

    static let prefix = "# safetykit-shard "

    /// The line, with its line feed.
    package var line: String {
        "\(Self.prefix)\(index)/\(count) rows \(rows.lowerBound)..<\(rows.upperBound) of \(total) sweep \(fingerprint)\n"
    }

    /// Parses a shard line; nil if the line is not one.
    package init?(parsing line: String) {
        guard line.hasPrefix(Self.prefix) else { return nil }
        let words = line.dropFirst(Self.prefix.count).split(separator: " ")
        guard words.count == 7, words[1] == "rows", words[3] == "of", words[5] == "sweep" else { return nil }
        let kn = words[0].split(separator: "/"), bounds = words[2].components(separatedBy: "..<")
        guard kn.count == 2, let k = Int(kn[0]), let n = Int(kn[1]), bounds.count == 2,
              let a = Int(bounds[0]), let b = Int(bounds[1]), a <= b, let t = Int(words[4]) else { return nil }
        self.init(index: k, count: n, rows: a..<b, total: t, fingerprint: String(words[6]))
    }

    /// A 64-bit FNV-1a hash of a canonical description, as 16 hex digits.
    package static func fingerprint(of description: String) -> String {
        var hash: UInt64 = 0xCBF2_9CE4_8422_2325
        for byte in description.utf8 {
            hash ^= UInt64(byte)
            hash = hash &* 0x0000_0100_0000_01B3
        }
        let hex = String(hash, radix: 16)
        return String(repeating: "0", count: 16 - hex.count) + hex
    }
}
