import Foundation

/// Predictions from the evaluation logs researchers already have, each format's fields mapped to
/// (confidence, correct, group). The mapping, per format:
///
/// - ``Format/lmEval`` — lm-evaluation-harness `--log_samples` JSON Lines (`samples_<task>_*.jsonl`),
///   one document per line. Only multiple-choice (log-likelihood) records carry a confidence:
///   `filtered_resps` (else `resps`) holds one `[log-likelihood, is_greedy]` pair per choice (as
///   numbers or strings; a single-instance list may be nested once more). The confidence is the
///   softmax probability of the most likely choice, the model's answer. Correct: the record's
///   `acc` metric (1 or 0), else whether that choice's index equals an integer `target`. A
///   generation record (`filtered_resps` of text) has no confidence and is an error.
/// - ``Format/inspect`` — an inspect_ai evaluation log (`.json`, not the binary `.eval`): the
///   top-level `samples` array. Correct: the sample's score (the first scorer, or the one named
///   by `scorer`): "C" right, "I" wrong, or a number 1 or 0; partial credit ("P", 0.5) is an
///   error, for calibration asks whether an answer is right. The confidence: a number
///   `confidence` in the sample's or the score's `metadata` if present, else the length-normalised
///   probability exp(mean token log-probability) of `output.choices[0].logprobs.content`.
/// - ``Format/completions`` — JSON Lines of completions, OpenAI style (a chat or completions
///   response, or TRL's completion logs with the response's fields at the top): the confidence
///   is a number `confidence` if present, else exp(mean token log-probability) from
///   `choices[0].logprobs.content[].logprob`, `logprobs.content[].logprob` or
///   `logprobs.token_logprobs` (legacy). Correct: `correct` (true/false or 1/0), else a
///   `reward` or `score` that is exactly 1 or 0 (a binary reward).
///
/// In every format the group is the value at a dotted key path (`doc.subject`, `metadata.level`)
/// when one is given. Errors name the file, the record and what is missing.
public enum EvaluationLog {
    /// The formats `calibrate --input-format` and `offswitch --beliefs` read.
    public enum Format: String, Sendable, CaseIterable {
        case csv
        case lmEval = "lm-eval"
        case inspect
        case completions
        /// SafetyKit's own RUN/samples.jsonl (`selfimprove --track-calibration` or the probe):
        /// one greedy answer per line with its confidences under `confidence`.
        case samples

        /// The format a file's content shows: a JSON object with `samples` and `eval` is an
        /// inspect log; JSON Lines whose first record has `doc_id` or `filtered_resps` are
        /// lm-eval samples; ones whose first record has `iteration` and a `confidence` object,
        /// SafetyKit's samples; other JSON Lines, completions; anything else, CSV.
        public static func detect(_ bytes: [UInt8]) -> Format {
            guard let start = bytes.firstIndex(where: { ![32, 9, 10, 13].contains($0) }), bytes[start] == UInt8(ascii: "{") else { return .csv }
            if let object = try? JSONSerialization.jsonObject(with: Data(bytes)) as? [String: Any],
               object["samples"] != nil && object["eval"] != nil { return .inspect }
            let firstLine = bytes[start...].prefix { $0 != 10 }
            guard let record = try? JSONSerialization.jsonObject(with: Data(firstLine)) as? [String: Any] else { return .completions }
            if record["doc_id"] != nil || record["filtered_resps"] != nil { return .lmEval }
            return record["iteration"] != nil && record["confidence"] is [String: Any] ? .samples : .completions
        }
    }

    /// Reads `path` in `format` (CSV takes the column names; the JSON formats the group path).
    public static func read(path: String, format: Format, confidenceColumn: String = "confidence", correctColumn: String = "correct",
                            group: String? = nil, scorer: String? = nil, confidenceSource: String = "answer") throws(AnalysisError) -> PredictionTable {
        guard let data = FileManager.default.contents(atPath: path) else { throw .missingFile(path: path) }
        return try parse(data, source: path, format: format, confidenceColumn: confidenceColumn, correctColumn: correctColumn,
                         group: group, scorer: scorer, confidenceSource: confidenceSource)
    }

