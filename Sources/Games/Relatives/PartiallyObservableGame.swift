import Foundation

/// The partially observable off-switch game (Garber, Subramani, Luu, Bedaywi, Russell and
/// Emmons, AAAI 2025). A hidden state s is drawn from a prior; H and R each receive their own
/// observation of it. R acts, switches off, or waits; after a wait H lets the action through or
/// switches R off. The payoff is u_act(s) if the action goes through and u_off(s) otherwise;
/// both players share it. The optimal policy pair is found by enumerating every deterministic
/// pair (a team problem with a common payoff has a deterministic optimum).
public struct PartiallyObservableGame: Sendable, Equatable {
    /// One hidden state: its prior probability, payoffs, and each player's observation
    /// distribution (observation name → probability).
    public struct State: Sendable, Equatable, Codable {
        /// A label for the state.
        public var name: String
        /// Its prior probability.
        public var prior: Double
        /// The payoff if the action goes through.
        public var act: Double
        /// The payoff if the robot is switched off.
        public var off: Double
        /// The human's observation distribution in this state.
        public var human: [String: Double]
        /// The robot's observation distribution in this state.
        public var robot: [String: Double]

        /// A state of the game.
        public init(name: String, prior: Double, act: Double, off: Double, human: [String: Double], robot: [String: Double]) {
            self.name = name
            self.prior = prior
            self.act = act
            self.off = off
            self.human = human
            self.robot = robot
        }
    }

    /// The game's name.
    public var name: String
    /// Its states (priors summing to 1).
    public var states: [State]
    /// The players' observations, sorted, as policies index them.
    public let humanObservations: [String]
    /// The observations the robot can receive.
    public let robotObservations: [String]

    /// The most policy pairs `solve` enumerates (3^|O_R| · 2^|O_H|).
    public static let enumerationLimit = 50_000_000

    /// A game; the priors must sum to 1 and every observation distribution too.
    public init(name: String, states: [State]) throws(GameError) {
        guard !states.isEmpty else { throw .invalidConfiguration("a partially observable game needs at least one state") }
        var total = 0.0
        for (i, s) in states.enumerated() {
            let place = "states[\(i)] (\(s.name))"
            guard s.prior.isFinite, s.prior >= 0 else {
                throw .invalidParameter(name: "\(place).prior", value: GameError.format(s.prior), accepted: "expected a probability >= 0")
            }
            try GameError.requireFinite(s.act, "\(place).act")
            try GameError.requireFinite(s.off, "\(place).off")
            for (who, observations) in [("human", s.human), ("robot", s.robot)] {
                guard !observations.isEmpty else { throw .invalidConfiguration("\(place).\(who): needs at least one observation with its probability") }
                for (o, p) in observations where !(p.isFinite && p >= 0) {
                    throw .invalidParameter(name: "\(place).\(who)[\"\(o)\"]", value: GameError.format(p), accepted: "expected a probability >= 0")
                }
                let sum = observations.values.reduce(0, +)
                guard abs(sum - 1) <= 1e-9 else {
                    throw .invalidParameter(name: "\(place).\(who)", value: "summing to \(GameError.format(sum))",
                                            accepted: "an observation function's probabilities must sum to 1")
                }
            }
            total += s.prior
        }
        guard abs(total - 1) <= 1e-9 else {
            throw .invalidParameter(name: "the states' priors", value: "summing to \(GameError.format(total))", accepted: "expected priors that sum to 1")
        }
        self.name = name
        self.states = states
        humanObservations = Array(Set(states.flatMap(\.human.keys))).sorted()
        robotObservations = Array(Set(states.flatMap(\.robot.keys))).sorted()
    }

    /// The robot's moves: act, wait (propose and let the human decide), or switch off.
    public enum RobotMove: String, Sendable, CaseIterable, Codable { case act, wait, off }
    /// The human's answers after the robot waits.
    public enum HumanMove: String, Sendable, CaseIterable, Codable { case on, off }

    /// A deterministic policy pair: R's move per robot observation, H's per human observation.
    public struct PolicyPair: Sendable, Equatable, Hashable {
        /// The robot's move for each of its observations.
        public var robot: [String: RobotMove]
        /// The human's answer for each of its observations.
        public var human: [String: HumanMove]
        /// A pair of deterministic policies.
        public init(robot: [String: RobotMove], human: [String: HumanMove]) {
            self.robot = robot
            self.human = human
        }
    }

    /// Calls `body` with every deterministic policy pair, R's policies outermost.
    public func forEachPair(_ body: (PolicyPair) -> Void) {
        let robotPolicies = Int(pow(3, Double(robotObservations.count))), humanPolicies = 1 << humanObservations.count
        for r in 0..<robotPolicies {
            var robot: [String: RobotMove] = [:], code = r
            for o in robotObservations { robot[o] = RobotMove.allCases[code % 3]; code /= 3 }
            for h in 0..<humanPolicies {
                var human: [String: HumanMove] = [:]
                for (k, o) in humanObservations.enumerated() { human[o] = (h >> k) & 1 == 1 ? .on : .off }
                body(PolicyPair(robot: robot, human: human))
            }
        }
    }

