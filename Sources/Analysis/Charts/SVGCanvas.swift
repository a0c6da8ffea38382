/// A minimal SVG writer: shapes and text appended in drawing order, coordinates in pixels with
/// y growing downwards, numbers rounded to 0.01 px to keep files small.
package struct SVGCanvas {
    package let width: Double
    package let height: Double
    private var body: [String] = []

    package init(width: Double, height: Double) {
        self.width = width
        self.height = height
    }

    static func n(_ x: Double) -> String {
        let r = (x * 100).rounded() / 100
        return r == r.rounded() ? String(Int(r)) : String(r)
    }

    static func escape(_ text: String) -> String {
        text.replacingOccurrences(of: "&", with: "&amp;").replacingOccurrences(of: "<", with: "&lt;")
            .replacingOccurrences(of: ">", with: "&gt;").replacingOccurrences(of: "\"", with: "&quot;")
    }

    package mutating func raw(_ element: String) { body.append(element) }

    /// An estimate of a string's width in pixels in Helvetica at `size` (per-character advance
    /// widths in em, rounded up), so that layouts can keep text inside the canvas without a font
    /// engine. It errs on the wide side.
    package static func estimatedWidth(_ text: String, size: Double, bold: Bool = false) -> Double {
        var em = 0.0
        for c in text {
            switch c {
            case "i", "l", "j", ".", ",", ":", ";", "'", "|", "!", "I", "f", "t", "r", "(", ")", "[", "]", " ": em += 0.32
            case "m", "w", "M", "W", "—", "…": em += 0.86
            case "A"..."Z", "Δ", "σ", "β", "μ", "≥", "≤", "−", "→", "%", "&": em += 0.70
            default: em += 0.57
            }
        }
        // DejaVu Sans, the fallback where Helvetica is missing (librsvg on Linux), runs about 10% wider.
        return (bold ? 1.25 : 1.1) * em * size
    }

    /// `text` broken at spaces into lines no wider than `width` pixels (a longer word keeps its own line).
    package static func wrap(_ text: String, size: Double, width: Double) -> [String] {
        guard !text.isEmpty else { return [] }
        var lines: [String] = [], current = ""
        for word in text.split(separator: " ") {
            let candidate = current.isEmpty ? String(word) : current + " " + word
            if !current.isEmpty && estimatedWidth(candidate, size: size) > width { lines.append(current); current = String(word) } else { current = candidate }
        }
        if !current.isEmpty { lines.append(current) }
        return lines
    }

    /// A series marker centred at (x, y): circle, square, triangle, diamond, by `index` modulo 4,
    /// so that lines can be told apart without colour.
    package mutating func marker(_ index: Int, x: Double, y: Double, fill: String, radius: Double = 3.5) {
        let r = radius
        switch index % 4 {
        case 0: body.append("<circle cx=\"\(Self.n(x))\" cy=\"\(Self.n(y))\" r=\"\(Self.n(r))\" fill=\"\(fill)\"/>")
        case 1: rect(x: x - r, y: y - r, width: 2 * r, height: 2 * r, fill: fill)
        case 2: body.append("<polygon points=\"\(Self.n(x)),\(Self.n(y - 1.2 * r)) \(Self.n(x + 1.1 * r)),\(Self.n(y + 0.8 * r)) \(Self.n(x - 1.1 * r)),\(Self.n(y + 0.8 * r))\" fill=\"\(fill)\"/>")
        default: body.append("<polygon points=\"\(Self.n(x)),\(Self.n(y - 1.3 * r)) \(Self.n(x + 1.3 * r)),\(Self.n(y)) \(Self.n(x)),\(Self.n(y + 1.3 * r)) \(Self.n(x - 1.3 * r)),\(Self.n(y))\" fill=\"\(fill)\"/>")
        }
    }

    package mutating func rect(x: Double, y: Double, width: Double, height: Double, fill: String,
                              stroke: String? = nil, extra: String = "") {
        var element = "<rect x=\"\(Self.n(x))\" y=\"\(Self.n(y))\" width=\"\(Self.n(width))\" height=\"\(Self.n(height))\" fill=\"\(fill)\""
        if let stroke { element += " stroke=\"\(stroke)\"" }
        if !extra.isEmpty { element += " " + extra }
        body.append(element + "/>")
    }

    package mutating func line(_ x1: Double, _ y1: Double, _ x2: Double, _ y2: Double, stroke: String = "#000",
                              width: Double = 1, extra: String = "") {
        body.append("<line x1=\"\(Self.n(x1))\" y1=\"\(Self.n(y1))\" x2=\"\(Self.n(x2))\" y2=\"\(Self.n(y2))\" stroke=\"\(stroke)\" stroke-width=\"\(Self.n(width))\"\(extra.isEmpty ? "" : " " + extra)/>")
    }

    /// A path from move/line segments: each segment is drawn separately (M … L …).
    package mutating func segments(_ segments: [(Double, Double, Double, Double)], stroke: String, width: Double,
                                  extra: String = "") {
        guard !segments.isEmpty else { return }
        var d = ""
        for (x1, y1, x2, y2) in segments { d += "M\(Self.n(x1)) \(Self.n(y1))L\(Self.n(x2)) \(Self.n(y2))" }
        body.append("<path d=\"\(d)\" fill=\"none\" stroke=\"\(stroke)\" stroke-width=\"\(Self.n(width))\"\(extra.isEmpty ? "" : " " + extra)/>")
    }

    /// Polylines as one path element, each chain its own subpath: a dash pattern runs on along each chain.
    package mutating func paths(_ chains: [[(Double, Double)]], stroke: String, width: Double, extra: String = "") {
        let d = chains.filter { $0.count > 1 }.map { chain in
            "M" + chain.map { "\(Self.n($0.0)) \(Self.n($0.1))" }.joined(separator: "L")
        }.joined()
        guard !d.isEmpty else { return }
        body.append("<path d=\"\(d)\" fill=\"none\" stroke=\"\(stroke)\" stroke-width=\"\(Self.n(width))\"\(extra.isEmpty ? "" : " " + extra)/>")
    }

    package mutating func polyline(_ points: [(Double, Double)], stroke: String, width: Double, extra: String = "") {
        guard points.count > 1 else { return }
        let list = points.map { "\(Self.n($0.0)),\(Self.n($0.1))" }.joined(separator: " ")
        body.append("<polyline points=\"\(list)\" fill=\"none\" stroke=\"\(stroke)\" stroke-width=\"\(Self.n(width))\"\(extra.isEmpty ? "" : " " + extra)/>")
    }

    /// Text; `anchor` is start, middle or end; `rotate` in degrees about the anchor point.
    package mutating func text(_ string: String, x: Double, y: Double, size: Double = 12, anchor: String = "start",
                              rotate: Double? = nil, weight: String? = nil, extra: String = "") {
        var element = "<text x=\"\(Self.n(x))\" y=\"\(Self.n(y))\" font-size=\"\(Self.n(size))\" text-anchor=\"\(anchor)\""
        if let rotate { element += " transform=\"rotate(\(Self.n(rotate)) \(Self.n(x)) \(Self.n(y)))\"" }
        if let weight { element += " font-weight=\"\(weight)\"" }
        if !extra.isEmpty { element += " " + extra }
        body.append(element + ">\(Self.escape(string))</text>")
    }

    /// The complete document.
    package func render() -> String {
        var out = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
        out += "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"\(Self.n(width))\" height=\"\(Self.n(height))\" viewBox=\"0 0 \(Self.n(width)) \(Self.n(height))\" font-family=\"Helvetica, Arial, sans-serif\">\n"
        out += "<rect width=\"100%\" height=\"100%\" fill=\"#fff\"/>\n"
        out += body.joined(separator: "\n")
        return out + "\n</svg>\n"
    }
}
