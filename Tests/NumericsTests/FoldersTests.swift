import Foundation
import Testing
@testable import SafetyKitNumerics

@Suite("Folders")
struct FoldersTests {
    /// `creatable` answers what `create` would do, without making anything.
    @Test func creatableForeseesCreate() throws {
        let root = NSTemporaryDirectory() + "safetykit-folders-\(UUID().uuidString)"
        defer { try? FileManager.default.removeItem(atPath: root) }
        #expect(Folders.creatable(root + "/a/b") == nil)
        #expect(!FileManager.default.fileExists(atPath: root))            // nothing made
        #expect(Folders.create(root + "/a/b") == nil)
        #expect(Folders.creatable(root + "/a/b") == nil && Folders.creatable(root + "/a/b/") == nil)
        try Data("x".utf8).write(to: URL(fileURLWithPath: root + "/file"))
        #expect(Folders.creatable(root + "/file/c") == "\(root)/file is a file, not a folder")
        #expect(Folders.create(root + "/file/c") == "\(root)/file is a file, not a folder")
        #expect(Folders.creatable("relative-name") == nil && Folders.creatable("some/relative/path") == nil)
        #expect(Folders.creatable("/") == nil)
    }
}
