import Foundation

/// Predictions read straight from a CSV file's bytes: confidences parsed without building a
/// String per cell where the text allows, outcomes compared byte-wise, optional groups.
/// Ten million rows read in about a second and take 9 bytes each, where a table of Strings takes
/// hundreds. Errors name the file, line and column.
public struct PredictionTable: Sendable {
    /// The groups in order of first appearance (one unnamed group without a group column).
    public let groups: [(name: String?, predictions: Predictions)]

    /// Reads a CSV file with a header row; `groupColumn` splits the rows into groups.
    /// Throws `AnalysisError.badData` naming the line and column of the first bad cell.
    public static func read(path: String, confidenceColumn: String, correctColumn: String,
                            groupColumn: String? = nil) throws(AnalysisError) -> PredictionTable {
        guard let data = FileManager.default.contents(atPath: path) else { throw .missingFile(path: path) }
        return try parse(Array(data), source: path, confidenceColumn: confidenceColumn, correctColumn: correctColumn, groupColumn: groupColumn)
    }

    /// Parses CSV bytes; `source` names them in errors ("<stdin>" for standard input).
    public static func parse(_ bytes: [UInt8], source path: String, confidenceColumn: String, correctColumn: String,
                             groupColumn: String? = nil) throws(AnalysisError) -> PredictionTable {
        var scanner = CSVReader.Scanner(bytes: bytes, source: path)
        guard let (header, _) = try scanner.nextRecord(keeping: nil) else {
            throw .badData(location: path, message: "the file is empty; expected a header row and data rows")
        }
        func index(_ name: String) throws(AnalysisError) -> Int {
            guard let i = header.firstIndex(of: name) else {
                throw .badData(location: "\(path):1", message: "no column '\(name)'; the columns are: \(header.joined(separator: ", "))")
            }
            return i
        }
        let ci = try index(confidenceColumn), oi = try index(correctColumn)
        let gi = try groupColumn.map { name throws(AnalysisError) in try index(name) }
        var builder = Builder()
        var rows = 0
        while let (fields, line) = try scanner.nextRecordBytes(keeping: [ci, oi] + (gi.map { [$0] } ?? []), expecting: header.count) {
            rows += 1
            let trimmed = Self.trim(fields[0])
            guard let c = Self.number(trimmed) else {
                throw .badData(location: "\(path):\(line):\(ci + 1)", message: "confidence '\(String(decoding: trimmed, as: UTF8.self))' is not a number; expected a probability in [0, 1]")
            }
            guard c >= 0 && c <= 1 else {
                throw .badData(location: "\(path):\(line):\(ci + 1)", message: "confidence \(String(decoding: trimmed, as: UTF8.self)) is outside [0, 1] (values are never clipped)")
            }
            guard let o = Self.flag(Self.trim(fields[1])) else {
                throw .badData(location: "\(path):\(line):\(oi + 1)", message: "correctness '\(String(decoding: fields[1], as: UTF8.self))' is not 0/1 or true/false")
            }
            builder.append(confidence: c, correct: o, group: gi == nil ? nil : String(decoding: fields[2], as: UTF8.self))
        }
        guard rows > 0 else { throw .badData(location: path, message: "the file has a header but no data rows") }
        return try builder.table()
    }

    /// Predictions collected one at a time into groups in order of first appearance (a nil
    /// group: the one unnamed group), for every reader of predictions.
    struct Builder {
        private var names: [String?] = []
        private var index: [String: Int] = [:]
        private var confidences: [[Double]] = []
        private var correct: [[Bool]] = []

        /// Adds one prediction to `group`.
        mutating func append(confidence: Double, correct right: Bool, group: String?) {
            let k: Int
            if let group {
                if let i = index[group] { k = i } else { k = names.count; index[group] = k; open(group) }
            } else {
                if names.isEmpty { open(nil) }
                k = 0
            }
            confidences[k].append(confidence)
            correct[k].append(right)
        }

        private mutating func open(_ name: String?) {
            names.append(name)
            confidences.append([])
            correct.append([])
        }

        /// The table; each group's predictions are checked as `Predictions` checks them.
        func table() throws(AnalysisError) -> PredictionTable {
            var groups: [(name: String?, predictions: Predictions)] = []
            for k in names.indices { groups.append((names[k], try Predictions(confidences: confidences[k], correct: correct[k]))) }
            return PredictionTable(groups: groups)
        }
    }

    static func trim(_ field: ArraySlice<UInt8>) -> ArraySlice<UInt8> {
        var s = field
        while let first = s.first, first == 32 || first == 9 { s = s.dropFirst() }
        while let last = s.last, last == 32 || last == 9 { s = s.dropLast() }
        return s
    }

    /// 0/1 (also 0.0/1.0) or true/false in any case.
    static func flag(_ field: ArraySlice<UInt8>) -> Bool? {
        switch field.count {
        case 1: return field.first == 49 ? true : field.first == 48 ? false : nil
        case 3 where field.elementsEqual("1.0".utf8): return true
        case 3 where field.elementsEqual("0.0".utf8): return false
        case 4 where field.map({ $0 | 0x20 }).elementsEqual("true".utf8): return true
        case 5 where field.map({ $0 | 0x20 }).elementsEqual("false".utf8): return false
        default: return nil
        }
    }

    /// A finite number. Short plain decimals (at most 15 significant digits, no exponent) are
    /// exact by Clinger's fast path: an integer below 2^53 divided by an exact power of ten is
    /// correctly rounded. Longer ones go to glibc's strtod (correctly rounded), and anything it
    /// does not take whole to Swift's own parser.
    static func number(_ field: ArraySlice<UInt8>) -> Double? {
        var mantissa: UInt64 = 0, digits = 0, fraction = 0, seenPoint = false, negative = false, sawDigit = false
        var simple = !field.isEmpty
        for (k, byte) in field.enumerated() {
            switch byte {
            case 48...57:
                sawDigit = true
                if mantissa == 0 && byte == 48 && !seenPoint { continue }
                mantissa = mantissa &* 10 &+ UInt64(byte - 48)
                if mantissa > 0 { digits += 1 }
                if seenPoint { fraction += 1 }
            case 46 where !seenPoint: seenPoint = true
            case 45 where k == 0: negative = true
            case 43 where k == 0: break
            default: simple = false
            }
            if !simple || digits > 15 { simple = false; break }
        }
        if simple && sawDigit && fraction <= 22 {
            let value = Double(mantissa) / powersOfTen[fraction]
            return negative ? -value : value
        }
        // strtod on a NUL-terminated stack copy, accepted only if it consumed the whole field: in a
        // locale whose decimal mark is not '.', it stops early and Swift's parser (always '.') decides.
        if field.count < 64 {
            let parsed: Double? = withUnsafeTemporaryAllocation(of: CChar.self, capacity: field.count + 1) { buffer in
                for (k, byte) in field.enumerated() { buffer[k] = CChar(bitPattern: byte) }
                buffer[field.count] = 0
                var end: UnsafeMutablePointer<CChar>? = nil
                let value = strtod(buffer.baseAddress!, &end)
                return end.map { $0 - buffer.baseAddress! } == field.count ? value : nil
            }
            if let parsed { return parsed.isFinite ? parsed : nil }
        }
        guard let value = Double(String(decoding: field, as: UTF8.self)), value.isFinite else { return nil }
        return value
    }

    /// 10^0 … 10^22, all exact in a Double.
    static let powersOfTen: [Double] = (0...22).map { k in (0..<k).reduce(1.0) { x, _ in x * 10 } }
}