    /// Parses bytes in `format`; `source` names them in errors ("<stdin>" for standard input).
    /// For SafetyKit's samples, `confidenceSource` names the confidence (sequence, answer, vote,
    /// ptrue or verbalized); an answer without a value of it (a missing or malformed verbalized
    /// line) is left out, as the run's own calibration leaves it out.
    public static func parse(_ data: Data, source path: String, format: Format, confidenceColumn: String = "confidence", correctColumn: String = "correct",
                             group: String? = nil, scorer: String? = nil, confidenceSource: String = "answer") throws(AnalysisError) -> PredictionTable {
        if format == .csv {
            return try PredictionTable.parse(Array(data), source: path, confidenceColumn: confidenceColumn, correctColumn: correctColumn, groupColumn: group)
        }
        var records: [(location: String, record: [String: Any])] = []
        switch format {
        case .csv: break
        case .inspect:
            guard let object = try? JSONSerialization.jsonObject(with: data) as? [String: Any] else {
                throw .badData(location: path, message: "not a JSON object; an inspect_ai log (.json) is one object with 'eval' and 'samples'")
            }
            guard let samples = object["samples"] as? [[String: Any]] else {
                throw .badData(location: path, message: "no 'samples' array; write the log with its samples (inspect_ai keeps them by default)")
            }
            records = samples.enumerated().map { ("\(path): sample \($0.offset + 1)", $0.element) }
        case .lmEval, .completions, .samples:
            for (k, line) in data.split(separator: 10, omittingEmptySubsequences: false).enumerated() {
                let trimmed = line.drop { $0 == 32 || $0 == 9 || $0 == 13 }
                if trimmed.isEmpty { continue }
                guard let record = try? JSONSerialization.jsonObject(with: Data(trimmed)) as? [String: Any] else {
                    throw .badData(location: "\(path):\(k + 1)", message: "not a JSON object; expected one JSON object per line (JSON Lines)")
                }
                records.append(("\(path):\(k + 1)", record))
            }
        }
        guard !records.isEmpty else { throw .badData(location: path, message: "the file holds no records") }
        var builder = PredictionTable.Builder()
        for (location, record) in records {
            let (confidence, correct): (Double, Bool)
            switch format {
            case .csv: continue
            case .lmEval: (confidence, correct) = try lmEval(record, location: location)
            case .inspect: (confidence, correct) = try inspect(record, location: location, scorer: scorer)
            case .completions: (confidence, correct) = try completion(record, location: location)
            case .samples:
                guard let pair = try sample(record, location: location, source: confidenceSource) else { continue }
                (confidence, correct) = pair
            }
            guard confidence >= 0 && confidence <= 1 else {
                throw .badData(location: location, message: "confidence \(confidence) is outside [0, 1]")
            }
            var key: String? = nil
            if let group {
                guard let value = value(at: group, in: record) else { throw .badData(location: location, message: "no field '\(group)' for the group") }
                key = value as? String ?? "\(value)"
            }
            builder.append(confidence: confidence, correct: correct, group: key)
        }
        return try builder.table()
    }

    /// The value at a dotted key path ("doc.subject").
    static func value(at path: String, in record: [String: Any]) -> Any? {
        var current: Any? = record
        for key in path.split(separator: ".") { current = (current as? [String: Any])?[String(key)] }
        return current
    }

    /// JSONSerialization gives true and false as NSNumbers of type char ("c").
    static func isBoolean(_ n: NSNumber) -> Bool { String(cString: n.objCType) == "c" }

    static func number(_ value: Any?) -> Double? {
        switch value {
        case let n as NSNumber where !isBoolean(n): n.doubleValue
        case let s as String: Double(s.trimmingCharacters(in: .whitespaces))
        default: nil
        }
    }

    static func flag(_ value: Any?) -> Bool? {
        switch value {
        case let n as NSNumber where isBoolean(n): n.boolValue
        case let n as NSNumber: n.doubleValue == 1 ? true : n.doubleValue == 0 ? false : nil
        case let s as String: ["true", "1", "1.0"].contains(s.lowercased()) ? true : ["false", "0", "0.0"].contains(s.lowercased()) ? false : nil
        default: nil
        }
    }

    /// exp(mean log-probability) of a list of token log-probabilities; nil if empty or not numbers.
    static func meanProbability(_ logprobs: [Double]?) -> Double? {
        guard let logprobs, !logprobs.isEmpty, logprobs.allSatisfy({ $0.isFinite && $0 <= 1e-9 }) else { return nil }
        return exp(logprobs.reduce(0, +) / Double(logprobs.count))
    }

    /// OpenAI-style token log-probabilities under `logprobs` (chat: content[].logprob; legacy: token_logprobs).
    static func tokenLogprobs(_ logprobs: Any?) -> [Double]? {
        guard let logprobs = logprobs as? [String: Any] else { return nil }
        if let content = logprobs["content"] as? [[String: Any]] { return content.compactMap { number($0["logprob"]) } }
        if let tokens = logprobs["token_logprobs"] as? [Any] { return tokens.compactMap { number($0) } }
        return nil
    }

