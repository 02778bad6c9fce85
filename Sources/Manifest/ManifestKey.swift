/// One key the daemon reads from a manifest, as listed in ``ManifestSchema/keys``.
///
/// Paths use one scheme throughout:
/// - top-level settings by name: `cron_schedule`, `alerts.config.timeout_seconds`;
/// - the fields of a `destinations` entry: `destinations[].type`, `destinations[].name`, `destinations[].config`;
/// - the keys inside a destination's `config`, prefixed by the destination type instead of
///   `destinations[].config`: `s3.bucket_name` is `destinations[].config.bucket_name` of a `type: s3` entry.
///
/// The same keys apply whether the settings sit at the top of a rendered `backup.yml` or under
/// `properties.service-backup` of a BOSH deployment manifest.
public struct ManifestKey: Sendable, Hashable, CustomStringConvertible {
    public enum ValueType: String, Sendable, CaseIterable {
        case string
        case integer
        /// A decimal number, such as seconds that may have a fraction.
        case number
        case boolean
        /// Bytes, as an integer or a string with a binary unit (`64MiB`, `64MB`, `8M`); see ``ByteSize``.
        case size
        case list
        case map
    }

    public var path: String
    public var type: ValueType
    /// Required when its scope is in use: per-type keys when a destination of that type exists,
    /// `source_folder` and `cron_schedule` when at least one destination exists.
    public var required: Bool
    /// The value is a credential: it is held as ``Secret`` and never shown in any output.
    public var secret: Bool
    /// The value used when the key is absent, null or empty; nil when there is none.
    public var defaultValue: String?
    public var summary: String
    /// The only values accepted (compared without regard to case), empty when any value of the type is.
    public var allowedValues: [String]
    /// Other paths, in the same scheme, that mean this key (older spellings from the original).
    public var aliases: [String]
    /// Accepted for compatibility with the original and otherwise unused.
    public var ignored: Bool

    public init(
        _ path: String, _ type: ValueType, required: Bool = false, secret: Bool = false,
        default defaultValue: String? = nil, allowed allowedValues: [String] = [], aliases: [String] = [],
        ignored: Bool = false, _ summary: String
    ) {
        self.path = path
        self.type = type
        self.required = required
        self.secret = secret
        self.defaultValue = defaultValue
        self.summary = summary
        self.allowedValues = allowedValues
        self.aliases = aliases
        self.ignored = ignored
    }

    /// The last component of the path: the key as it is spelled inside its map.
    public var name: String { Self.leaf(of: path) }

    /// The leaf names of the aliases.
    var aliasNames: [String] { aliases.map(Self.leaf(of:)) }

    public var description: String { path }

    static func leaf(of path: String) -> String {
        String(path.split(separator: ".").last ?? Substring(path))
    }
}
