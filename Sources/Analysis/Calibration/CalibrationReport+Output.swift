import Foundation

// Text, CSV and JSON forms of calibration reports, for `safetykit calibrate` and run directories.
extension CalibrationReport {
    /// CSV columns: n, the metrics, the bin count and scheme, then a lower and upper column per
    /// metric when bootstrap intervals were computed.
    public static func csvHeader(grouped: Bool, intervals: Bool) -> [String] {
        var header = grouped ? ["group", "n"] : ["n"]
        header += CalibrationMetric.allCases.map(\.rawValue) + ["bins", "binning"]
        if intervals { header += CalibrationMetric.allCases.flatMap { ["\($0.rawValue)_ci_lo", "\($0.rawValue)_ci_hi"] } + ["interval_method"] }
        return header
    }

    /// One CSV record. A missing AUROC is an empty field.
    public func csvRecord(group: String?, intervals: Bool) -> String {
        var fields = group.map { [$0] } ?? []
        fields.append(CSVNumber.format(n))
        fields += CalibrationMetric.allCases.map { value($0).map(CSVNumber.format) ?? "" }
        fields += [String(binning.count), binning.scheme]
        if intervals {
            for metric in CalibrationMetric.allCases {
                let interval = self.intervals[metric]
                fields += [interval.map { CSVNumber.format($0.lowerBound) } ?? "", interval.map { CSVNumber.format($0.upperBound) } ?? ""]
            }
            fields.append(intervalMethod.rawValue)
        }
        return CSVWriter.record(fields)
    }

    /// The JSON object: n, the metrics (auroc null when undefined), bins, binning, and `*_ci`
    /// pairs when bootstrapped.
    package func json(group: String?) -> JSONValue {
        var members: [(String, JSONValue)] = group.map { [("group", .string($0))] } ?? []
        members.append(("n", .number(n)))
        for metric in CalibrationMetric.allCases { members.append((metric.rawValue, value(metric).map(JSONValue.number) ?? .null)) }
        members.append(("bins", .array(bins.map { bin in
            .object([("lower", .number(bin.lower)), ("upper", .number(bin.upper)), ("count", .number(bin.count)),
                     ("mean_confidence", .number(bin.meanConfidence)), ("accuracy", .number(bin.accuracy))])
        })))
        members += [("binning", .string(binning.scheme)), ("bin_count", .number(Double(binning.count))),
                    ("nll_clip", .number(Self.nllClip))]
        for metric in CalibrationMetric.allCases {
            if let interval = intervals[metric] {
                members.append(("\(metric.rawValue)_ci", .array([.number(interval.lowerBound), .number(interval.upperBound)])))
            }
        }
        if !intervals.isEmpty { members.append(("interval_method", .string(intervalMethod.rawValue))) }
        return .object(members)
    }

    /// A readable summary with the reliability table.
    public func table(title: String) -> String {
        var lines = [title, ""]
        let hasIntervals = !intervals.isEmpty
        lines.append("  metric            value" + (hasIntervals ? "      95% \(intervalMethod == .bca ? "BCa" : "percentile") bootstrap interval" : ""))
        let names: [CalibrationMetric: String] = [.accuracy: "accuracy", .meanConfidence: "mean confidence", .ece: "ECE (plug-in)",
            .eceDebiased: "ECE (debiased)", .mce: "MCE",
            .rmsce: "RMSCE", .brier: "Brier", .reliability: "  reliability", .resolution: "  resolution", .uncertainty: "  uncertainty",
            .nll: "NLL", .auroc: "AUROC"]
        for metric in CalibrationMetric.allCases {
            var line = "  " + names[metric]!.padding(toLength: 16, withPad: " ", startingAt: 0)
            if let v = value(metric) { line += String(format: "%8.4f", v) } else { line += "       —  (undefined: only one class)" }
            if let interval = intervals[metric] { line += String(format: "    [%.4f, %.4f]", interval.lowerBound, interval.upperBound) }
            lines.append(line)
        }
        lines.append("")
        lines.append("  Brier = reliability − resolution + uncertainty over the bins; NLL clips c to [1e-12, 1 − 1e-12].")
        lines.append("  The plug-in ECE is biased upwards; the debiased one (Kumar et al. 2019) subtracts that bias and may be below 0.")
        lines.append("")
        lines.append("  reliability (\(binning.description)):")
        lines.append("    " + "bin".padding(toLength: 18, withPad: " ", startingAt: 0) + "      n" + "     conf" + "      acc" + "      gap")
        for bin in bins {
            let range = String(format: "[%.3f, %.3f%@", bin.lower, bin.upper, bin.upper >= 1 && binning.scheme == "equal-width" ? "]" : ")")
            let stats = bin.count > 0 ? String(format: "%8.4f %8.4f %+8.4f", bin.meanConfidence, bin.accuracy, bin.accuracy - bin.meanConfidence) : "       (empty)"
            let count = CSVNumber.format(bin.count)
            lines.append("    " + range.padding(toLength: 18, withPad: " ", startingAt: 0) + String(repeating: " ", count: max(0, 7 - count.count)) + count + " " + stats)
        }
        return lines.joined(separator: "\n") + "\n"
    }
}
