import Foundation
import Testing
@testable import SafetyKitReasoner

@Suite("Checkpoints")
struct CheckpointTests {
    static func sample() throws -> Checkpoint {
        let model = try TransformerModel(configuration: TrainingTests.small, seed: 9)
        var adam = AdamW(parameterCount: model.parameterCount)
        adam.step = 12
        adam.m[3] = 0.5
        return Checkpoint(model: model, vocabulary: .standard, optimizer: adam, metadata: ["task": "addition", "steps": "12"])
    }

    static func directory() throws -> String {
        let path = NSTemporaryDirectory() + "safetykit-ckpt-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        return path
    }

    @Test func roundTrip() throws {
        let path = try Self.directory() + "/m.ckpt"
        let original = try Self.sample()
        try original.write(to: path)
        let read = try Checkpoint.read(path: path)
        #expect(read.model.parameters == original.model.parameters)
        #expect(read.model.configuration == original.model.configuration)
        #expect(read.vocabulary == .standard && read.metadata == original.metadata)
        #expect(read.optimizer?.step == 12 && read.optimizer?.m == original.optimizer?.m)
        let withoutOptimizer = Checkpoint(model: original.model, vocabulary: .standard)
        #expect(try Checkpoint.decode(withoutOptimizer.encoded(), path: "x").optimizer == nil)
    }

    @Test func rotaryConfigurationsRoundTripAndOldHeadersMeanLearnedPositions() throws {
        var configuration = ModelConfiguration(vocabularySize: Vocabulary.standard.count, contextLength: 16, width: 8, depth: 1, heads: 2)
        let learned = try JSONEncoder().encode(configuration)
        #expect(!String(decoding: learned, as: UTF8.self).contains("rotary"))     // old headers stay byte for byte
        #expect(try JSONDecoder().decode(ModelConfiguration.self, from: learned).rotary == false)
        configuration.rotary = true
        let path = try Self.directory() + "/r.ckpt"
        try Checkpoint(model: try TransformerModel(configuration: configuration, seed: 1), vocabulary: .standard).write(to: path)
        #expect(try Checkpoint.read(path: path).model.configuration.rotary)
        configuration.heads = 8   // head size 1: nothing to pair
        #expect(throws: ReasonerError.self) { try configuration.validate() }
    }

    @Test func damagedFilesAreClearErrors() throws {
        let bytes = try Self.sample().encoded()
        func reason(_ data: [UInt8]) -> String {
            do { _ = try Checkpoint.decode(data, path: "m.ckpt"); return "no error" } catch { return error.description }
        }
        #expect(reason(Array(bytes.prefix(bytes.count / 2))).contains("checksum does not match"))
        #expect(reason(Array(bytes.prefix(10))).contains("signature"))
        #expect(reason([]).contains("signature"))
        var flipped = bytes
        flipped[bytes.count / 2] ^= 0x40
        #expect(reason(flipped).contains("checksum does not match"))
        // Another version, with a valid checksum: refused by version, not by checksum.
        var other = Array(bytes.prefix(bytes.count - 8))
        other[8] = 2
        var hash = Checkpoint.checksum(other[...])
        for _ in 0..<8 { other.append(UInt8(hash & 0xFF)); hash >>= 8 }
        #expect(reason(other).contains("version 2"))
        #expect(reason(Array("not a checkpoint at all, just text".utf8)).contains("signature"))
        #expect(throws: ReasonerError.missingCheckpoint(path: "/no/such.ckpt")) { try Checkpoint.read(path: "/no/such.ckpt") }
    }
}
