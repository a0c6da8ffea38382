import Foundation

/// Colour maps for charts. The diverging map runs red (negative) through near-white (zero) to
/// blue (positive), after ColorBrewer's RdBu, so the sign of a quantity reads at a glance.
package enum ColorMap {
    static let diverging: [(Double, Double, Double)] = [
        (103, 0, 31), (178, 24, 43), (214, 96, 77), (244, 165, 130), (247, 247, 247),
        (146, 197, 222), (67, 147, 195), (33, 102, 172), (5, 48, 97),
    ]

    /// The colour for t in [−1, 1] (clamped) as "#rrggbb".
    package static func diverging(_ t: Double) -> String {
        let clamped = max(-1, min(1, t.isNaN ? 0 : t))
        let position = (clamped + 1) / 2 * Double(diverging.count - 1)
        let i = min(diverging.count - 2, Int(position))
        let f = position - Double(i)
        let a = diverging[i], b = diverging[i + 1]
        return hex(a.0 + f * (b.0 - a.0), a.1 + f * (b.1 - a.1), a.2 + f * (b.2 - a.2))
    }

    /// Whether text on the colour "#rrggbb" should be white: its relative luminance (sRGB,
    /// linearised) is below 0.3, the point where black and white text have equal contrast.
    package static func needsLightText(_ hex: String) -> Bool {
        let digits = Array(hex.utf8.dropFirst())
        guard digits.count == 6 else { return false }
        func channel(_ i: Int) -> Double {
            let v = Double(Int(String(decoding: digits[(2 * i)...(2 * i + 1)], as: UTF8.self), radix: 16) ?? 0) / 255
            return v <= 0.04045 ? v / 12.92 : pow((v + 0.055) / 1.055, 2.4)
        }
        return 0.2126 * channel(0) + 0.7152 * channel(1) + 0.0722 * channel(2) < 0.18
    }

    static func hex(_ r: Double, _ g: Double, _ b: Double) -> String {
        let digits = Array("0123456789abcdef".utf8)
        var bytes: [UInt8] = [UInt8(ascii: "#")]
        for channel in [r, g, b] {
            let v = Int(max(0, min(255, channel.rounded())))
            bytes.append(digits[v >> 4])
            bytes.append(digits[v & 15])
        }
        return String(decoding: bytes, as: UTF8.self)
    }
}

/// Maps values to [−1, 1] with zero at the centre and each sign scaled by its own extreme
/// (a two-slope normalisation), so a small positive region stays visible beside large negatives.
package struct TwoSlopeScale: Sendable {
    package let minimum: Double
    package let maximum: Double

    package init(values: [Double]) {
        let finite = values.filter(\.isFinite)
        minimum = min(0, finite.min() ?? 0)
        maximum = max(0, finite.max() ?? 0)
    }

    package func normalized(_ v: Double) -> Double {
        if v >= 0 { return maximum > 0 ? v / maximum : 0 }
        return minimum < 0 ? -v / minimum : 0
    }
}
