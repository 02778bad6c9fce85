/// One line of `check`: how one thing about a destination stands.
public struct StoreFinding: Sendable, Equatable {
    public enum Level: String, Sendable, Equatable { case ok, warn, fail }

    public var level: Level
    /// What was checked and what came of it; never a secret.
    public var text: String

    public init(_ level: Level, _ text: String) {
        self.level = level
        self.text = text
    }
}
