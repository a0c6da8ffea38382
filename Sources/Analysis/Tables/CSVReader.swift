import Foundation

/// An RFC 4180 CSV reader: fields separated by commas, records by LF or CRLF; a field in double
/// quotes may hold commas, line breaks and doubled quotes (""). A UTF-8 byte-order mark is
/// skipped. The first record is the header; every record must have as many fields as it.
public enum CSVReader {
    /// Reads and parses a file. Errors: missing file (66), bad data with line and column (65).
    public static func read(path: String) throws(AnalysisError) -> CSVTable {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw .missingFile(path: path)
        }
        return try parse(Array(data), source: path)
    }

    /// Parses CSV text.
    public static func parse(_ text: String, source: String = "<input>") throws(AnalysisError) -> CSVTable {
        try parse(Array(text.utf8), source: source)
    }

    /// Parses CSV bytes (UTF-8).
    public static func parse(_ bytes: [UInt8], source: String) throws(AnalysisError) -> CSVTable {
        let quote = UInt8(ascii: "\""), comma = UInt8(ascii: ","), lf = UInt8(ascii: "\n"), cr = UInt8(ascii: "\r")
        var records: [[String]] = []
        var starts: [Int] = []
        var fields: [String] = []
        var field: [UInt8] = []
        var line = 1, column = 1
        var recordLine = 1
        var i = bytes.starts(with: [0xEF, 0xBB, 0xBF]) ? 3 : 0
        var fieldStarted = false

        func endField() throws(AnalysisError) {
            guard let text = String(validating: field, as: UTF8.self) else {
                throw .badData(location: "\(source):\(line):\(column)", message: "a field is not valid UTF-8")
            }
            fields.append(text)
            field.removeAll(keepingCapacity: true)
        }
        func endRecord() {
            records.append(fields)
            starts.append(recordLine)
            fields = []
        }

        while i < bytes.count {
            let byte = bytes[i]
            if byte == quote && field.isEmpty && !fieldStarted {
                // A quoted field: read to the closing quote.
                let openLine = line, openColumn = column
                i += 1; column += 1
                var closed = false
                while i < bytes.count {
                    let b = bytes[i]
                    if b == quote {
                        if i + 1 < bytes.count && bytes[i + 1] == quote {
                            field.append(quote); i += 2; column += 2
                            continue
                        }
                        i += 1; column += 1
                        closed = true
                        break
                    }
                    if b == lf { line += 1; column = 1 } else { column += 1 }
                    field.append(b)
                    i += 1
                }
                guard closed else {
                    throw .badData(location: "\(source):\(openLine):\(openColumn)", message: "a quoted field is never closed")
                }
                fieldStarted = true
                // After a closing quote only a separator or the end of the record may follow.
                if i < bytes.count && bytes[i] != comma && bytes[i] != lf && bytes[i] != cr {
                    throw .badData(location: "\(source):\(line):\(column)", message: "unexpected character after a closing quote")
                }
                continue
            }
            switch byte {
            case comma:
                try endField(); fieldStarted = false
                i += 1; column += 1
            case cr where i + 1 < bytes.count && bytes[i + 1] == lf:
                i += 1
            case lf, cr:
                try endField(); fieldStarted = false
                endRecord()
                i += 1; line += 1; column = 1
                recordLine = line
            case quote:
                throw .badData(location: "\(source):\(line):\(column)", message: "a quote inside an unquoted field (quote the whole field and double the quote)")
            default:
                field.append(byte); fieldStarted = true
                i += 1; column += 1
            }
        }
        if fieldStarted || !fields.isEmpty || !field.isEmpty {
            try endField()
            endRecord()
        }
        // Blank lines (a record with one empty field) carry nothing; skip them.
        var kept: [[String]] = [], keptLines: [Int] = []
        for (record, start) in zip(records, starts) where !(record.count == 1 && record[0].isEmpty) {
            kept.append(record); keptLines.append(start)
        }
        guard let header = kept.first else {
            throw .badData(location: source, message: "the file is empty; expected a header row and data rows")
        }
        for (record, start) in zip(kept.dropFirst(), keptLines.dropFirst()) where record.count != header.count {
            throw .badData(location: "\(source):\(start)", message: "expected \(header.count) fields as in the header, found \(record.count)")
        }
        guard kept.count > 1 else {
            throw .badData(location: source, message: "the file has a header but no data rows")
        }
        return CSVTable(source: source, header: header, rows: Array(kept.dropFirst()), lines: Array(keptLines.dropFirst()))
    }
}
