import Foundation
import Testing
@testable import SafetyKitAnalysis

@Suite("Atomic output files")
struct OutputFileTests {
    static func temporaryDirectory() throws -> String {
        let path = NSTemporaryDirectory() + "safetykit-tests-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        return path
    }

    @Test func nothingAppearsUntilCommit() throws {
        let directory = try Self.temporaryDirectory()
        let path = directory + "/out.csv"
        let file = try OutputFile(path: path)
        try file.write("a,b\n")
        try file.flush()
        #expect(!FileManager.default.fileExists(atPath: path))
        try file.commit()
        #expect(try String(contentsOfFile: path, encoding: .utf8) == "a,b\n")
        #expect(try FileManager.default.contentsOfDirectory(atPath: directory) == ["out.csv"])
    }

    @Test func discardLeavesTheOldFileAndNoTemporary() throws {
        let directory = try Self.temporaryDirectory()
        let path = directory + "/out.csv"
        try "old\n".write(toFile: path, atomically: false, encoding: .utf8)
        do {
            let file = try OutputFile(path: path)
            try file.write("half a row")
        }   // dropped without commit
        #expect(try String(contentsOfFile: path, encoding: .utf8) == "old\n")
        #expect(try FileManager.default.contentsOfDirectory(atPath: directory) == ["out.csv"])
    }

    @Test func unwritablePathsFailAtOnce() throws {
        #expect(throws: AnalysisError.self) { try OutputFile(path: "/no/such/directory/out.csv") }
        let directory = try Self.temporaryDirectory()
        #expect(throws: AnalysisError.cannotCreate(path: directory, reason: "it is a directory")) { try OutputFile(path: directory) }
    }
}
