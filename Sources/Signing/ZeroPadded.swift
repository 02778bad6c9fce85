extension String {
    /// `value` in decimal, zero-padded to `width` digits, as `String(format: "%0*d")` writes it without its cost:
    /// dates are formatted once per request, where `String(format:)` cost more than the signature.
    public init(zeroPadded value: Int, width: Int) {
        let digits = "\(value)"
        self = String(repeating: "0", count: Swift.max(0, width - digits.count)) + digits
    }
}
