/// When `concurrency` is left unset, an S3 or Azure destination's window adapts: it starts at the default and
/// grows while the link's total throughput grows, up to this ceiling. Each request streams its body from the open
/// file through a pooled connection (tens of KiB of buffers), so the ceiling is set by the connection pool's size,
/// far below the memory bound. A `concurrency` the operator sets is a fixed width, never exceeded.
extension S3Settings {
    public static let adaptiveConcurrencyCeiling = 32
}

extension AzureSettings {
    public static let adaptiveConcurrencyCeiling = 32
}
