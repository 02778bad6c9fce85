import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// Opens a TCP connection within a deadline, polling the cancellation flag while it waits.
enum TCPConnector {
    static func connect(host: String, port: Int, timeout: Duration, cancellation: CancellationFlag) throws -> Int32 {
        var hints = addrinfo()
        hints.ai_socktype = Int32(SOCK_STREAM.rawValue)
        hints.ai_family = AF_UNSPEC
        var list: UnsafeMutablePointer<addrinfo>?
        let resolved = getaddrinfo(host, String(port), &hints, &list)
        guard resolved == 0, let first = list else {
            throw SSHError(.connection, "cannot resolve \(host): \(String(cString: gai_strerror(resolved)))")
        }
        defer { freeaddrinfo(list) }
        let deadline = ContinuousClock.now + timeout
        var lastError = "no address"
        var entry: UnsafeMutablePointer<addrinfo>? = first
        while let address = entry {
            entry = address.pointee.ai_next
            let fd = socket(address.pointee.ai_family, address.pointee.ai_socktype, address.pointee.ai_protocol)
            if fd < 0 { lastError = String(cString: strerror(errno)); continue }
            do {
                try connect(fd, address.pointee, deadline: deadline, cancellation: cancellation)
                var on: Int32 = 1
                setsockopt(fd, Int32(IPPROTO_TCP), TCP_NODELAY, &on, socklen_t(MemoryLayout<Int32>.size))
                setsockopt(fd, SOL_SOCKET, SO_KEEPALIVE, &on, socklen_t(MemoryLayout<Int32>.size))
                return fd
            } catch let error as SSHError {
                close(fd)
                if error.kind == .cancelled { throw error }
                lastError = error.message
            }
        }
        throw SSHError(.connection, "cannot connect to \(host) port \(port): \(lastError)")
    }

    private static func connect(_ fd: Int32, _ address: addrinfo, deadline: ContinuousClock.Instant, cancellation: CancellationFlag) throws {
        let flags = fcntl(fd, F_GETFL)
        _ = fcntl(fd, F_SETFL, flags | O_NONBLOCK)
        if Glibc.connect(fd, address.ai_addr, address.ai_addrlen) != 0 {
            guard errno == EINPROGRESS else { throw SSHError(.connection, String(cString: strerror(errno))) }
            while true {
                if cancellation.isCancelled { throw SSHError(.cancelled, "cancelled") }
                let left = deadline - ContinuousClock.now
                guard left > .zero else { throw SSHError(.connection, "timed out") }
                var poller = pollfd(fd: fd, events: Int16(POLLOUT), revents: 0)
                let slice = min(left, .milliseconds(100))
                let ready = poll(&poller, 1, Int32(slice.milliseconds) + 1)
                if ready < 0 && errno != EINTR { throw SSHError(.connection, String(cString: strerror(errno))) }
                if ready > 0 { break }
            }
            var failure: Int32 = 0
            var length = socklen_t(MemoryLayout<Int32>.size)
            getsockopt(fd, SOL_SOCKET, SO_ERROR, &failure, &length)
            guard failure == 0 else { throw SSHError(.connection, String(cString: strerror(failure))) }
        }
        _ = fcntl(fd, F_SETFL, flags)
    }
}
