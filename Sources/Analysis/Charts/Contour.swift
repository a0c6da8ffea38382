/// The zero level set of a function of two variables, by marching squares on a regular grid.
package enum Contour {
    /// Segments (x1, y1, x2, y2) in data coordinates where f changes sign, found on an n×n grid
    /// over the ranges and placed by linear interpolation along cell edges.
    package static func zeroSegments(_ f: (Double, Double) -> Double, x: ClosedRange<Double>, y: ClosedRange<Double>,
                                    resolution n: Int = 200) -> [(Double, Double, Double, Double)] {
        let xs = (0...n).map { x.lowerBound + (x.upperBound - x.lowerBound) * Double($0) / Double(n) }
        let ys = (0...n).map { y.lowerBound + (y.upperBound - y.lowerBound) * Double($0) / Double(n) }
        var values = [Double](repeating: 0, count: (n + 1) * (n + 1))
        for j in 0...n { for i in 0...n { values[j * (n + 1) + i] = f(xs[i], ys[j]) } }
        var segments: [(Double, Double, Double, Double)] = []
        for j in 0..<n {
            for i in 0..<n {
                // Corners counter-clockwise from bottom-left, with their positions.
                let corners = [(xs[i], ys[j], values[j * (n + 1) + i]), (xs[i + 1], ys[j], values[j * (n + 1) + i + 1]),
                               (xs[i + 1], ys[j + 1], values[(j + 1) * (n + 1) + i + 1]), (xs[i], ys[j + 1], values[(j + 1) * (n + 1) + i])]
                var crossings: [(Double, Double)] = []
                for k in 0..<4 {
                    let a = corners[k], b = corners[(k + 1) % 4]
                    if (a.2 < 0) != (b.2 < 0) {
                        let t = a.2 / (a.2 - b.2)
                        crossings.append((a.0 + t * (b.0 - a.0), a.1 + t * (b.1 - a.1)))
                    }
                }
                if crossings.count == 2 {
                    segments.append((crossings[0].0, crossings[0].1, crossings[1].0, crossings[1].1))
                } else if crossings.count == 4 {
                    segments.append((crossings[0].0, crossings[0].1, crossings[1].0, crossings[1].1))
                    segments.append((crossings[2].0, crossings[2].1, crossings[3].0, crossings[3].1))
                }
            }
        }
        return segments
    }

    /// Joins segments that share end points into polylines, so that a dashed curve is one path
    /// whose dash pattern runs on (as separate one-cell segments each dash starts anew and the
    /// curve renders solid). End points closer than `tolerance` count as shared.
    package static func chains(_ segments: [(Double, Double, Double, Double)], tolerance: Double) -> [[(Double, Double)]] {
        struct Key: Hashable { let x: Int64, y: Int64 }
        func key(_ x: Double, _ y: Double) -> Key { Key(x: Int64((x / tolerance).rounded()), y: Int64((y / tolerance).rounded())) }
        var ends: [Key: [Int]] = [:]
        for (i, s) in segments.enumerated() {
            ends[key(s.0, s.1), default: []].append(i)
            ends[key(s.2, s.3), default: []].append(i)
        }
        var used = [Bool](repeating: false, count: segments.count)
        func extend(_ chain: inout [(Double, Double)]) {
            while let last = chain.last, let next = ends[key(last.0, last.1)]?.first(where: { !used[$0] }) {
                used[next] = true
                let s = segments[next]
                chain.append(key(s.0, s.1) == key(last.0, last.1) ? (s.2, s.3) : (s.0, s.1))
            }
        }
        var chains: [[(Double, Double)]] = []
        for i in segments.indices where !used[i] {
            used[i] = true
            let s = segments[i]
            var forward = [(s.0, s.1), (s.2, s.3)]
            extend(&forward)
            var backward = [(s.0, s.1)]
            extend(&backward)
            chains.append(backward.reversed() + forward.dropFirst())
        }
        return chains
    }
}
