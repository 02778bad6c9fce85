import Transport

/// An error answer from S3, described for operators: what is wrong and what to change, never a
/// signature, a key, or the request's headers.
struct S3Error: RetryableError, CustomStringConvertible, Sendable {
    var status: Int
    /// S3's error code (`SignatureDoesNotMatch`), or nil when the answer had no body (HEAD).
    var code: String?
    var message: String?
    /// The bucket's region, when the answer names it.
    var region: String?
    var operation: String
    var bucket: String

    /// Reads an error answer; `operation` says what was being done ("upload part 3 of db/dump.tar").
    init(response: HTTPResponse, operation: String, bucket: String) {
        status = response.status
        let body = response.bodyText
        code = XMLText.first("Code", in: body)
        message = XMLText.first("Message", in: body)
        region = response.header("x-amz-bucket-region") ?? XMLText.first("Region", in: body)
        self.operation = operation
        self.bucket = bucket
    }

    var isRetryable: Bool {
        switch code {
        case "SlowDown", "RequestTimeout", "InternalError", "ServiceUnavailable", "Throttling", "ThrottlingException",
             "RequestThrottled", "OperationAborted":
            return true
        default:
            return status >= 500 || status == 429
        }
    }

    var description: String {
        let what = "S3 \(operation) in bucket \(bucket) failed"
        switch code {
        case "SignatureDoesNotMatch":
            return "\(what): the S3 secret access key is wrong (SignatureDoesNotMatch)"
        case "InvalidAccessKeyId":
            return "\(what): the S3 access key id is not known to the server (InvalidAccessKeyId)"
        case "RequestTimeTooSkewed":
            return "\(what): this machine's clock is too far from the S3 server's time; check NTP (RequestTimeTooSkewed)"
        case "AuthorizationHeaderMalformed", "PermanentRedirect", "IllegalLocationConstraintException":
            let hint = region.map { "the bucket is in region \($0); set region: \($0)" } ?? "the configured region is wrong for this bucket"
            return "\(what): \(hint) (\(code!))"
        case "AccessDenied":
            return "\(what): access denied; the S3 user lacks permission for this (AccessDenied)"
        case "InvalidToken", "ExpiredToken":
            return "\(what): the session token of the S3 keys is not accepted (\(code!)); check session_token, "
                + "or the instance profile's credentials"
        case "NoSuchBucket":
            return "\(what): the bucket does not exist (NoSuchBucket)"
        case "InvalidBucketName":
            return "\(what): \(bucket) is not a valid bucket name (InvalidBucketName)"
        case .some(let code):
            let detail = message.map { ": \(Self.clip($0))" } ?? ""
            return "\(what): HTTP \(status) \(code)\(detail)"
        case nil:
            switch status {
            case 301: return "\(what): HTTP 301, the bucket is in another region" + (region.map { " (\($0)); set region: \($0)" } ?? "")
            case 400: return "\(what): HTTP 400; the configured region may be wrong for this bucket"
            case 403: return "\(what): HTTP 403 access denied; check the access key, the secret and the user's permissions"
            case 404: return "\(what): HTTP 404 not found"
            default: return "\(what): HTTP \(status)"
            }
        }
    }

    /// One line, at most 200 characters.
    private static func clip(_ text: String) -> String {
        let line = text.split(whereSeparator: \.isNewline).joined(separator: " ")
        return line.count > 200 ? String(line.prefix(200)) + "…" : line
    }
}
