import Foundation

/// What an `exec` credential plugin printed (`kind: ExecCredential`, its `status`): a bearer token and/or a
/// client certificate, and when they expire.
struct ExecCredential: Sendable, Hashable {
    /// The bearer token.
    var token: String?
    /// A client certificate chain and its key, PEM.
    struct ClientCertificate: Sendable, Hashable {
        var certificate: [UInt8]
        var key: [UInt8]
    }

    /// The client certificate.
    var clientCertificate: ClientCertificate?
    /// When the credential stops being valid; nil means until the API server answers 401.
    var expiration: Date?

    /// Whether the credential has expired at `now`.
    func hasExpired(at now: Date) -> Bool { expiration.map { now >= $0 } ?? false }
}

extension ExecCredential {
    /// The JSON the plugin prints, as the ExecCredential API defines it.
    private struct Reply: Decodable {
        struct Status: Decodable {
            var token: String?
            var clientCertificateData: String?
            var clientKeyData: String?
            var expirationTimestamp: String?
        }

        var apiVersion: String?
        var kind: String?
        var status: Status?
    }

    /// Decodes a plugin's output; `apiVersion` is the version the plugin was asked for, which it must answer in.
    /// - Throws: a description of what is wrong with the output.
    init(decoding output: [UInt8], apiVersion: String) throws(Failure) {
        let reply: Reply
        do {
            reply = try JSONDecoder().decode(Reply.self, from: Data(output))
        } catch {
            throw Failure("its output is not an ExecCredential: \(error)")
        }
        guard reply.kind == "ExecCredential" else { throw Failure("its output has kind \(reply.kind ?? "none")") }
        guard reply.apiVersion == apiVersion else {
            throw Failure("it answered in \(reply.apiVersion ?? "no apiVersion"), asked for \(apiVersion)")
        }
        guard let status = reply.status else { throw Failure("its output has no status") }
        switch (status.clientCertificateData, status.clientKeyData) {
        case (let certificate?, let key?):
            clientCertificate = ClientCertificate(certificate: Array(certificate.utf8), key: Array(key.utf8))
        case (nil, nil): clientCertificate = nil
        default: throw Failure("it gave clientCertificateData and clientKeyData without the other")
        }
        token = status.token.flatMap { $0.isEmpty ? nil : $0 }
        guard token != nil || clientCertificate != nil else {
            throw Failure("it gave neither a token nor a client certificate")
        }
        if let timestamp = status.expirationTimestamp {
            guard let date = Self.parseRFC3339(timestamp) else {
                throw Failure("expirationTimestamp \(timestamp) is not an RFC 3339 time")
            }
            expiration = date
        }
    }

    /// `2026-12-05T22:00:00Z`, with or without fractional seconds, with `Z` or an offset.
    static func parseRFC3339(_ text: String) -> Date? {
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withInternetDateTime]
        if let date = formatter.date(from: text) { return date }
        formatter.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        return formatter.date(from: text)
    }

    /// Why a plugin's output was refused.
    struct Failure: Error, CustomStringConvertible {
        var description: String
        init(_ description: String) { self.description = description }
    }
}
