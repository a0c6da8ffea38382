import Dispatch
import Foundation

/// Deterministic parallel loops. Work is split into numbered items; each item's result depends
/// only on its index, so results are identical whatever the thread count or scheduling.
public enum Parallel {
    /// The number of cores available to this process.
    public static var availableCores: Int { max(1, ProcessInfo.processInfo.activeProcessorCount) }

    /// Runs `body(i)` for i in 0..<count on up to `threads` threads, handing out items dynamically
    /// so that uneven items (an adaptive-quadrature fallback) do not leave a core idle.
    public static func forEach(_ count: Int, threads: Int, _ body: @Sendable (Int) -> Void) {
        let workers = min(max(1, threads), count)
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
