import Testing
@testable import CLI

@Suite("Terminal")
struct TerminalTests {
    /// ETAs beyond an hour read as hours, beyond a day as days.
    @Test func clocksReadAsMinutesHoursAndDays() {
        #expect(ProgressBar.clock(59.6) == "1:00")
        #expect(ProgressBar.clock(3599) == "59:59")
        #expect(ProgressBar.clock(3600) == "1:00:00")
        #expect(ProgressBar.clock(86_399) == "23:59:59")
        #expect(ProgressBar.clock(1_000_000) == "11d 13:46")
        #expect(ProgressBar.clock(.infinity) == "—")
    }
}
