import SafetyKitNumerics

/// Writes RFC 4180 CSV: fields that hold a comma, a quote, CR or LF are quoted with inner
/// quotes doubled; records end in LF. Numbers use `CSVNumber`, which reads back exactly.
package enum CSVWriter {
    /// One field, quoted only if it needs to be.
    package static func field(_ text: String) -> String {
        let needsQuotes = text.utf8.contains { $0 == UInt8(ascii: ",") || $0 == UInt8(ascii: "\"") || $0 == 10 || $0 == 13 }
        guard needsQuotes else { return text }
        return "\"" + text.replacingOccurrences(of: "\"", with: "\"\"") + "\""
    }

    /// One record, with its line feed.
    package static func record(_ fields: [String]) -> String {
        fields.map(field).joined(separator: ",") + "\n"
    }
}

/// Number formatting for tables: the shortest decimal that reads back as the same Double
/// (Swift's own algorithm), integers without a trailing ".0", and no negative zero.
package enum CSVNumber {
    package static func format(_ value: Double) -> String { DecimalText.shortest(value) }
}
