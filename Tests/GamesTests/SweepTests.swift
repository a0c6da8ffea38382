import Testing
@testable import SafetyKitGames

@Suite("Sweep grids")
struct SweepTests {
    @Test func gridSpecsParse() throws {
        let range = try SweepAxis(parsing: "sigma=0.1:1:10")
        #expect(range.name == .sigma && range.values.count == 10)
        #expect(range.values.first == 0.1 && range.values.last == 1)
        #expect(try SweepAxis(parsing: "beta=0,0.5, 2").values == [0, 0.5, 2])
        #expect(try SweepAxis(parsing: "mu=3:3:1").values == [3])
    }

    @Test(arguments: ["sigma", "sigma=", "sigma=1:2", "sigma=1:2:0", "sigma=1:2:x", "sigma=a,b", "tau=1:2:3", "mu=1:2:1", "mu=nan,1", "mu=1:inf:3"])
    func badGridSpecsAreRejected(_ spec: String) {
        #expect(throws: GameError.self) { try SweepAxis(parsing: spec) }
    }

    @Test func lastAxisVariesFastest() throws {
        let sweep = try Sweep(configuration: GameConfiguration(priorKind: .gaussian, humanKind: .boltzmann),
                              axes: [try SweepAxis(parsing: "mu=1,2"), try SweepAxis(parsing: "beta=0,5,10")])
        #expect(sweep.count == 6)
        let order = (0..<6).map { (sweep.parameters(at: $0)[.mu], sweep.parameters(at: $0)[.beta]) }
        #expect(order.map(\.0) == [1, 1, 1, 2, 2, 2])
        #expect(order.map(\.1) == [0, 5, 10, 0, 5, 10])
        #expect(sweep.coordinates(at: 4) == [1, 1])
    }

    @Test func shardsPartitionTheSweep() {
        for count in [0, 1, 7, 100, 1001] {
            for n in [1, 2, 3, 8] {
                let ranges = (1...n).map { Sweep.shardRange($0, of: n, count: count) }
                #expect(ranges.first!.lowerBound == 0 && ranges.last!.upperBound == count)
                for k in 1..<n { #expect(ranges[k - 1].upperBound == ranges[k].lowerBound) }
                #expect(ranges.map(\.count).max()! - ranges.map(\.count).min()! <= 1)
            }
        }
    }

    @Test func invalidSweepsAreRejected() throws {
        let gaussian = GameConfiguration(priorKind: .gaussian, humanKind: .boltzmann)
        #expect(throws: GameError.self) { try Sweep(configuration: gaussian, axes: [try SweepAxis(parsing: "p=0.1,0.2")]) }
        #expect(throws: GameError.self) { try Sweep(configuration: gaussian, axes: [try SweepAxis(parsing: "sigma=0:1:3")]) }
        #expect(throws: GameError.self) { try Sweep(configuration: gaussian, axes: [try SweepAxis(parsing: "beta=-1,1")]) }
        #expect(throws: GameError.self) {
            try Sweep(configuration: gaussian, axes: [try SweepAxis(parsing: "mu=1,2"), try SweepAxis(parsing: "mu=3")])
        }
        let uniform = GameConfiguration(priorKind: .uniform, humanKind: .rational)
        #expect(throws: GameError.self) {
            try Sweep(configuration: uniform, axes: [try SweepAxis(parsing: "lo=-1,0.5"), try SweepAxis(parsing: "hi=0.4,2")])
        }
    }

    @Test func theStandardSweepIsTheDocumentedOne() {
        let sweep = Sweep.standard()
        #expect(sweep.count == 3 * 100 * 101)
        #expect(sweep.axes.map(\.name) == [.mu, .sigma, .beta])
    }
}
