import Manifest
import Storage
import Transport

/// The one place where a manifest's destination becomes a store with its wrappers around it: the
/// concurrency window every transfer of the destination shares, and whole-object retry for stores whose
/// unit is the file. Nothing else composes stores.
extension DestinationConfiguration {
    public func makeDestination() throws -> Destination {
        switch kind {
        case .s3(let settings):
            let concurrency = settings.concurrency ?? S3Settings.defaultConcurrency
            let store = try S3Store(settings: settings, window: ConcurrencyWindow(permits: concurrency))
            return Destination(name: name, store: store, concurrency: concurrency)
        case .azure:
            throw StoreError(.permanent, "TODO(issue 10): azure store")
        case .scp:
            throw StoreError(.permanent, "TODO(issue 10): scp store")
        case .local(let settings):
            let concurrency = 1
            return Destination(
                name: name, store: LimitedStore(LocalStore(settings: settings), window: ConcurrencyWindow(permits: concurrency)),
                concurrency: concurrency)
        }
    }
}
