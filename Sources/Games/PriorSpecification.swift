import Foundation

/// Text forms of the non-parametric priors, as the command line takes them.
///
/// Weights written by hand must sum to 1 (within 1e-9): a sum of 1.1 is an error that shows the
/// sum, never silently renormalised, unless `normalize` asks for exactly that.
public enum PriorSpecification {
    /// How far from 1 a written sum of weights may be (rounding in decimal text).
    public static let weightSumTolerance = 1e-9

    /// Throws unless the weights sum to 1 (or `normalize` is set).
    static func checkSum(_ weights: [Double], of what: String, normalize: Bool) throws(GameError) {
        let total = weights.reduce(0, +)
        guard normalize || abs(total - 1) <= weightSumTolerance else {
            throw .invalidParameter(name: "\(what) weights", value: "summing to \(GameError.format(total))",
                                    accepted: "expected weights that sum to 1 (or ask for them to be renormalised)")
        }
    }

    /// Parses `--points "1:0.5,-1:0.5"`: value:weight pairs separated by commas (or semicolons),
    /// the weights summing to 1 unless `normalize`.
    public static func points(_ text: String, normalize: Bool = false) throws(GameError) -> DiscretePrior {
        let usage = "expected value:weight pairs such as \"1:0.5,-1:0.5\""
        var points: [(value: Double, weight: Double)] = []
        for item in text.split(whereSeparator: { $0 == "," || $0 == ";" }) {
            let parts = item.split(separator: ":", omittingEmptySubsequences: false)
            guard parts.count == 2, let value = Double(parts[0].trimmed), let weight = Double(parts[1].trimmed) else {
                throw .invalidParameter(name: "points", value: "'\(item)'", accepted: usage)
            }
            points.append((value, weight))
        }
        guard !points.isEmpty else { throw .invalidParameter(name: "points", value: "'\(text)'", accepted: usage) }
        let prior = try DiscretePrior(points: points)
        try checkSum(points.map(\.weight), of: "point", normalize: normalize)
        return prior
    }

    /// Parses `--mixture "0.6*gaussian(0,1)+0.3*uniform(-1,2)+0.1*point(3)"`: weight*component
    /// terms joined by '+', where a component is gaussian(mu,sigma), uniform(lo,hi) or point(u);
    /// the weights summing to 1 unless `normalize`.
    public static func mixture(_ text: String, normalize: Bool = false) throws(GameError) -> MixturePrior {
        let usage = "expected terms like 0.6*gaussian(0,1)+0.3*uniform(-1,2)+0.1*point(3)"
        var components: [(weight: Double, prior: any Prior)] = []
        for term in splitTerms(text) {
            let pieces = term.split(separator: "*", maxSplits: 1)
            guard pieces.count == 2, let weight = Double(pieces[0].trimmed),
                  let open = pieces[1].firstIndex(of: "("), pieces[1].trimmed.hasSuffix(")") else {
                throw .invalidParameter(name: "mixture term", value: "'\(term)'", accepted: usage)
            }
            let name = pieces[1][..<open].trimmed
            let inner = pieces[1][pieces[1].index(after: open)...].trimmed.dropLast()
            var arguments: [Double] = []
            for piece in inner.split(separator: ",") {
                guard let value = Double(piece.trimmed) else {
                    throw .invalidParameter(name: "mixture term", value: "'\(term)'", accepted: usage)
                }
                arguments.append(value)
            }
            let prior: any Prior
            switch (name, arguments.count) {
            case ("gaussian", 2): prior = try GaussianPrior(mu: arguments[0], sigma: arguments[1])
            case ("uniform", 2): prior = try UniformPrior(lo: arguments[0], hi: arguments[1])
            case ("point", 1): prior = try DiscretePrior(points: [(arguments[0], 1)])
            default:
                throw .invalidParameter(name: "mixture component", value: "'\(name)' with \(arguments.count) argument(s)",
                                        accepted: "expected gaussian(mu,sigma), uniform(lo,hi) or point(u)")
            }
            components.append((weight, prior))
        }
        guard !components.isEmpty else { throw .invalidParameter(name: "mixture", value: "'\(text)'", accepted: usage) }
        let mixture = try MixturePrior(components: components)
        try checkSum(components.map(\.weight), of: "mixture", normalize: normalize)
        return mixture
    }

    /// Splits on '+' at parenthesis depth 0, except a '+' that is part of a number's exponent.
    private static func splitTerms(_ text: String) -> [String] {
        var terms: [String] = [], current = "", depth = 0
        var previous: Character = " "
        for ch in text {
            if ch == "(" { depth += 1 } else if ch == ")" { depth -= 1 }
            if ch == "+" && depth == 0 && previous != "e" && previous != "E" && !current.trimmed.isEmpty {
                terms.append(current); current = ""
            } else {
                current.append(ch)
            }
            previous = ch
        }
        if !current.trimmed.isEmpty { terms.append(current) }
        return terms
    }
}

extension StringProtocol {
    var trimmed: String {
        String(self).trimmingCharacters(in: .whitespaces)
    }
}
