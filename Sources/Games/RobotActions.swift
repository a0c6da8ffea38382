/// A set of the robot's actions, used for the best action(s) of a game. Exact ties are kept as
/// ties: a one-signed belief with a rational human makes waiting exactly as good as acting.
public struct RobotActions: OptionSet, Sendable, Hashable, CustomStringConvertible {
    /// The set as bits: act 1, off 2, wait 4.
    public let rawValue: UInt8
    /// The set with these bits.
    public init(rawValue: UInt8) { self.rawValue = rawValue }

    /// `a`: act now, bypassing the switch.
    public static let act = RobotActions(rawValue: 1)
    /// `s`: switch itself off.
    public static let off = RobotActions(rawValue: 2)
    /// `w(a)`: propose the action and wait for the human.
    public static let wait = RobotActions(rawValue: 4)

    /// "act", "off", "wait", or ties joined with "|" in that order ("act|wait").
    public var description: String { Self.names[Int(rawValue & 7)] }

    /// Every subset's name, indexed by raw value (written once per sweep row, so not built anew).
    private static let names = ["", "act", "off", "act|off", "wait", "act|wait", "off|wait", "act|off|wait"]
}
