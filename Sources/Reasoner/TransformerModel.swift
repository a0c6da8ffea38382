import Foundation
import SafetyKitNumerics

/// A decoder-only transformer's parameters: one flat float32 buffer laid out by `ParameterLayout`.
/// A value type: copying a model copies its weights (copy-on-write), so a frozen reference model
/// for DPO is just another variable.
public struct TransformerModel: Sendable {
    /// The shape.
    public let configuration: ModelConfiguration
    /// Where each tensor lives in `parameters`.
    public let layout: ParameterLayout
    /// Every weight, in one flat float32 buffer.
    public var parameters: [Float]

    /// GPT-2's initialisation: N(0, 0.02) for embeddings and matrices, with the two projections
    /// into the residual stream scaled by 1/√(2L); zero biases; unit LayerNorm gains.
    public init(configuration: ModelConfiguration, seed: UInt64, scale: Float = 0.02) throws(ReasonerError) {
        try configuration.validate()
        self.configuration = configuration
        layout = ParameterLayout(configuration)
        var parameters = [Float](repeating: 0, count: layout.count)
        var stream = RandomStream(seed: seed, purpose: .modelInitialization)
        let residualScale = scale / Float(2 * configuration.depth).squareRoot()
        for tensor in ParameterLayout.Tensor.allCases {
            let start = layout.offset(tensor), end = start + layout.size(tensor)
            switch tensor {
            case .wte, .wpe, .qkvw, .fcw:
                for i in start..<end { parameters[i] = Float(stream.nextNormal()) * scale }
            case .attprojw, .fcprojw:
                for i in start..<end { parameters[i] = Float(stream.nextNormal()) * residualScale }
            case .ln1w, .ln2w, .lnfw:
                for i in start..<end { parameters[i] = 1 }
            default:
                break
            }
        }
        self.parameters = parameters
    }

    /// A model from stored weights (checkpoints).
    public init(configuration: ModelConfiguration, parameters: [Float]) throws(ReasonerError) {
        try configuration.validate()
        let layout = ParameterLayout(configuration)
        guard parameters.count == layout.count else {
            throw .badConfiguration("expected \(layout.count) parameters for this configuration, got \(parameters.count)")
        }
        self.configuration = configuration
        self.layout = layout
        self.parameters = parameters
    }

    /// The number of parameters.
    public var parameterCount: Int { layout.count }
}
