import Foundation
import Testing
@testable import SafetyKitNumerics

@Suite("Deterministic parallel loops")
struct ParallelTests {
    @Test(arguments: [1, 2, 3, 8])
    func mapGivesTheSameResultAtAnyThreadCount(threads: Int) {
        let result = Parallel.map(1000, threads: threads) { i -> UInt64 in
            var stream = RandomStream(seed: 11, stream: UInt64(i))
            return stream.next()
        }
        let serial = (0..<1000).map { i -> UInt64 in
            var stream = RandomStream(seed: 11, stream: UInt64(i))
            return stream.next()
        }
        #expect(result == serial)
    }

    @Test(arguments: [1, 2, 4])
    func orderedPipelineConsumesInIndexOrder(threads: Int) throws {
        var consumed: [Int] = []
        try Parallel.orderedPipeline(500, threads: threads, window: 3) { i in
            // Uneven work, so items finish out of order.
            var x = 0.0
            for k in 0..<((i % 7) * 2000) { x += sin(Double(k)) }
            return (i, x.isFinite)
        } consume: { index, value in
            #expect(index == value.0)
            consumed.append(index)
        }
        #expect(consumed == Array(0..<500))
    }

    struct Stop: Error {}

    @Test(arguments: [1, 2, 4])
    func orderedPipelineStopsOnTheFirstErrorWithoutDeadlock(threads: Int) {
        var consumed = 0
        #expect(throws: Stop.self) {
            try Parallel.orderedPipeline(10_000, threads: threads, window: 2) { $0 } consume: { index, _ in
                if index == 37 { throw Stop() }
                consumed += 1
            }
        }
        #expect(consumed == 37)
    }
}

@Suite("CPU affinity")
struct AffinityTests {
    /// Linux CPU lists as /proc/self/status writes them (`Cpus_allowed_list`).
    @Test func cpuListsAreCounted() {
        #expect(Parallel.cpuCount(list: "0") == 1)
        #expect(Parallel.cpuCount(list: "0-3") == 4)
        #expect(Parallel.cpuCount(list: " 0-3,8,10-11\t") == 7)
        #expect(Parallel.cpuCount(list: "") == nil && Parallel.cpuCount(list: "3-1") == nil && Parallel.cpuCount(list: "a") == nil)
        // The cores used never exceed the affinity mask.
        if let allowed = Parallel.affinityCores { #expect(Parallel.availableCores <= allowed) }
    }
}
