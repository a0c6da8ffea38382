import Foundation

/// "Nice" tick positions: steps of 1, 2 or 5 times a power of ten, about `target` of them.
package enum AxisTicks {
    package static func nice(from low: Double, to high: Double, target: Int = 6) -> [Double] {
        guard low.isFinite, high.isFinite, high > low else { return low.isFinite ? [low] : [] }
        let raw = (high - low) / Double(max(1, target))
        let magnitude = pow(10, floor(log10(raw)))
        let step = [1.0, 2, 5, 10].map { $0 * magnitude }.first { $0 >= raw } ?? 10 * magnitude
        var ticks: [Double] = []
        var value = ceil(low / step - 1e-9) * step
        while value <= high + step * 1e-9 {
            ticks.append(abs(value) < step * 1e-9 ? 0 : value)
            value += step
        }
        return ticks
    }

    /// Nice ticks that are whole numbers: the nice steps when they are at least 1, else every integer.
    package static func integers(from low: Double, to high: Double, target: Int = 6) -> [Double] {
        let ticks = nice(from: low, to: high, target: target)
        if ticks.count > 1, ticks[1] - ticks[0] >= 1 { return ticks.filter { $0 == $0.rounded() } }
        let first = low.rounded(.up), last = high.rounded(.down)
        return first <= last ? Array(stride(from: first, through: last, by: 1)) : []
    }

    /// A short label for a tick value.
    package static func label(_ value: Double) -> String {
        if value == 0 { return "0" }
        let magnitude = abs(value)
        if magnitude >= 1e4 || magnitude < 1e-3 { return String(format: "%.1e", value) }
        var text = String(format: "%.4f", value)
        while text.hasSuffix("0") { text.removeLast() }
        if text.hasSuffix(".") { text.removeLast() }
        return text
    }
}
