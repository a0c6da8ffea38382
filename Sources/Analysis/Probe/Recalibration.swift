import Foundation

/// Maps stated confidences to recalibrated ones, fitted on (confidence, correct) pairs.
///
/// - `isotonic`: isotonic regression by weighted pool-adjacent-violators over the distinct
///   confidences (tied confidences are pooled first, so they share one fitted value), a
///   non-decreasing step function of the confidence. At the fitted confidences it equals
///   scikit-learn's `IsotonicRegression` (`increasing=True`); between two fitted points it takes
///   the lower one's value where scikit-learn interpolates linearly, and outside the fitted range
///   the nearest end's (scikit-learn's `out_of_bounds="clip"`).
/// - `temperature`: c′ = σ(logit(c) / T), with T > 0 chosen to minimise the NLL by a
///   golden-section search over log T ∈ [−6, 6]; confidences are clipped to [1e-6, 1 − 1e-6]
///   before the logit, so certain answers stay finite.
public enum Recalibration: String, Sendable, CaseIterable {
    case isotonic, temperature

    /// A fitted map.
    public struct Map: Sendable {
        /// Which recalibration this map is.
        public let method: Recalibration
        /// Isotonic: block lower edges and values. Temperature: T.
        let edges: [Double], values: [Double]
        /// The fitted temperature T (1 for isotonic maps).
        public let temperature: Double

        /// The recalibrated confidence of `c`.
        public func callAsFunction(_ c: Double) -> Double {
            switch method {
            case .temperature:
                return Recalibration.sigmoid(Recalibration.logit(c) / temperature)
            case .isotonic:
                guard !edges.isEmpty else { return c }
                // The last block whose lower edge is ≤ c (the first block below the range).
                var lo = 0, hi = edges.count - 1
                if c < edges[0] { return values[0] }
                while lo < hi {
                    let mid = (lo + hi + 1) / 2
                    if edges[mid] <= c { lo = mid } else { hi = mid - 1 }
                }
                return values[lo]
            }
        }
    }

    static func clip(_ c: Double) -> Double { min(max(c, 1e-6), 1 - 1e-6) }
    static func logit(_ c: Double) -> Double { let p = clip(c); return log(p / (1 - p)) }
    static func sigmoid(_ z: Double) -> Double { z >= 0 ? 1 / (1 + exp(-z)) : exp(z) / (1 + exp(z)) }

    /// Fits the map to pairs (at least one).
    public func fit(confidences: [Double], correct: [Bool]) -> Map {
        switch self {
        case .isotonic:
            // Pool tied confidences first: one point per distinct confidence, weighted by its
            // count, so equal confidences always get one fitted value (scikit-learn's
            // IsotonicRegression does the same). Then weighted pool-adjacent-violators.
            let order = confidences.indices.sorted { confidences[$0] < confidences[$1] }
            var points: [(edge: Double, sum: Double, count: Double)] = []
            for i in order {
                let o = correct[i] ? 1.0 : 0.0
                if let last = points.last, last.edge == confidences[i] {
                    points[points.count - 1].sum += o
                    points[points.count - 1].count += 1
                } else {
                    points.append((confidences[i], o, 1))
                }
            }
            // Blocks of (lower edge, sum of outcomes, count); merge while the previous block's mean exceeds this one's.
            var blocks: [(edge: Double, sum: Double, count: Double)] = []
            for point in points {
                blocks.append(point)
                while blocks.count > 1 {
                    let b = blocks[blocks.count - 1], a = blocks[blocks.count - 2]
                    guard a.sum * b.count > b.sum * a.count else { break }
                    blocks.removeLast()
                    blocks[blocks.count - 1] = (a.edge, a.sum + b.sum, a.count + b.count)
                }
            }
            return Map(method: .isotonic, edges: blocks.map(\.edge), values: blocks.map { $0.sum / $0.count }, temperature: 1)
        case .temperature:
            let logits = confidences.map(Self.logit)
            func nll(_ logT: Double) -> Double {
                let t = exp(logT)
                var total = 0.0
                for (z, o) in zip(logits, correct) {
                    let p = Self.clip(Self.sigmoid(z / t))
                    total -= o ? log(p) : log(1 - p)
                }
                return total
            }
            var a = -6.0, b = 6.0
            let ratio = (5.0.squareRoot() - 1) / 2
            var x1 = b - ratio * (b - a), x2 = a + ratio * (b - a), f1 = nll(x1), f2 = nll(x2)
            for _ in 0..<80 {
                if f1 <= f2 { b = x2; x2 = x1; f2 = f1; x1 = b - ratio * (b - a); f1 = nll(x1) }
                else { a = x1; x1 = x2; f1 = f2; x2 = a + ratio * (b - a); f2 = nll(x2) }
            }
            return Map(method: .temperature, edges: [], values: [], temperature: exp((a + b) / 2))
        }
    }

    /// Cross-fitted recalibration: the pairs are split into two halves by index parity, each half
    /// recalibrated by a map fitted on the other, so no confidence is fitted on its own outcome.
    public func crossFitted(confidences: [Double], correct: [Bool]) -> [Double] {
        guard confidences.count >= 2 else { return confidences }
        var result = confidences
        for half in 0..<2 {
            let fitIndices = confidences.indices.filter { $0 % 2 != half }
            let map = fit(confidences: fitIndices.map { confidences[$0] }, correct: fitIndices.map { correct[$0] })
            for i in confidences.indices where i % 2 == half { result[i] = map(confidences[i]) }
        }
        return result
    }
}
