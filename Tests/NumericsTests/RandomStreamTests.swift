import Foundation
import Testing
@testable import SafetyKitNumerics

@Suite("Seeded random streams")
struct RandomStreamTests {
    @Test func sameSeedAndStreamGiveTheSameNumbers() {
        var a = RandomStream(seed: 42, stream: 3), b = RandomStream(seed: 42, stream: 3)
        for _ in 0..<100 { #expect(a.next() == b.next()) }
        var c = RandomStream(seed: 42, stream: 4), d = RandomStream(seed: 43, stream: 3)
        var e = RandomStream(seed: 42, stream: 3)
        let reference = (0..<8).map { _ in e.next() }
        #expect((0..<8).map { _ in c.next() } != reference)
        #expect((0..<8).map { _ in d.next() } != reference)
    }

    @Test func substreamsDependOnTheKeyNotTheState() {
        var parent = RandomStream(seed: 7)
        let before = parent.substream(5)
        _ = parent.next()
        var x = before, y = parent.substream(5), z = parent.substream(6)
        let first = x.next()
        #expect(first == y.next())
        #expect(first != z.next())
    }

    /// The shuffle is Fisher–Yates from the last index down, one draw each: every permutation of
    /// three items equally often, and the same order as the loop written out.
    @Test func shuffleIsFisherYatesFromTheEnd() {
        var counts: [[Int]: Int] = [:]
        var stream = RandomStream(seed: 4)
        for _ in 0..<60_000 {
            var items = [0, 1, 2]
            var copy = stream, expected = items
            for i in stride(from: 2, to: 0, by: -1) { expected.swapAt(i, copy.nextIndex(below: i + 1)) }
            stream.shuffle(&items)
            #expect(items == expected)
            counts[items, default: 0] += 1
        }
        #expect(counts.count == 6 && counts.values.allSatisfy { abs($0 - 10_000) < 400 })
        var empty: [Int] = []
        stream.shuffle(&empty)
        #expect(empty.isEmpty)
    }

    @Test func distributionsHaveTheRightMoments() {
        var stream = RandomStream(seed: 1)
        let n = 400_000
        var sum = 0.0, sumSquares = 0.0, uniformSum = 0.0, inUnit = true
        var counts = [Int](repeating: 0, count: 5)
        for _ in 0..<n {
            let z = stream.nextNormal()
            sum += z; sumSquares += z * z
            let u = stream.nextUniform()
            uniformSum += u
            inUnit = inUnit && u >= 0 && u < 1 && stream.nextOpenUniform() > 0
            counts[stream.nextIndex(below: 5)] += 1
        }
        #expect(abs(sum / Double(n)) < 0.01)
        #expect(abs(sumSquares / Double(n) - 1) < 0.01)
        #expect(abs(uniformSum / Double(n) - 0.5) < 0.003)
        #expect(inUnit)
        #expect(counts.allSatisfy { abs(Double($0) / Double(n) - 0.2) < 0.005 })
    }
}
