import Foundation
import Testing
@testable import SafetyKitAnalysis

@Suite("RFC 4180 CSV")
struct CSVTests {
    @Test func hostileFieldsRoundTrip() throws {
        let rows = [["plain", "with,comma", "with \"quotes\""], ["multi\nline", "crlf\r\nend", ""], ["  spaced  ", "ünïcödé", "\"\""]]
        let text = CSVWriter.record(["a", "b", "c"]) + rows.map(CSVWriter.record).joined()
        let table = try CSVReader.parse(text)
        #expect(table.header == ["a", "b", "c"])
        #expect(table.rows == rows)
        #expect(table.lines == [2, 3, 6])   // the second record spans three lines inside its quotes
    }

    @Test func crlfAndBOMAndBlankLines() throws {
        let bytes: [UInt8] = [0xEF, 0xBB, 0xBF] + Array("x,y\r\n1,2\r\n\r\n3,4".utf8)
        let table = try CSVReader.parse(bytes, source: "t.csv")
        #expect(table.header == ["x", "y"])
        #expect(table.rows == [["1", "2"], ["3", "4"]])
        #expect(try table.numbers(inColumn: "y") == [2, 4])
    }

    @Test(arguments: [
        ("", "t.csv: the file is empty"),
        ("a,b\n", "t.csv: the file has a header but no data rows"),
        ("a,b\n1,\"2\n", "t.csv:2:3: a quoted field is never closed"),
        ("a,b\n1,2\"x\n", "t.csv:2:4: a quote inside an unquoted field"),
        ("a,b\n1,\"2\"x\n", "t.csv:2:6: unexpected character after a closing quote"),
        ("a,b\n1,2\n3\n", "t.csv:3: expected 2 fields as in the header, found 1"),
    ])
    func malformedInputNamesTheLineAndColumn(text: String, message: String) {
        do {
            _ = try CSVReader.parse(Array(text.utf8), source: "t.csv")
            Issue.record("no error for \(text.debugDescription)")
        } catch {
            #expect(error.description.hasPrefix(message), "\(error.description)")
        }
    }

    @Test func numericColumnErrorsNameTheCell() throws {
        let table = try CSVReader.parse("id,x\n1,0.5\n2,abc\n", source: "d.csv")
        #expect(throws: AnalysisError.badData(location: "d.csv:3:2", message: "column 'x' has 'abc'; expected a finite number")) {
            try table.numbers(inColumn: "x")
        }
        #expect(throws: AnalysisError.self) { try table.numbers(inColumn: "missing") }
        #expect(throws: AnalysisError.missingFile(path: "/no/such/file.csv")) { try CSVReader.read(path: "/no/such/file.csv") }
    }

    @Test func jsonLinesHoldOneValuePerLine() throws {
        let path = try OutputFileTests.temporaryDirectory() + "/r.jsonl"
        let output = try OutputFile(path: path)
        let writer = JSONLinesWriter(output)
        try writer.write(.object([("text", .string("two\nlines")), ("x", .number(1.0 / 3))]))
        try writer.write(.array([.number(1e-300), .null]))
        try output.commit()
        let lines = try String(contentsOfFile: path, encoding: .utf8).split(separator: "\n")
        #expect(lines == [#"{"text":"two\nlines","x":0.3333333333333333}"#, "[1e-300,null]"])
        #expect(Double("0.3333333333333333") == 1.0 / 3)
    }

    @Test func jsonIsEscapedAndNumbersReadBack() throws {
        let value = JSONValue.object([("s", .string("a\"b\\c\nd\u{1}")), ("x", .number(0.1 + 0.2)), ("n", .number(.nan)),
                                      ("a", .array([.bool(true), .null, .number(2)]))])
        #expect(value.serialized() == #"{"s":"a\"b\\c\nd\u0001","x":0.30000000000000004,"n":null,"a":[true,null,2]}"#)
        // Foundation's parser on Linux rounds some numbers, so read ours back with Double(String).
        #expect(try JSONSerialization.jsonObject(with: Data(value.pretty().utf8)) is [String: Any])
        #expect(Double("0.30000000000000004") == 0.1 + 0.2)
    }
}
