import Foundation
import Transport

/// What a daemon resumed from its idle sleep (`IdleExec`) carries on from: the moment the sleeping image last
/// looked at the schedule (so fire times slept through are still found missed), its splay, and the manifest text
/// it ran with. The manifest is never read again: an edited manifest takes effect at a restart, as it always has.
public struct DaemonResume: Sendable, Equatable {
    public var after: Date
    public var splay: Double
    public var manifestText: String

    var line: String { "after=\(after.timeIntervalSince1970);splay=\(splay)" }

    init(after: Date, splay: Double, manifestText: String) {
        self.after = after
        self.splay = splay
        self.manifestText = manifestText
    }

    init?(_ handover: IdleExec.Handover) {
        let fields = Dictionary(handover.line.split(separator: ";").compactMap { field -> (String, Double)? in
            let parts = field.split(separator: "=", maxSplits: 1)
            guard parts.count == 2, let value = Double(parts[1]) else { return nil }
            return (String(parts[0]), value)
        }, uniquingKeysWith: { _, last in last })
        guard let after = fields["after"], let splay = fields["splay"], !handover.bytes.isEmpty else { return nil }
        self.init(after: Date(timeIntervalSince1970: after), splay: splay, manifestText: String(decoding: handover.bytes, as: UTF8.self))
    }

    /// The state this process was resumed with, once; nil when it was started afresh.
    public static func take() -> DaemonResume? {
        IdleExec.takeHandover().flatMap(DaemonResume.init)
    }
}
