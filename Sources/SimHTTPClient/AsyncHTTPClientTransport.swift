import AsyncHTTPClient
import Foundation
import NIOCore
import NIOHTTP1
import SimHTTP

/// The engine's transport for real networks: AsyncHTTPClient with TLS, a per-request timeout
/// (capped at Mailchimp's 120 s), and transport failures mapped to ``TransportError``.
public struct AsyncHTTPClientTransport: HTTPTransport {
    public static let maximumTimeout: TimeAmount = .seconds(120)
    /// Largest response body read.
    public static let maxBodyBytes = 256 << 20

    private let client: HTTPClient
    private let timeout: TimeAmount
    private let ownsClient: Bool

    /// Uses `client` (the shared singleton by default); `timeout` is capped at 120 s.
    public init(client: HTTPClient = .shared, timeout: TimeAmount = .seconds(120)) {
        self.client = client
        self.timeout = min(timeout, Self.maximumTimeout)
        ownsClient = false
    }

    /// Uses a client of its own that opens up to `connectionsPerHost` connections to one host
    /// (the shared client queues past 8); call ``shutdown()`` when done with it.
    public init(connectionsPerHost: Int, timeout: TimeAmount = .seconds(120)) {
        var configuration = HTTPClient.Configuration()
        configuration.connectionPool = .init(idleTimeout: .seconds(60), concurrentHTTP1ConnectionsPerHostSoftLimit: connectionsPerHost)
        client = HTTPClient(eventLoopGroupProvider: .singleton, configuration: configuration)
        self.timeout = min(timeout, Self.maximumTimeout)
        ownsClient = true
    }

    /// Shuts down the client this transport created; a shared client is left running.
    public func shutdown() async throws {
        if ownsClient { try await client.shutdown() }
    }

    public func send(_ request: HTTPRequest) async throws -> HTTPResponse {
        var outgoing = HTTPClientRequest(url: request.url)
        outgoing.method = HTTPMethod(rawValue: request.method)
        for field in request.headers { outgoing.headers.add(name: field.name, value: field.value) }
        if !request.body.isEmpty { outgoing.body = .bytes(ByteBuffer(bytes: request.body)) }
        let label = "\(request.method) \(request.origin)\(request.path)"
        do {
            let response = try await client.execute(outgoing, timeout: timeout)
            let body = try await response.body.collect(upTo: Self.maxBodyBytes)
            var headers = HTTPHeaders()
            for field in response.headers { headers.add(field.name, field.value) }
            return HTTPResponse(status: Int(response.status.code), headers: headers, body: Data(body.readableBytesView))
        } catch let error as HTTPClientError where error == .deadlineExceeded || error == .readTimeout || error == .connectTimeout {
            throw TransportError(.timeout, request: label, detail: "\(error)")
        } catch let error as HTTPClientError where error == .remoteConnectionClosed || error == .cancelled {
            throw TransportError(.connectionDropped, request: label, detail: "\(error)")
        } catch let error as TransportError {
            throw error
        } catch {
            throw TransportError(.unreachable, request: label, detail: "\(error)")
        }
    }
}
