import Foundation
import Testing
import Transport
@testable import ServiceBackup

/// What a daemon hands to the fresh image it sleeps in, and reads back there.
@Suite struct DaemonResumeTests {
    @Test func theHandoverReadsBackExactly() {
        let resume = DaemonResume(after: Date(timeIntervalSince1970: 1_796_043_245.390_635_571), splay: 12.5, manifestText: "a: 1\nb: \"é\"\n")
        #expect(DaemonResume(IdleExec.Handover(line: resume.line, bytes: Array(resume.manifestText.utf8))) == resume)
    }

    @Test func aDamagedHandoverStartsTheDaemonAfresh() {
        #expect(DaemonResume(IdleExec.Handover(line: "after=1;splay=0", bytes: [])) == nil)
        #expect(DaemonResume(IdleExec.Handover(line: "splay=0", bytes: Array("a: 1".utf8))) == nil)
        #expect(DaemonResume(IdleExec.Handover(line: "after=x;splay=0", bytes: Array("a: 1".utf8))) == nil)
    }

    @Test func withoutAHandoverThereIsNothingToResume() {
        #expect(DaemonResume.take() == nil)
    }
}