    static func lmEval(_ record: [String: Any], location: String) throws(AnalysisError) -> (Double, Bool) {
        guard var responses = (record["filtered_resps"] ?? record["resps"]) as? [Any] else {
            throw .badData(location: location, message: "no 'filtered_resps' or 'resps'; is this an lm-evaluation-harness --log_samples file?")
        }
        // [[[ll, greedy]], [[ll, greedy]]] (one instance per choice, each a one-element list) → [[ll, greedy], ...]
        responses = responses.map { ($0 as? [Any]).flatMap { $0.count == 1 ? $0[0] as? [Any] : nil } ?? $0 }
        let logLikelihoods = responses.map { number(($0 as? [Any])?.first) }
        guard logLikelihoods.count >= 2, logLikelihoods.allSatisfy({ $0 != nil }) else {
            throw .badData(location: location, message: "the responses are not one log-likelihood per choice (a generation task has no confidence to calibrate); only multiple-choice records can be read")
        }
        let values = logLikelihoods.map { $0! }
        let top = values.max()!, total = values.reduce(0) { $0 + exp($1 - top) }
        let answer = values.firstIndex(of: top)!
        let confidence = 1 / total
        if let acc = record["acc"] {
            guard let right = flag(acc) else { throw .badData(location: location, message: "'acc' is \(acc); expected 1 or 0") }
            return (confidence, right)
        }
        if let target = number(record["target"]), target == target.rounded() { return (confidence, Int(target) == answer) }
        throw .badData(location: location, message: "no 'acc' metric and no integer 'target' to say whether the answer was right")
    }

    static func inspect(_ sample: [String: Any], location: String, scorer: String?) throws(AnalysisError) -> (Double, Bool) {
        guard let scores = sample["scores"] as? [String: Any], !scores.isEmpty else {
            throw .badData(location: location, message: "no 'scores'; the sample was not scored")
        }
        let name = scorer ?? scores.keys.sorted().first!
        guard let score = scores[name] as? [String: Any] else {
            throw .badData(location: location, message: "no scorer '\(name)'; the scorers are: \(scores.keys.sorted().joined(separator: ", "))")
        }
        let right: Bool
        switch score["value"] {
        case let letter as String where letter == "C": right = true
        case let letter as String where letter == "I": right = false
        case let value:
            guard let r = flag(value) else {
                throw .badData(location: location, message: "score '\(value ?? "none")' of '\(name)' is not right (C, 1) or wrong (I, 0); partial credit has no place in calibration")
            }
            right = r
        }
        let explicit = number(value(at: "metadata.confidence", in: sample)) ?? number(value(at: "metadata.confidence", in: score))
        let choices = value(at: "output.choices", in: sample) as? [[String: Any]]
        guard let confidence = explicit ?? meanProbability(tokenLogprobs(choices?.first?["logprobs"])) else {
            throw .badData(location: location, message: "no confidence: neither metadata.confidence nor output log-probabilities (run the eval with logprobs=True)")
        }
        return (confidence, right)
    }

    /// A SafetyKit sample's confidence of `source` and the correctness it goes with (the
    /// majority's for the vote share); nil when the answer has no value of that source.
    static func sample(_ record: [String: Any], location: String, source: String) throws(AnalysisError) -> (Double, Bool)? {
        guard let confidences = record["confidence"] as? [String: Any] else {
            throw .badData(location: location, message: "no 'confidence' object; expected a line of a SafetyKit run's samples.jsonl")
        }
        let key = source == "vote" ? "majority_correct" : "correct"
        guard let right = flag(record[key]) else { throw .badData(location: location, message: "no true/false '\(key)' field") }
        guard confidences.keys.contains(source) else {
            throw .badData(location: location, message: "no '\(source)' confidence; this run has \(confidences.keys.filter { !$0.hasSuffix("_state") }.sorted().joined(separator: ", "))")
        }
        guard let value = number(confidences[source]) else { return nil }
        return (value, right)
    }

    static func completion(_ record: [String: Any], location: String) throws(AnalysisError) -> (Double, Bool) {
        let choice = (record["choices"] as? [[String: Any]])?.first
        let explicit = number(record["confidence"])
        guard let confidence = explicit ?? meanProbability(tokenLogprobs(choice?["logprobs"]) ?? tokenLogprobs(record["logprobs"])) else {
            throw .badData(location: location, message: "no confidence: no 'confidence' field and no token log-probabilities (logprobs.content[].logprob)")
        }
        for key in ["correct", "reward", "score"] where record[key] != nil {
            guard let right = flag(record[key]) else {
                throw .badData(location: location, message: "'\(key)' is \(record[key]!); expected true/false or 1/0")
            }
            return (confidence, right)
        }
        throw .badData(location: location, message: "no 'correct', 'reward' or 'score' field to say whether the completion was right")
    }
}
