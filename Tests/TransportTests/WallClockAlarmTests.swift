import Foundation
import Testing
import Transport

@Suite struct WallClockAlarmTests {
    @Test func aTimeThatHasPassedIsDueAtOnce() async {
        #expect(await WallClockAlarm.sleep(until: Date(timeIntervalSinceNow: -60)) == .due)
        #expect(await WallClockAlarm.sleep(until: Date(timeIntervalSince1970: 0)) == .due)
    }

    @Test func aSleepEndsOnceTheWallClockHasReachedTheTimeAndNotBefore() async {
        let time = Date(timeIntervalSinceNow: 0.2)
        #expect(await WallClockAlarm.sleep(until: time) == .due)
        #expect(Date() >= time)
    }

    @Test func cancellingTheTaskEndsASleepOfAYear() async {
        let sleeper = Task { await WallClockAlarm.sleep(until: Date(timeIntervalSinceNow: 365 * 86_400)) }
        sleeper.cancel()
        #expect(await sleeper.value == .cancelled)
    }

    @Test func aTaskCancelledBeforeItSleepsDoesNotSleep() async {
        let sleeper = Task {
            withUnsafeCurrentTask { $0?.cancel() }
            return await WallClockAlarm.sleep(until: Date(timeIntervalSinceNow: 365 * 86_400))
        }
        #expect(await sleeper.value == .cancelled)
    }
}
