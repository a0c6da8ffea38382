/// The built-in tasks by name, for the command line and checkpoints.
public enum TaskRegistry {
    /// Every built-in task.
    public static let all: [any ReasoningTask] = [
        AdditionTask(), ModularChainTask(), MultiplicationTask(), SubtractionTask(), WordProblemTask(), MixedTask(),
        AdditionTask(width: 6), AdditionTask(width: 6, shifted: true),
    ]

    /// Field widths that `addition-padded-W` and `addition-shifted-W` accept (6 is the unsuffixed name).
    public static let fieldWidths = 2...12

    /// Their names.
    public static var names: [String] { all.map(\.name) }

    /// The names for help texts: the fixed ones and the width-suffixed forms.
    public static var described: String {
        names.joined(separator: ", ") + ", or addition-padded-W / addition-shifted-W for a field of W = "
            + "\(fieldWidths.lowerBound)-\(fieldWidths.upperBound) digits"
    }

    /// The task of this name; `ReasonerError.badProblem` listing the names if there is none.
    public static func task(named name: String) throws(ReasonerError) -> any ReasoningTask {
        // AdditionTask.name is the one place that spells the width-suffixed names.
        let widths = fieldWidths.flatMap { w in [AdditionTask(width: w), AdditionTask(width: w, shifted: true)] }
        if let task = all.first(where: { $0.name == name }) ?? widths.first(where: { $0.widthSpelledName == name }) { return task }
        throw .badProblem("unknown task '\(name)'; expected one of: \(described)")
    }

    /// Whether a model trained on task `trained` may be used on task `used`: the same task, or two
    /// layouts of one addition field (padded and shifted operands of the same width W: a model
    /// trained on shifted operands is meant to be tested on plainly padded ones). Anything else
    /// (addition against modchain, a 6- against a 10-place field) reads prompts the model never saw.
    /// A model of the mixture may be used on each of its members.
    public static func isCompatible(trained: String, used: String) -> Bool {
        guard trained != used else { return true }
        if trained == MixedTask().name { return MixedTask().members.contains { $0.name == used } }
        guard let a = try? task(named: trained) as? AdditionTask, let b = try? task(named: used) as? AdditionTask,
              let wa = a.width, let wb = b.width else { return false }
        return wa == wb
    }

    /// The vocabularies a model used on `task` may have: those of the tasks whose models it
    /// accepts (its own; the mixture's for a member), distinct, in registry order.
    public static func vocabularies(usableOn task: any ReasoningTask) -> [Vocabulary] {
        var result = [task.vocabulary]
        for trained in all where isCompatible(trained: trained.name, used: task.name) && !result.contains(trained.vocabulary) {
            result.append(trained.vocabulary)
        }
        return result
    }
}
