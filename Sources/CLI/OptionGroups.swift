/// Options that several commands take, declared once: each command's spec includes the group
/// where it lists them, so names, defaults and help cannot drift apart between commands.
enum OptionGroups {
    /// The transformer's shape (`train`, `selfimprove`, `study`).
    static let modelShape: [CommandSpec.Option] = [
        .init(name: "width", value: "C", help: "Model width.", defaultValue: "128"),
        .init(name: "depth", value: "L", help: "Transformer blocks.", defaultValue: "4"),
        .init(name: "heads", value: "H", help: "Attention heads.", defaultValue: "4"),
    ]

    /// The corrigibility probe's human, costs and belief (`selfimprove --offswitch-probe`, `study`).
    static let probe: [CommandSpec.Option] = [
        .init(name: "human", value: "NAME", help: "Probe: the human, rational, boltzmann, p-rational or constant.", defaultValue: "boltzmann"),
        .init(name: "beta", value: "X", help: "Probe: Boltzmann temperature.", defaultValue: "0.5"),
        .init(name: "p", value: "X", help: "Probe: p-rational human's probability of acting rationally.", defaultValue: "0.9"),
        .init(name: "wrong-cost", value: "X", help: "Probe: the cost of a wrong answer that goes through.", defaultValue: "1"),
        .init(name: "probe-source", value: "NAME", help: "Probe: the belief, from the sequence, answer or vote confidence, or samples (the k samples' utilities).", defaultValue: "answer"),
        .init(name: "recalibration", value: "NAME", help: "Probe: isotonic or temperature, for the recalibrated baseline.", defaultValue: "isotonic"),
    ]
}
