import Foundation
import Testing
@testable import SafetyKitNumerics

@Suite("Stream purposes")
struct StreamPurposeTests {
    /// StreamPurpose.swift's own declarations, read from the source: every `static let` purpose.
    static let declared: [String] = {
        let source = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("Sources/Numerics/StreamPurpose.swift")
        let text = (try? String(contentsOf: source, encoding: .utf8)) ?? ""
        return text.split(separator: "\n").compactMap { line -> String? in
            let words = line.trimmingCharacters(in: .whitespaces).split(separator: " ")
            guard words.count > 4, words[0] == "public", words[1] == "static", words[2] == "let",
                  line.contains("StreamPurpose(rawValue:") else { return nil }
            return String(words[3])
        }
    }()

    @Test func everyPurposeIsRegisteredOnceWithItsOwnNumber() {
        let names = StreamPurpose.registered.map(\.name), numbers = StreamPurpose.registered.map(\.purpose.rawValue)
        #expect(Self.declared.count >= 30)
        #expect(names.sorted() == Self.declared.sorted())
        #expect(Set(names).count == names.count)
        #expect(Set(numbers).count == numbers.count, "two purposes share a stream number")
    }

    /// Distinct numbers give distinct streams, and a purpose's substreams (per iteration, per
    /// temperature) never reach another purpose's: the first 64 substreams of every purpose, over
    /// three seeds, have distinct keys.
    @Test func substreamsOfDifferentPurposesNeverMeet() {
        for seed: UInt64 in [0, 1, 65] {
            var keys = Set<UInt64>(), count = 0
            for (_, purpose) in StreamPurpose.registered {
                let stream = RandomStream(seed: seed, purpose: purpose)
                keys.insert(stream.key); count += 1
                for i in 0..<64 { keys.insert(stream.substream(UInt64(i)).key); count += 1 }
            }
            #expect(keys.count == count)
        }
    }
}
