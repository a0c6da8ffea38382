/// The built-in tasks by name, for the command line and checkpoints.
public enum TaskRegistry {
    public static let all: [any ReasoningTask] = [AdditionTask(), ModularChainTask(), AdditionTask(width: 6), AdditionTask(width: 6, shifted: true)]

    public static var names: [String] { all.map(\.name) }

    public static func task(named name: String) throws(ReasonerError) -> any ReasoningTask {
        guard let task = all.first(where: { $0.name == name }) else {
            throw .badProblem("unknown task '\(name)'; expected one of: \(names.joined(separator: ", "))")
        }
        return task
    }
}
