import Foundation
import Testing
@testable import Cron

/// robfig's TestActivation: does the schedule fire exactly at this wall time?
@Suite struct ActivationTests {
    static let cases: [(time: String, spec: String, fires: Bool)] = [
        // Every fifteen minutes.
        ("Mon Jul 9 15:00 2012", "0/15 * * * *", true),
        ("Mon Jul 9 15:45 2012", "0/15 * * * *", true),
        ("Mon Jul 9 15:40 2012", "0/15 * * * *", false),
        // Every fifteen minutes, starting at 5 minutes.
        ("Mon Jul 9 15:05 2012", "5/15 * * * *", true),
        ("Mon Jul 9 15:20 2012", "5/15 * * * *", true),
        ("Mon Jul 9 15:50 2012", "5/15 * * * *", true),
        // Named months.
        ("Sun Jul 15 15:00 2012", "0/15 * * Jul *", true),
        ("Sun Jul 15 15:00 2012", "0/15 * * Jun *", false),
        // Everything set.
        ("Sun Jul 15 08:30 2012", "30 08 ? Jul Sun", true),
        ("Sun Jul 15 08:30 2012", "30 08 15 Jul ?", true),
        ("Mon Jul 16 08:30 2012", "30 08 ? Jul Sun", false),
        ("Mon Jul 16 08:30 2012", "30 08 15 Jul ?", false),
        // Predefined schedules.
        ("Mon Jul 9 15:00 2012", "@hourly", true),
        ("Mon Jul 9 15:04 2012", "@hourly", false),
        ("Mon Jul 9 15:00 2012", "@daily", false),
        ("Mon Jul 9 00:00 2012", "@daily", true),
        ("Mon Jul 9 00:00 2012", "@weekly", false),
        ("Sun Jul 8 00:00 2012", "@weekly", true),
        ("Sun Jul 8 01:00 2012", "@weekly", false),
        ("Sun Jul 8 00:00 2012", "@monthly", false),
        ("Sun Jul 1 00:00 2012", "@monthly", true),
        ("Sun Jul 1 00:00 2012", "@yearly", false),
        ("Sun Jan 1 00:00 2012", "@annually", true),
        ("Sun Jan 1 00:00 2012", "@midnight", true),
        // Both day fields restricted: either may match.
        ("Sun Jul 15 00:00 2012", "* * 1,15 * Sun", true),
        ("Fri Jun 15 00:00 2012", "* * 1,15 * Sun", true),
        ("Wed Aug 1 00:00 2012", "* * 1,15 * Sun", true),
        ("Sun Jul 15 00:00 2012", "* * */10 * Sun", true),
        // One of them starred: both must match.
        ("Sun Jul 15 00:00 2012", "* * * * Mon", false),
        ("Mon Jul 9 00:00 2012", "* * 1,15 * *", false),
        ("Sun Jul 15 00:00 2012", "* * 1,15 * *", true),
        ("Sun Jul 15 00:00 2012", "* * */2 * Sun", true),
    ]

    @Test(arguments: cases, ["UTC", "America/New_York", "Asia/Kolkata"])
    func firesExactlyWhenExpected(_ example: (time: String, spec: String, fires: Bool), zoneName: String) throws {
        let timeZone = zone(zoneName)
        let time = wallTime(example.time, in: timeZone)
        let next = try schedule(example.spec, in: timeZone).next(after: time.addingTimeInterval(-1))
        #expect((next == time) == example.fires, "\(example.spec) at \(example.time) gave \(String(describing: next))")
    }
}
