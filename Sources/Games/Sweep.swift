import SafetyKitNumerics

/// A parameter sweep: the Cartesian product of axes over a base configuration, in the order
/// the axes are given with the last varying fastest. Point i is addressable on its own, so any
/// slice (a thread's chunk, a cluster shard) computes exactly the rows the whole sweep would.
public struct Sweep: Sendable {
    /// The game being swept (the values of the parameters not on an axis).
    public let configuration: GameConfiguration
    /// The grid axes, the first varying slowest.
    public let axes: [SweepAxis]
    /// The number of points: the product of the axes' sizes.
    public let count: Int

    /// The documented default grid: σ × β at three beliefs' means, Gaussian × Boltzmann.
    /// mu ∈ {−1, 0.5, 2}, sigma = 0.05…5 (100 values), beta = 0…5 (101 values): 30,300 points.
    public static func standard() -> Sweep {
        let axes = [try! SweepAxis(parsing: "mu=-1,0.5,2"), try! SweepAxis(parsing: "sigma=0.05:5:100"),
                    try! SweepAxis(parsing: "beta=0:5:101")]
        return try! Sweep(configuration: GameConfiguration(priorKind: .gaussian, humanKind: .boltzmann), axes: axes)
    }

    /// A sweep; every axis must name a parameter the configuration uses, each once.
    public init(configuration: GameConfiguration, axes: [SweepAxis]) throws(GameError) {
        var seen = Set<ParameterName>()
        let allowed = configuration.sweepableNames
        for axis in axes {
            guard allowed.contains(axis.name) else {
                let names = allowed.isEmpty ? "none" : allowed.map(\.rawValue).joined(separator: ", ")
                throw .invalidConfiguration("cannot sweep \(axis.name.rawValue): a \(configuration.priorKind.rawValue) prior with a \(configuration.humanKind.rawValue) human has sweepable parameters: \(names)")
            }
            guard seen.insert(axis.name).inserted else {
                throw .invalidConfiguration("grid \(axis.name.rawValue) is given twice")
            }
            // Each value must be valid with the base values of the other parameters.
            for value in axis.values {
                var values = configuration.parameters
                values[axis.name] = value
                _ = try configuration.makeGame(values)
            }
        }
        let lo = axes.first { $0.name == .lo }?.values ?? [configuration.parameters[.lo]]
        let hi = axes.first { $0.name == .hi }?.values ?? [configuration.parameters[.hi]]
        if configuration.priorKind == .uniform, let largestLo = lo.max(), let smallestHi = hi.min(), largestLo >= smallestHi {
            throw .invalidParameter(name: "grid lo/hi", value: "lo \(largestLo) with hi \(smallestHi)", accepted: "every combination needs lo < hi")
        }
        var total = 1
        for axis in axes {
            let (product, overflow) = total.multipliedReportingOverflow(by: axis.values.count)
            guard !overflow else { throw .invalidConfiguration("the grid has more points than this machine can count") }
            total = product
        }
        self.configuration = configuration
        self.axes = axes
        self.count = total
    }

    /// The parameter values at point `index` (0 ≤ index < count).
    public func parameters(at index: Int) -> GameParameterSet {
        var values = configuration.parameters
        var rest = index
        for axis in axes.reversed() {
            let n = axis.values.count
            values[axis.name] = axis.values[rest % n]
            rest /= n
        }
        return values
    }

    /// The position of point `index` on each axis (mixed radix, last axis fastest).
    public func coordinates(at index: Int) -> [Int] {
        var rest = index
        var coordinates = [Int](repeating: 0, count: axes.count)
        for a in axes.indices.reversed() {
            coordinates[a] = rest % axes[a].values.count
            rest /= axes[a].values.count
        }
        return coordinates
    }

    /// Solves the game at point `index`.
    public func solve(at index: Int) throws(GameError) -> (parameters: GameParameterSet, solution: OffSwitchSolution) {
        let values = parameters(at: index)
        return (values, try configuration.makeGame(values).solve())
    }

    /// The stream for point `index`'s Monte Carlo draws: addressed by index, never by thread.
    public static func stream(seed: UInt64, point index: Int) -> RandomStream {
        RandomStream(seed: seed, stream: UInt64(index))
    }

    /// The rows of shard k of n (1 ≤ k ≤ n): contiguous slices whose sizes differ by at most one.
    public static func shardRange(_ k: Int, of n: Int, count: Int) -> Range<Int> {
        let (q, r) = count.quotientAndRemainder(dividingBy: n)
        let start = (k - 1) * q + min(k - 1, r)
        return start..<(start + q + (k <= r ? 1 : 0))
    }
}
