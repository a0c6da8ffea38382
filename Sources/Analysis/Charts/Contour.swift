/// The zero level set of a function of two variables, by marching squares on a regular grid.
public enum Contour {
    /// Segments (x1, y1, x2, y2) in data coordinates where f changes sign, found on an n×n grid
    /// over the ranges and placed by linear interpolation along cell edges.
    public static func zeroSegments(_ f: (Double, Double) -> Double, x: ClosedRange<Double>, y: ClosedRange<Double>,
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
}
