/// When `concurrency` is left unset, an S3 or Azure destination's window adapts: it starts at `adaptiveConcurrencyStart`
/// (twice the files at once: on a link with tens of milliseconds of round trip each doubling costs rounds of whole
/// parts, while on a fast one the parts come no faster than the file is hashed) and grows while the link's total
/// throughput grows, up to the ceiling. Each request streams its body from the open
/// file through a pooled connection (tens of KiB of buffers), so the ceiling is set by the connection pool's size,
/// far below the memory bound. A `concurrency` the operator sets is a fixed width, never exceeded.
extension S3Settings {
    public static let adaptiveConcurrencyStart = 8
    public static let adaptiveConcurrencyCeiling = 32
}

extension AzureSettings {
    public static let adaptiveConcurrencyStart = 8
    public static let adaptiveConcurrencyCeiling = 32
}
