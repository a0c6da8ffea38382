import Dispatch
import Foundation
import Synchronization

/// Deterministic parallel loops. Work is split into numbered items; each item's result depends
/// only on its index, so results are identical whatever the thread count or scheduling.
public enum Parallel {
    /// The number of cores available to this process, read once: Foundation's query takes about
    /// 16 µs here (it reads the cgroup's CPU quota), which a sampler step's kernels paid each call.
    /// It respects the process's CPU affinity too (`taskset`, SLURM's cpusets), which Foundation's
    /// count does not: the smaller of the two.
    /// `limitCores(to:)` overrides it for the whole process (a command's `--threads`).
    public static var availableCores: Int {
        let limit = coreLimit.load(ordering: .relaxed)
        return limit > 0 ? limit : detectedCores
    }

    /// The cores found at start-up.
    static let detectedCores: Int = max(1, min(ProcessInfo.processInfo.activeProcessorCount, affinityCores ?? Int.max))

    /// 0 until `limitCores(to:)` sets a count.
    private static let coreLimit = Atomic<Int>(0)

    /// Makes `availableCores` `count` (≥ 1) for the rest of the process. Results do not depend on
    /// it (every parallel loop is deterministic); only the time does.
    public static func limitCores(to count: Int) {
        coreLimit.store(max(1, count), ordering: .relaxed)
    }

    /// The CPUs in this process's affinity mask, from /proc/self/status's `Cpus_allowed_list`
    /// ("0-3,8"), or nil where there is none (not Linux).
    public static var affinityCores: Int? {
        guard let status = try? String(contentsOfFile: "/proc/self/status", encoding: .utf8),
              let line = status.split(separator: "\n").first(where: { $0.hasPrefix("Cpus_allowed_list:") }) else { return nil }
        return cpuCount(list: String(line.dropFirst("Cpus_allowed_list:".count)))
    }

    /// The number of CPUs in a Linux CPU list such as "0-3,8,10-11" (nil if it cannot be read).
    public static func cpuCount(list: String) -> Int? {
        var count = 0
        for range in list.trimmingCharacters(in: .whitespaces).split(separator: ",") {
            let ends = range.split(separator: "-").map { Int($0.trimmingCharacters(in: .whitespaces)) }
            switch ends.count {
            case 1: guard ends[0] != nil else { return nil }; count += 1
            case 2: guard let a = ends[0], let b = ends[1], b >= a else { return nil }; count += b - a + 1
            default: return nil
            }
        }
        return count > 0 ? count : nil
    }

    /// True inside `serially`: parallel loops on this thread then run in the calling thread.
    @TaskLocal static var isSerial = false

    /// Runs `body` with every `forEach` it reaches on this thread running serially, for callers
    /// that already parallelise at a coarser grain (a batch split into groups, one per worker)
    /// and would only pay for nested dispatch.
    public static func serially<R>(_ body: () throws -> R) rethrows -> R {
        try $isSerial.withValue(true) { try body() }
    }

    /// Runs `body(i)` for i in 0..<count on up to `threads` threads, handing out items dynamically
    /// so that uneven items (an adaptive-quadrature fallback) do not leave a core idle.
    public static func forEach(_ count: Int, threads: Int, _ body: @Sendable (Int) -> Void) {
        let workers = isSerial ? 1 : min(max(1, threads), count)
        guard workers > 1 else {
            for i in 0..<count { body(i) }
            return
        }
        let counter = Counter()
        DispatchQueue.concurrentPerform(iterations: workers) { _ in
            while true {
                let i = counter.take()
                if i >= count { return }
                body(i)
            }
        }
    }

    /// Maps 0..<count to results in parallel; result i is `transform(i)` whatever the thread count.
    public static func map<T: Sendable>(_ count: Int, threads: Int, _ transform: @Sendable (Int) -> T) -> [T] {
        var slots = [T?](repeating: nil, count: count)
        slots.withUnsafeMutableBufferPointer { buffer in
            let out = SendableBuffer(buffer)
            forEach(count, threads: threads) { i in out.base[i] = transform(i) }
        }
        return slots.map { $0! }
    }

    /// Produces items 0..<count on up to `threads` threads and consumes them strictly in index
    /// order, overlapping the two: whichever thread finishes the next item in order consumes it
    /// (and any that were waiting behind it). At most `window` items are produced but not yet
    /// consumed, which bounds memory. If `consume` throws, production stops and the error is
    /// rethrown after the workers have finished.
    public static func orderedPipeline<T: Sendable>(
        _ count: Int, threads: Int, window: Int,
        produce: @Sendable (Int) -> T, consume: (Int, T) throws -> Void
    ) throws {
        let workers = min(max(1, threads), count)
        guard workers > 1 else {
            for i in 0..<count { try consume(i, produce(i)) }
            return
        }
        try withoutActuallyEscaping(consume) { consume in
            let state = PipelineState<T>(window: max(window, workers), consume: consume)
            DispatchQueue.concurrentPerform(iterations: workers) { _ in
                while let i = state.claim(below: count) {
                    state.deposit(i, produce(i))
                }
            }
            if let failure = state.failure { throw failure }
        }
    }

    /// Shared state of an ordered pipeline: the next index to hand out, finished items waiting
    /// for their turn, and the next index to consume. `consume` only ever runs under the lock.
    private final class PipelineState<T>: @unchecked Sendable {
        private let lock = NSLock()
        private let slots: DispatchSemaphore
        private let consume: (Int, T) throws -> Void
        private var nextClaim = 0
        private var nextConsume = 0
        private var waiting: [Int: T] = [:]
        private(set) var failure: Error?

        init(window: Int, consume: @escaping (Int, T) throws -> Void) {
            slots = DispatchSemaphore(value: window)
            self.consume = consume
        }

        func claim(below count: Int) -> Int? {
            slots.wait()
            lock.lock()
            defer { lock.unlock() }
            guard failure == nil, nextClaim < count else {
                slots.signal()
                return nil
            }
            nextClaim += 1
            return nextClaim - 1
        }

        func deposit(_ index: Int, _ value: T) {
            lock.lock()
            defer { lock.unlock() }
            // After a failure, items are dropped and their window places freed, so that workers
            // blocked in `claim` wake up, see the failure and stop.
            if failure != nil { slots.signal(); return }
            waiting[index] = value
            while let ready = waiting.removeValue(forKey: nextConsume) {
                do { try consume(nextConsume, ready) } catch { failure = error }
                nextConsume += 1
                slots.signal()
                if failure != nil {
                    for _ in waiting { slots.signal() }
                    waiting.removeAll()
                    return
                }
            }
        }
    }

    private final class Counter: @unchecked Sendable {
        private let lock = NSLock()
        private var next = 0
        func take() -> Int {
            lock.lock()
            defer { lock.unlock() }
            let value = next
            next += 1
            return value
        }
    }

    /// A buffer whose disjoint slots are written by different threads.
    private struct SendableBuffer<T>: @unchecked Sendable {
        let base: UnsafeMutableBufferPointer<T>
        init(_ base: UnsafeMutableBufferPointer<T>) { self.base = base }
    }
}
