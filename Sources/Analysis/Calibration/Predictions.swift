/// Pairs of a stated confidence c in [0, 1] that an answer is right and whether it was (o).
public struct Predictions: Sendable {
    public let confidences: [Double]
    public let correct: [Bool]

    public var count: Int { confidences.count }

    /// Validates the pairs: equal lengths, at least one pair, confidences finite and in [0, 1].
    public init(confidences: [Double], correct: [Bool]) throws(AnalysisError) {
        guard confidences.count == correct.count else {
            throw .badData(location: "predictions", message: "\(confidences.count) confidences but \(correct.count) outcomes")
        }
        guard !confidences.isEmpty else { throw .badData(location: "predictions", message: "no predictions to evaluate") }
        for (i, c) in confidences.enumerated() where !(c >= 0 && c <= 1) {
            throw .badData(location: "prediction \(i + 1)", message: "confidence \(c) is outside [0, 1]")
        }
        self.confidences = confidences
        self.correct = correct
    }

    /// Reads the two columns of a table. Confidence must be a number in [0, 1] (never clipped
    /// silently); correctness must be 0/1 or true/false. Errors name the line and column.
    public init(table: CSVTable, confidenceColumn: String, correctColumn: String, rows: [Int]? = nil) throws(AnalysisError) {
        let ci = try table.columnIndex(confidenceColumn), oi = try table.columnIndex(correctColumn)
        let indices = rows ?? Array(table.rows.indices)
        var confidences: [Double] = [], correct: [Bool] = []
        confidences.reserveCapacity(indices.count)
        correct.reserveCapacity(indices.count)
        for r in indices {
            let row = table.rows[r], line = table.lines[r]
            let text = row[ci].trimmingCharacters(in: .whitespaces)
            guard let c = Double(text), c.isFinite else {
                throw .badData(location: "\(table.source):\(line):\(ci + 1)", message: "confidence '\(text)' is not a number; expected a probability in [0, 1]")
            }
            guard c >= 0 && c <= 1 else {
                throw .badData(location: "\(table.source):\(line):\(ci + 1)", message: "confidence \(text) is outside [0, 1] (values are never clipped)")
            }
            let flag = row[oi].trimmingCharacters(in: .whitespaces).lowercased()
            switch flag {
            case "1", "true", "1.0": correct.append(true)
            case "0", "false", "0.0": correct.append(false)
            default:
                throw .badData(location: "\(table.source):\(line):\(oi + 1)", message: "correctness '\(row[oi])' is not 0/1 or true/false")
            }
            confidences.append(c)
        }
        try self.init(confidences: confidences, correct: correct)
    }
}

import Foundation
