/// One entry of the manifest's `destinations`, ready to use: its optional name and its composed store.
public struct Destination: Sendable {
    /// The manifest's `name`, if it has one.
    public var name: String?
    public var store: any ObjectStore
    /// How many files the run hands the store at once: the width of its concurrency window.
    public var concurrency: Int
    /// Which old runs go after a successful run; nil: none ever do.
    public var retention: RetentionPolicy?

    public init(name: String?, store: any ObjectStore, concurrency: Int, retention: RetentionPolicy? = nil) {
        self.name = name
        self.store = store
        self.concurrency = max(1, concurrency)
        self.retention = retention
    }

    /// The manifest's type name: `s3`, `azure`, `scp`, `local`.
    public var kind: String { store.kind }

    /// `s3 destination backups` or `s3 destination`, for errors and reports.
    public var label: String { Self.label(name: name, kind: kind) }

    public static func label(name: String?, kind: String) -> String {
        name.map { "\(kind) destination \($0)" } ?? "\(kind) destination"
    }
}

extension Sequence where Element == Destination {
    /// Ends the connections every destination's store keeps open (``ObjectStore/closeConnections()``): a command
    /// or a run calls it when it is done, so an scp server sees each SSH session end with a disconnect.
    public func closeConnections() async {
        for destination in self { await destination.store.closeConnections() }
    }
}