    /// The expected common payoff of a policy pair.
    public func value(_ pair: PolicyPair) -> Double {
        var total = 0.0
        for s in states where s.prior > 0 {
            for (oR, pR) in s.robot where pR > 0 {
                switch pair.robot[oR] ?? .off {
                case .act: total += s.prior * pR * s.act
                case .off: total += s.prior * pR * s.off
                case .wait:
                    for (oH, pH) in s.human where pH > 0 {
                        total += s.prior * pR * pH * ((pair.human[oH] ?? .off) == .on ? s.act : s.off)
                    }
                }
            }
        }
        return total
    }

    /// The game solved: the optimal value, every optimal pair, and the best value among pairs in
    /// which R always waits.
    public struct Solution: Sendable, Equatable {
        /// The optimal team value.
        public var value: Double
        /// Every policy pair that reaches it.
        public var optimal: [PolicyPair]
        /// The best value among pairs in which the robot always waits.
        public var bestAlwaysWait: Double
        /// How many pairs were enumerated.
        public var pairsEnumerated: Int
    }

    /// Enumerates every deterministic policy pair. Values within 1e-12 of the best are ties.
    public func solve() throws(GameError) -> Solution {
        let robotCount = robotObservations.count, humanCount = humanObservations.count
        let pairs = pow(3, Double(robotCount)) * pow(2, Double(humanCount))
        guard pairs <= Double(Self.enumerationLimit) else {
            throw .invalidConfiguration("\(name) has \(robotCount) robot and \(humanCount) human observations: \(GameError.format(pairs)) policy pairs, "
                                        + "more than the \(Self.enumerationLimit) that exact enumeration allows")
        }
        var best = -Double.infinity, optimal: [PolicyPair] = [], bestWait = -Double.infinity, count = 0
        forEachPair { pair in
            let v = value(pair)
            count += 1
            if pair.robot.values.allSatisfy({ $0 == .wait }) { bestWait = max(bestWait, v) }
            if v > best + 1e-12 { best = v; optimal = [pair] } else if abs(v - best) <= 1e-12 { optimal.append(pair) }
        }
        return Solution(value: best, optimal: optimal, bestAlwaysWait: bestWait, pairsEnumerated: count)
    }
}

extension PartiallyObservableGame {
    /// The game's JSON form: {"name": ..., "states": [{"name", "prior", "act", "off", "human": {obs: p}, "robot": {obs: p}}]}.
    struct File: Codable {
        var name: String?
        var states: [State]
    }

    /// Reads a game from JSON; a malformed file is an error naming where (a JSON path).
    public static func decode(_ data: Data, source: String) throws(GameError) -> PartiallyObservableGame {
        let file: File
        do {
            file = try JSONDecoder().decode(File.self, from: data)
        } catch let DecodingError.keyNotFound(key, context) {
            throw .invalidConfiguration("\(source): \(path(context.codingPath + [key])): missing \"\(key.stringValue)\"")
        } catch let DecodingError.typeMismatch(_, context), let DecodingError.valueNotFound(_, context) {
            throw .invalidConfiguration("\(source): \(path(context.codingPath)): \(context.debugDescription)")
        } catch let DecodingError.dataCorrupted(context) {
            let underlying = (context.underlyingError as NSError?)?.userInfo["NSDebugDescription"] as? String
            throw .invalidConfiguration("\(source): \(context.codingPath.isEmpty ? "" : path(context.codingPath) + ": ")not valid JSON\(underlying.map { " (\($0))" } ?? "")")
        } catch {
            throw .invalidConfiguration("\(source): cannot read the game: it is not a JSON game description")
        }
        do {
            return try PartiallyObservableGame(name: file.name ?? source, states: file.states)
        } catch {
            throw .invalidConfiguration("\(source): \(error.description)")
        }
    }

    static func path(_ keys: [CodingKey]) -> String {
        keys.map { $0.intValue.map { "[\($0)]" } ?? ".\($0.stringValue)" }.joined().trimmingCharacters(in: CharacterSet(charactersIn: "."))
    }

    /// The File Deletion Game (Garber et al. 2025): version ∈ {1.0, 2.0} × code ∈ {L, M}, uniform;
    /// H sees the version, R the code; u_act = [[3, −5], [−1, 5]], u_off = 0. Optimal value 7/4.
    public static var fileDeletion: PartiallyObservableGame {
        versions(["1.0": [3, -5], "2.0": [-1, 5]], human: { $0 }, name: "file deletion")
    }

    /// Example 4.10: three versions, u_act = [[1, −5], [−2, 3], [3, 3]]. With `coarse`, H sees only
    /// 1.x against 2.0 (value 1, R waits on both codes); otherwise the full version (value 4/3).
    public static func example410(coarse: Bool) -> PartiallyObservableGame {
        versions(["1.0": [1, -5], "1.1": [-2, 3], "2.0": [3, 3]], human: { coarse ? ($0.hasPrefix("1.") ? "1.x" : $0) : $0 },
                 name: coarse ? "example 4.10, H sees 1.x or 2.0" : "example 4.10, H sees the version")
    }

    static func versions(_ payoffs: [String: [Double]], human: (String) -> String, name: String) -> PartiallyObservableGame {
        let versions = payoffs.keys.sorted(), prior = 1 / Double(2 * versions.count)
        var states: [State] = []
        for v in versions {
            for (c, code) in ["L", "M"].enumerated() {
                states.append(State(name: "\(v)/\(code)", prior: prior, act: payoffs[v]![c], off: 0, human: [human(v): 1], robot: [code: 1]))
            }
        }
        return try! PartiallyObservableGame(name: name, states: states)   // the built-in games are valid by construction
    }
}
