/// Pairs of a stated confidence c in [0, 1] that an answer is right and whether it was (o).
public struct Predictions: Sendable {
    /// Stated confidences, each in [0, 1].
    public let confidences: [Double]
    /// Whether each answer was right.
    public let correct: [Bool]

    /// The number of predictions.
    public var count: Int { confidences.count }

    /// Validates the pairs: equal lengths, at least one pair, confidences finite and in [0, 1].
    public init(confidences: [Double], correct: [Bool]) throws(AnalysisError) {
        guard confidences.count == correct.count else {
            throw .badData(location: "predictions", message: "\(confidences.count) confidences but \(correct.count) outcomes")
        }
        guard !confidences.isEmpty else { throw .badData(location: "predictions", message: "no predictions to evaluate") }
        for (i, c) in confidences.enumerated() where !(c >= 0 && c <= 1) {
            throw .badData(location: "prediction \(i + 1)", message: "confidence \(c) is outside [0, 1]")
        }
        self.confidences = confidences
        self.correct = correct
    }

}
