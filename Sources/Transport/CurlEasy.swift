import CCurl
import Foundation

/// One libcurl easy handle. It keeps its connections between transfers, so a handle taken back from
/// the pool talks to the same server without a new TCP or TLS handshake. Used by one thread at a time.
final class CurlEasy: @unchecked Sendable {
    private static let globalInit: CURLcode = curl_global_init(sb_curl_global_all)

    private let handle: UnsafeMutableRawPointer

    init() throws {
        guard Self.globalInit == CURLE_OK, let handle = curl_easy_init() else {
            throw TransportError(.local, "libcurl cannot be initialised")
        }
        self.handle = handle
    }

    deinit { curl_easy_cleanup(handle) }

    /// libcurl's receive buffer while a body goes to a file (its maximum is 10 MiB); the default 16 KiB otherwise.
    static let downloadBufferSize = 512 << 10

    /// Drops the options of the last transfer (its buffers and callbacks are gone); connections stay open.
    func forgetTransfer() { curl_easy_reset(handle) }

    /// Sends `request` and waits for the whole answer, on the calling thread. With `download`, a 2xx answer's
    /// body goes to that file instead of the response.
    func perform(
        _ request: HTTPRequest, options: HTTPClientOptions, trust: TrustSettings, cancellation: CancellationFlag,
        download: DownloadFile? = nil
    ) throws -> HTTPResponse {
        if cancellation.isCancelled { throw TransportError(.cancelled, "the transfer was cancelled") }
        let (source, opened) = try openSource(request.body)
        defer { if opened, case .file(let descriptor, _, _, _) = source { close(descriptor) } }
        let transfer = CurlTransfer(source: source, cancellation: cancellation, stallTimeout: options.stallTimeout, download: download)
        let context = Unmanaged.passUnretained(transfer).toOpaque()

        var headerList: UnsafeMutablePointer<curl_slist>?
        defer { curl_slist_free_all(headerList) }
        var errorBuffer = [CChar](repeating: 0, count: Int(CURL_ERROR_SIZE) + 1)

        curl_easy_reset(handle)
        let code: CURLcode = errorBuffer.withUnsafeMutableBufferPointer { errorBytes in
            var setup = CURLE_OK
            func set(_ result: CURLcode) { if setup == CURLE_OK { setup = result } }
            set(sb_curl_setopt_string(handle, CURLOPT_URL, request.url))
            set(sb_curl_setopt_pointer(handle, CURLOPT_ERRORBUFFER, errorBytes.baseAddress))
            set(sb_curl_setopt_long(handle, CURLOPT_NOSIGNAL, 1))
            set(sb_curl_setopt_long(handle, CURLOPT_HTTP_VERSION, CURL_HTTP_VERSION_1_1))
            set(sb_curl_setopt_long(handle, CURLOPT_TCP_KEEPALIVE, 1))
            if download != nil {
                // A file's body is written in 512 KiB pieces, not libcurl's 16 KiB: a 32nd of the writes and callbacks.
                set(sb_curl_setopt_long(handle, CURLOPT_BUFFERSIZE, Self.downloadBufferSize))
            }
            set(sb_curl_setopt_long(handle, CURLOPT_CONNECTTIMEOUT_MS, max(1, options.connectTimeout.milliseconds)))
            // A transfer that trickles (under 1 KiB/s over the stall timeout) is as stuck as one that stalled.
            set(sb_curl_setopt_long(handle, CURLOPT_LOW_SPEED_LIMIT, HTTPClientOptions.minimumSpeed))
            set(sb_curl_setopt_long(handle, CURLOPT_LOW_SPEED_TIME, max(1, Int(options.stallTimeout.components.seconds))))
            set(sb_curl_setopt_long(handle, CURLOPT_NOPROGRESS, 0))
            set(sb_curl_setopt_xferinfo_callback(handle) { context, _, downloaded, _, uploaded in
                let transfer = Unmanaged<CurlTransfer>.fromOpaque(context!).takeUnretainedValue()
                return transfer.progress(moved: Int64(downloaded) + Int64(uploaded)) ? 0 : 1
            })
            set(sb_curl_setopt_pointer(handle, CURLOPT_XFERINFODATA, context))
            set(sb_curl_setopt_data_callback(handle, CURLOPT_HEADERFUNCTION) { bytes, size, count, context in
                let transfer = Unmanaged<CurlTransfer>.fromOpaque(context!).takeUnretainedValue()
                let raw = UnsafeRawBufferPointer(start: bytes, count: size * count)
                transfer.receiveHeader(raw)
                return size * count
            })
            set(sb_curl_setopt_pointer(handle, CURLOPT_HEADERDATA, context))
            set(sb_curl_setopt_data_callback(handle, CURLOPT_WRITEFUNCTION) { bytes, size, count, context in
                let transfer = Unmanaged<CurlTransfer>.fromOpaque(context!).takeUnretainedValue()
                return transfer.receiveBody(UnsafeRawBufferPointer(start: bytes, count: size * count)) ? size * count : 0
            })
            set(sb_curl_setopt_pointer(handle, CURLOPT_WRITEDATA, context))
            setTrust(trust, set)
            setMethod(request, context: context, set)

            for header in request.headers {
                // libcurl drops a header given as "Name:"; "Name;" sends it with an empty value.
                let line = header.value.isEmpty ? "\(header.name);" : "\(header.name): \(header.value)"
                headerList = curl_slist_append(headerList, line)
            }
            if !request.headers.contains(where: { $0.name.lowercased() == "expect" }) {
                // No "Expect: 100-continue" round trip before each body.
                headerList = curl_slist_append(headerList, "Expect:")
            }
            set(sb_curl_setopt_slist(handle, CURLOPT_HTTPHEADER, headerList))
            guard setup == CURLE_OK else { return setup }
            return curl_easy_perform(handle)
        }
        if let failure = transfer.failure { throw failure }
        if code == CURLE_OPERATION_TIMEDOUT, connectTime() > 0 { throw transfer.tooSlow() }
        guard code == CURLE_OK else {
            let detail = String(decoding: errorBuffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
            throw CurlError.transportError(code, detail: detail, url: request.url, connected: connectTime() > 0)
        }
        guard transfer.headerBlockEnded else {
            throw TransportError(.connection, "request to \(CurlError.serverPart(of: request.url)) failed: the answer was cut off inside its header block")
        }
        var status = 0
        _ = sb_curl_getinfo_long(handle, CURLINFO_RESPONSE_CODE, &status)
        return HTTPResponse(status: status, headers: transfer.headers, body: transfer.body)
    }

    private func connectTime() -> Double {
        var seconds = 0.0
        _ = sb_curl_getinfo_double(handle, CURLINFO_CONNECT_TIME, &seconds)
        return seconds
    }

    /// The body's source, and whether this transfer opened a descriptor it must close.
    private func openSource(_ body: HTTPBody) throws -> (CurlTransfer.Source, opened: Bool) {
        switch body {
        case .empty: return (.empty, false)
        case .bytes(let bytes): return (.bytes(bytes), false)
        case .file(let path, let offset, let length):
            let descriptor = open(path, O_RDONLY | O_CLOEXEC)
            guard descriptor >= 0 else {
                throw TransportError(.local, "cannot open \(path): \(String(cString: strerror(errno)))")
            }
            return (.file(descriptor: descriptor, path: path, offset: offset, length: length), true)
        case .open(let file, let offset, let length):
            // The body value holds `file` (and so its descriptor) open for the whole transfer.
            return (.file(descriptor: file.descriptor, path: file.name, offset: offset, length: length), false)
        }
    }

    private func setTrust(_ trust: TrustSettings, _ set: (CURLcode) -> Void) {
        switch trust {
        case .skipVerification:
            set(sb_curl_setopt_long(handle, CURLOPT_SSL_VERIFYPEER, 0))
            set(sb_curl_setopt_long(handle, CURLOPT_SSL_VERIFYHOST, 0))
        case .bundleFile(let path):
            set(sb_curl_setopt_string(handle, CURLOPT_CAINFO, path))
        case .bundle(let pem):
            set(pem.withUnsafeBytes { sb_curl_setopt_blob(handle, CURLOPT_CAINFO_BLOB, $0.baseAddress, $0.count) })
        case .libcurlDefault:
            break
        }
    }

    private func setMethod(_ request: HTTPRequest, context: UnsafeMutableRawPointer, _ set: (CURLcode) -> Void) {
        let method = request.method.uppercased()
        if method == "HEAD" {
            set(sb_curl_setopt_long(handle, CURLOPT_NOBODY, 1))
            return
        }
        if case .empty = request.body, method == "GET" || method == "DELETE" {
            set(sb_curl_setopt_long(handle, CURLOPT_HTTPGET, 1))
            if method != "GET" { set(sb_curl_setopt_string(handle, CURLOPT_CUSTOMREQUEST, method)) }
            return
        }
        // Every other request sends its body (maybe empty) with a Content-Length, read through the callback.
        set(sb_curl_setopt_long(handle, CURLOPT_UPLOAD, 1))
        set(sb_curl_setopt_off(handle, CURLOPT_INFILESIZE_LARGE, curl_off_t(request.body.length)))
        set(sb_curl_setopt_data_callback(handle, CURLOPT_READFUNCTION) { buffer, size, count, context in
            let transfer = Unmanaged<CurlTransfer>.fromOpaque(context!).takeUnretainedValue()
            return transfer.read(into: buffer!, capacity: size * count)
        })
        set(sb_curl_setopt_pointer(handle, CURLOPT_READDATA, context))
        set(sb_curl_setopt_seek_callback(handle) { context, offset, origin in
            let transfer = Unmanaged<CurlTransfer>.fromOpaque(context!).takeUnretainedValue()
            return origin == SEEK_SET && transfer.seek(to: Int64(offset)) ? sb_curl_seekfunc_ok : sb_curl_seekfunc_fail
        })
        set(sb_curl_setopt_pointer(handle, CURLOPT_SEEKDATA, context))
        if method != "PUT" { set(sb_curl_setopt_string(handle, CURLOPT_CUSTOMREQUEST, method)) }
    }
}

/// How a client checks servers' certificates.
enum TrustSettings: Sendable {
    case skipVerification
    case bundleFile(String)
    case bundle([UInt8])
    case libcurlDefault

    init(_ options: HTTPClientOptions) {
        if options.skipTLSVerification {
            self = .skipVerification
        } else if let pem = options.caCertPEM, !pem.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty {
            self = .bundle(CABundle.blob(addingPEM: pem))
        } else if let path = CABundle.systemBundlePath() {
            self = .bundleFile(path)
        } else {
            self = .libcurlDefault
        }
    }
}
