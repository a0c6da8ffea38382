/// A parsed CSV file: a header row and records of fields, each remembering the line it began on.
package struct CSVTable: Sendable {
    /// Where the table came from, for error messages (a path, or "<stdin>").
    package let source: String
    /// The header's field names.
    package let header: [String]
    /// The records after the header.
    package let rows: [[String]]
    /// The 1-based line on which each record starts (records may span lines inside quotes).
    package let lines: [Int]

    package init(source: String, header: [String], rows: [[String]], lines: [Int]) {
        self.source = source
        self.header = header
        self.rows = rows
        self.lines = lines
    }

    /// The index of the column named `name`, or a bad-data error listing the columns there are.
    package func columnIndex(_ name: String) throws(AnalysisError) -> Int {
        guard let index = header.firstIndex(of: name) else {
            throw .badData(location: "\(source):1", message: "no column '\(name)'; the columns are: \(header.joined(separator: ", "))")
        }
        return index
    }

    /// Every value of a column as a finite number, or nil where the cell is blank (a missing
    /// value, as in run metrics that only some rows have); other text is an error.
    package func numbersOrBlank(inColumn name: String) throws(AnalysisError) -> [Double?] {
        let index = try columnIndex(name)
        var values: [Double?] = []
        values.reserveCapacity(rows.count)
        for (row, line) in zip(rows, lines) {
            let text = row[index].trimmingCharacters(in: .whitespaces)
            if text.isEmpty { values.append(nil); continue }
            guard let value = Double(text), value.isFinite else {
                throw .badData(location: "\(source):\(line):\(index + 1)",
                               message: "column '\(name)' has '\(text)'; expected a finite number or a blank")
            }
            values.append(value)
        }
        return values
    }

    /// Every value of a column as a finite number; errors name the line and column.
    package func numbers(inColumn name: String) throws(AnalysisError) -> [Double] {
        let index = try columnIndex(name)
        var values: [Double] = []
        values.reserveCapacity(rows.count)
        for (row, line) in zip(rows, lines) {
            let text = row[index].trimmingCharacters(in: .whitespaces)
            guard let value = Double(text), value.isFinite else {
                throw .badData(location: "\(source):\(line):\(index + 1)",
                               message: "column '\(name)' has '\(text)'; expected a finite number")
            }
            values.append(value)
        }
        return values
    }
}
