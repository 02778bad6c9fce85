import Manifest
import Storage
import Transport

/// The one place where a manifest's destination becomes a store with its wrappers around it: the
/// concurrency window every transfer of the destination shares, whole-object retry for stores whose
/// unit is the file, and the bandwidth limit all its uploads share. Nothing else composes stores.
extension DestinationConfiguration {
    public func makeDestination() throws -> Destination {
        var destination = try makeUnlimitedDestination()
        destination.retention = retention.map {
            RetentionPolicy(keepDays: $0.keepDays, keepRuns: $0.keepRuns, keepIncompleteDays: $0.keepIncompleteDays)
        }
        if let bandwidthLimit {
            destination.store = BandwidthLimitedStore(destination.store, limit: BandwidthLimit(bytesPerSecond: bandwidthLimit))
        }
        return destination
    }

    private func makeUnlimitedDestination() throws -> Destination {
        switch kind {
        case .s3(let settings):
            let concurrency = settings.concurrency ?? S3Settings.defaultConcurrency
            let window = Self.window(
                settings.concurrency, initial: S3Settings.adaptiveConcurrencyStart, ceiling: S3Settings.adaptiveConcurrencyCeiling)
            let store = try S3Store(settings: settings, window: window)
            return Destination(name: name, store: store, concurrency: concurrency)
        case .azure(let settings):
            // Blocks and small files share one window, a permit per request: the store takes it itself.
            let concurrency = settings.concurrency ?? AzureSettings.defaultConcurrency
            let window = Self.window(
                settings.concurrency, initial: AzureSettings.adaptiveConcurrencyStart, ceiling: AzureSettings.adaptiveConcurrencyCeiling)
            let store = try AzureStore(settings: settings, window: window)
            return Destination(name: name, store: store, concurrency: concurrency)
        case .scp(let settings):
            // Each operation holds a permit and a pooled connection; a whole file is retried from the start.
            let concurrency = settings.concurrency ?? SCPSettings.defaultConcurrency
            let store = try SCPStore(settings: settings, window: ConcurrencyWindow(permits: concurrency))
            return Destination(name: name, store: RetryingStore(store, policy: settings.retry.policy), concurrency: concurrency)
        case .gcs(let settings):
            // Each file's resumable upload and each download holds a permit; requests are retried alone.
            let concurrency = settings.concurrency ?? GCSSettings.defaultConcurrency
            let store = try GCSStore(settings: settings, window: ConcurrencyWindow(permits: concurrency))
            return Destination(name: name, store: store, concurrency: concurrency)
        case .local(let settings):
            let concurrency = 1
            return Destination(
                name: name, store: LimitedStore(LocalStore(settings: settings), window: ConcurrencyWindow(permits: concurrency)),
                concurrency: concurrency)
        }
    }

    /// The window of a store whose requests carry parts: the operator's `concurrency` fixed, or, left unset, adapting
    /// from `initial` up to `ceiling` as the link pays for more requests in flight.
    private static func window(_ configured: Int?, initial: Int, ceiling: Int) -> ConcurrencyWindow {
        if let configured { return ConcurrencyWindow(permits: configured) }
        return ConcurrencyWindow(adaptive: AdaptiveConcurrency(initial: initial, maximum: ceiling))
    }
}
