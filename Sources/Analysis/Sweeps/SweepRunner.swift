import Foundation
import SafetyKitGames
import SafetyKitNumerics

/// Runs a sweep (or a slice of one) on several threads and streams its rows in index order.
///
/// Points are cut into chunks that workers solve and format into bytes in parallel; finished
/// chunks are written strictly in order while later ones are still being computed (see
/// `Parallel.orderedPipeline`). Memory stays bounded by a window of chunks, and since every
/// point (and its Monte Carlo stream) depends only on its index, the bytes written are the same
/// for any thread count.
package struct SweepRunner: Sendable {
    package var sweep: Sweep
    /// The slice of point indices to compute (the whole sweep by default).
    package var range: Range<Int>
    package var threads: Int
    /// Monte Carlo settings, or nil for exact values only.
    package var monteCarlo: OffSwitchMonteCarlo?
    /// The seed of every Monte Carlo stream (point i uses stream i).
    package var seed: UInt64
    /// Points per chunk.
    package var chunkSize: Int = 2048

    package init(sweep: Sweep, range: Range<Int>? = nil, threads: Int = Parallel.availableCores,
                monteCarlo: OffSwitchMonteCarlo? = nil, seed: UInt64 = 1) {
        self.sweep = sweep
        self.range = range ?? 0..<sweep.count
        self.threads = max(1, threads)
        self.monteCarlo = monteCarlo
        self.seed = seed
    }

    /// What one run did.
    package struct Statistics: Sendable {
        package var points = 0
        /// Integrand evaluations over all points (0 for closed forms).
        package var evaluations = 0
        /// Points per method, indexed like `GameExpectations.Method.allCases` (an array, not a
        /// dictionary: it is updated once per point).
        var methodCounts = [Int](repeating: 0, count: GameExpectations.Method.allCases.count)

        /// Points per method, for the methods that were used.
        package var methods: [(method: GameExpectations.Method, points: Int)] {
            zip(GameExpectations.Method.allCases, methodCounts).filter { $0.1 > 0 }.map { ($0.0, $0.1) }
        }

        mutating func add(_ other: Statistics) {
            points += other.points
            evaluations += other.evaluations
            for i in methodCounts.indices { methodCounts[i] += other.methodCounts[i] }
        }

        mutating func count(_ solution: OffSwitchSolution) {
            points += 1
            evaluations += solution.evaluations
            methodCounts[GameExpectations.Method.allCases.firstIndex(of: solution.method)!] += 1
        }
    }

    private struct Chunk: Sendable {
        var bytes: [UInt8] = []
        var solutions: [OffSwitchSolution] = []
        var statistics = Statistics()
        var failure: GameError?
    }

    /// Writes the rows of `range` to `output` (the header is the caller's). `observe` receives every
    /// point's index, parameters and solution in order (for plots); `progress` the points done so far.
    package func run(table: SweepTable, output: OutputFile,
                    observe: ((Int, GameParameterSet, OffSwitchSolution) -> Void)? = nil,
                    progress: ((Int) -> Void)? = nil) throws -> Statistics {
        var statistics = Statistics()
        let chunkCount = (range.count + chunkSize - 1) / chunkSize
        let keepSolutions = observe != nil
        try Parallel.orderedPipeline(chunkCount, threads: threads, window: threads * 4) { index in
            solveChunk(index, table: table, keepSolutions: keepSolutions)
        } consume: { index, chunk in
            if let failure = chunk.failure { throw failure }
            try output.write(bytes: chunk.bytes)
            if let observe {
                let first = range.lowerBound + index * chunkSize
                for (i, solution) in chunk.solutions.enumerated() {
                    observe(first + i, sweep.parameters(at: first + i), solution)
                }
            }
            statistics.add(chunk.statistics)
            progress?(statistics.points)
        }
        return statistics
    }

    private func solveChunk(_ index: Int, table: SweepTable, keepSolutions: Bool) -> Chunk {
        var chunk = Chunk()
        let first = range.lowerBound + index * chunkSize
        let last = min(range.upperBound, first + chunkSize)
        chunk.bytes.reserveCapacity((last - first) * 140)
        var cursor = AxisCursor(sweep: sweep, at: first)
        for point in first..<last {
            defer { cursor.advance() }
            do {
                let parameters = cursor.parameters
                let solution = try sweep.configuration.makeGame(parameters).solve()
                var estimate: MonteCarloEstimate? = nil
                if let monteCarlo {
                    var stream = Sweep.stream(seed: seed, point: point)
                    estimate = monteCarlo.play(try sweep.configuration.makeGame(parameters), stream: &stream)
                }
                table.append(parameters: parameters, solution: solution, monteCarlo: estimate, to: &chunk.bytes, cursor: cursor)
                if keepSolutions { chunk.solutions.append(solution) }
                chunk.statistics.count(solution)
            } catch {
                chunk.failure = error
                return chunk
            }
        }
        return chunk
    }
}
