import Foundation

/// One axis of a parameter sweep: a parameter and the values it takes, in order.
public struct SweepAxis: Sendable, Equatable {
    /// The parameter the axis varies.
    public let name: ParameterName
    /// Its values, in order.
    public let values: [Double]

    /// An axis of at least one finite value.
    public init(name: ParameterName, values: [Double]) throws(GameError) {
        guard !values.isEmpty else { throw .invalidConfiguration("grid \(name.rawValue) has no values") }
        for value in values { try GameError.requireFinite(value, "grid \(name.rawValue) value") }
        self.name = name
        self.values = values
    }

    /// Parses `NAME=START:STOP:COUNT` (COUNT ≥ 1 evenly spaced values, both ends included) or
    /// `NAME=V1,V2,...` (a list). Values are computed as start + i·(stop − start)/(count − 1),
    /// with the last one set to stop exactly, so the ends are never off by round-off.
    public init(parsing spec: String) throws(GameError) {
        let usage = "expected NAME=START:STOP:COUNT or NAME=V1,V2,... with NAME one of \(ParameterName.list)"
        guard let equals = spec.firstIndex(of: "=") else {
            throw .invalidParameter(name: "grid", value: "'\(spec)'", accepted: usage)
        }
        let rawName = spec[..<equals].trimmingCharacters(in: .whitespaces)
        guard let name = ParameterName(rawValue: rawName) else {
            throw .invalidParameter(name: "grid parameter", value: "'\(rawName)'", accepted: "expected one of \(ParameterName.list)")
        }
        try self.init(name: name, values: Self.values(parsing: String(spec[spec.index(after: equals)...]), name: rawName, usage: usage))
    }

    /// The values of `START:STOP:COUNT` or `V1,V2,...`, for any named grid (the off-switch
    /// sweep's axes and the relatives' sweeps alike).
    /// The most values one axis may have (10⁷, 80 MB of Doubles); a grid's size is checked as a whole by its command.
    public static let maximumCount = 10_000_000

    /// The values of an axis written as START:STOP:COUNT (ends included) or V1,V2,...
    public static func values(parsing body: String, name rawName: String,
                              usage: String = "expected START:STOP:COUNT or V1,V2,...") throws(GameError) -> [Double] {
        func number(_ text: Substring) throws(GameError) -> Double {
            let trimmed = text.trimmingCharacters(in: .whitespaces)
            guard let value = Double(trimmed), value.isFinite else {
                throw .invalidParameter(name: "grid \(rawName)", value: "'\(trimmed)'", accepted: "expected a finite number")
            }
            return value
        }
        if body.contains(":") {
            let parts = body.split(separator: ":", omittingEmptySubsequences: false)
            guard parts.count == 3 else { throw .invalidParameter(name: "grid \(rawName)", value: "'\(body)'", accepted: usage) }
            let start = try number(parts[0]), stop = try number(parts[1])
            let countText = parts[2].trimmingCharacters(in: .whitespaces)
            guard let count = Int(countText), count >= 1, count <= maximumCount else {
                throw .invalidParameter(name: "grid \(rawName) COUNT", value: "'\(countText)'", accepted: "expected a whole number from 1 to \(maximumCount)")
            }
            guard count > 1 || start == stop else {
                throw .invalidParameter(name: "grid \(rawName) COUNT", value: "1", accepted: "a single value needs START == STOP (or write NAME=V)")
            }
            let step = count > 1 ? (stop - start) / Double(count - 1) : 0
            return (0..<count).map { i in i == count - 1 ? stop : start + Double(i) * step }
        }
        var values: [Double] = []
        for part in body.split(separator: ",", omittingEmptySubsequences: false) { values.append(try number(part)) }
        guard !values.isEmpty else { throw .invalidConfiguration("grid \(rawName) has no values") }
        return values
    }
}
