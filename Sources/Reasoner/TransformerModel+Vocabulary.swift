import SafetyKitNumerics

extension TransformerModel {
    /// The same model with `extra` more tokens: the token embedding (which is also the tied output
    /// head) gains rows drawn from N(0, scale²); every other weight is copied. Appended tokens keep
    /// the old ids valid, so on text of the old vocabulary the new model computes the same hidden
    /// states, and its next-token distribution differs only by the mass the new rows take. A judge
    /// starts from its policy this way.
    public func extendingVocabulary(by extra: Int, seed: UInt64, scale: Float = 0.02) throws(ReasonerError) -> TransformerModel {
        guard extra >= 0 else { throw .badConfiguration("cannot remove tokens from a model (asked to add \(extra))") }
        var configuration = configuration
        configuration.vocabularySize += extra
        let embedding = layout.size(.wte)
        var stream = RandomStream(seed: seed, purpose: .vocabularyExtension)
        var grown = Array(parameters[0..<embedding])
        grown.reserveCapacity(parameters.count + extra * configuration.width)
        for _ in 0..<(extra * configuration.width) { grown.append(Float(stream.nextNormal()) * scale) }
        grown += parameters[embedding...]
        return try TransformerModel(configuration: configuration, parameters: grown)
    }
}
