import Foundation

/// An RFC 4180 CSV reader: fields separated by commas, records by LF or CRLF; a field in double
/// quotes may hold commas, line breaks and doubled quotes (""). A UTF-8 byte-order mark is
/// skipped, and so are blank lines. The first record is the header; every record must have as
/// many fields as it. Errors name the file, line and column.
///
/// Reading only some columns (`columns:`) materialises just those fields, which keeps a file of
/// ten million rows cheap to read.
package enum CSVReader {
    /// Reads and parses a file: every column, or only the named ones (in the order named).
    /// Errors: missing file (66), bad data with line and column (65).
    package static func read(path: String, columns: [String]? = nil) throws(AnalysisError) -> CSVTable {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw .missingFile(path: path)
        }
        return try parse(Array(data), source: path, columns: columns)
    }

    /// Parses CSV text.
    package static func parse(_ text: String, source: String = "<input>", columns: [String]? = nil) throws(AnalysisError) -> CSVTable {
        try parse(Array(text.utf8), source: source, columns: columns)
    }

    /// Parses CSV bytes (UTF-8).
    package static func parse(_ bytes: [UInt8], source: String, columns: [String]? = nil) throws(AnalysisError) -> CSVTable {
        var scanner = Scanner(bytes: bytes, source: source)
        guard let (header, _) = try scanner.nextRecord(keeping: nil) else {
            throw .badData(location: source, message: "the file is empty; expected a header row and data rows")
        }
        var keep: [Int]? = nil
        var names = header
        if let columns {
            var indices: [Int] = []
            for name in columns {
                guard let index = header.firstIndex(of: name) else {
                    throw .badData(location: "\(source):1", message: "no column '\(name)'; the columns are: \(header.joined(separator: ", "))")
                }
                indices.append(index)
            }
            keep = indices
            names = columns
        }
        var rows: [[String]] = []
        var lines: [Int] = []
        while let (fields, line) = try scanner.nextRecord(keeping: keep, expecting: header.count) {
            rows.append(fields)
            lines.append(line)
        }
        guard !rows.isEmpty else {
            throw .badData(location: source, message: "the file has a header but no data rows")
        }
        return CSVTable(source: source, header: names, rows: rows, lines: lines)
    }

    /// The state machine over the bytes, one record at a time.
    struct Scanner {
        let bytes: [UInt8]
        let source: String
        var i: Int
        var line = 1
        /// Where the current line starts, for column numbers in errors.
        var lineBegin: Int

        init(bytes: [UInt8], source: String) {
            self.bytes = bytes
            self.source = source
            i = bytes.starts(with: [0xEF, 0xBB, 0xBF]) ? 3 : 0
            lineBegin = i
        }

        static let quote = UInt8(ascii: "\""), comma = UInt8(ascii: ","), lf = UInt8(ascii: "\n"), cr = UInt8(ascii: "\r")

        /// The next non-blank record as Strings (see `nextRecordBytes`).
        mutating func nextRecord(keeping: [Int]?, expecting: Int? = nil) throws(AnalysisError) -> ([String], Int)? {
            guard let (fields, line) = try nextRecordBytes(keeping: keeping, expecting: expecting) else { return nil }
            var strings: [String] = []
            strings.reserveCapacity(fields.count)
            for field in fields { strings.append(try text(field, line)) }
            return (strings, line)
        }

        /// The next non-blank record: the kept fields' bytes (all if `keeping` is nil, else those
        /// indices in that order; quoted fields unescaped) and the line it starts on; nil at the
        /// end. With `expecting`, a record with another number of fields is an error.
        mutating func nextRecordBytes(keeping: [Int]?, expecting: Int? = nil) throws(AnalysisError) -> ([ArraySlice<UInt8>], Int)? {
            while i < bytes.count {
                let start = line
                var fields: [ArraySlice<UInt8>] = []
                var kept = [ArraySlice<UInt8>](repeating: [], count: keeping?.count ?? 0)
                var index = 0
                var blank = true
                var endOfRecord = false
                while !endOfRecord {
                    let wanted = keeping?.contains(index) ?? true
                    let (value, nonEmpty) = try field(materialize: wanted)
                    if nonEmpty { blank = false }
                    if let keeping {
                        // A column may be asked for more than once.
                        for (k, column) in keeping.enumerated() where column == index { kept[k] = value }
                    } else {
                        fields.append(value)
                    }
                    index += 1
                    if i >= bytes.count { endOfRecord = true; break }
                    let byte = bytes[i]
                    if byte == Self.comma { i += 1; continue }
                    // CR, LF or CRLF ends the record.
                    if byte == Self.cr && i + 1 < bytes.count && bytes[i + 1] == Self.lf { i += 1 }
                    i += 1
                    line += 1
                    lineBegin = i
                    endOfRecord = true
                }
                if blank && index == 1 { continue }   // a blank line carries nothing
                if let expecting, index != expecting {
                    throw .badData(location: "\(source):\(start)", message: "expected \(expecting) fields as in the header, found \(index)")
                }
                return (keeping == nil ? fields : kept, start)
            }
            return nil
        }

        /// Reads one field, leaving `i` at the separator or line end after it. Unquoted fields are
        /// slices of the input (no copy); quoted ones are unescaped into a new array.
        private mutating func field(materialize: Bool) throws(AnalysisError) -> (ArraySlice<UInt8>, Bool) {
            if i < bytes.count && bytes[i] == Self.quote {
                let openLine = line, openColumn = i - lineBegin + 1
                i += 1
                var value: [UInt8] = []
                while true {
                    guard i < bytes.count else {
                        throw .badData(location: "\(source):\(openLine):\(openColumn)", message: "a quoted field is never closed")
                    }
                    let b = bytes[i]
                    if b == Self.quote {
                        if i + 1 < bytes.count && bytes[i + 1] == Self.quote {
                            if materialize { value.append(Self.quote) }
                            i += 2
                            continue
                        }
                        i += 1
                        break
                    }
                    if materialize { value.append(b) }
                    i += 1
                    if b == Self.lf { line += 1; lineBegin = i }
                }
                if i < bytes.count && bytes[i] != Self.comma && bytes[i] != Self.lf && bytes[i] != Self.cr {
                    throw .badData(location: "\(source):\(line):\(i - lineBegin + 1)", message: "unexpected character after a closing quote")
                }
                return (value[...], true)
            }
            let start = i
            while i < bytes.count {
                let b = bytes[i]
                if b == Self.comma || b == Self.lf || b == Self.cr { break }
                if b == Self.quote {
                    throw .badData(location: "\(source):\(line):\(i - lineBegin + 1)",
                                   message: "a quote inside an unquoted field (quote the whole field and double the quote)")
                }
                i += 1
            }
            return (bytes[start..<i], i > start)
        }

        func text(_ slice: ArraySlice<UInt8>, _ line: Int) throws(AnalysisError) -> String {
            guard let value = String(validating: slice, as: UTF8.self) else {
                throw .badData(location: "\(source):\(line)", message: "a field is not valid UTF-8")
            }
            return value
        }
    }
}
