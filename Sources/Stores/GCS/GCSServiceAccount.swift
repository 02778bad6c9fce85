import Foundation
import Manifest
import Storage

/// The fields of a service account's JSON key file that the OAuth 2.0 flow needs. The private key stays
/// a `Secret`: no description of this value, nor any error about it, shows it.
struct GCSServiceAccount: Sendable {
    /// Where a key file without `token_uri` exchanges its assertions.
    static let defaultTokenURI = "https://oauth2.googleapis.com/token"

    let clientEmail: String
    let privateKeyID: String?
    let privateKey: Secret
    let tokenURI: String
    let projectID: String?

    /// Reads the key file's text; errors name the setting and the field, never a value of the file.
    init(json: Secret) throws {
        let setting = "gcs: service_account_json"
        guard let data = json.reveal().data(using: .utf8),
              let object = try? JSONSerialization.jsonObject(with: data) as? [String: Any]
        else {
            throw StoreError(.permanent, "\(setting) is not the JSON text of a service account key file")
        }
        func field(_ name: String) -> String? {
            (object[name] as? String).flatMap { $0.isEmpty ? nil : $0 }
        }
        if let type = field("type"), type != "service_account" {
            throw StoreError(.permanent, "\(setting) is a key file of type \(type), not service_account")
        }
        guard let email = field("client_email") else {
            throw StoreError(.permanent, "\(setting) has no client_email")
        }
        guard let key = field("private_key") else {
            throw StoreError(.permanent, "\(setting) has no private_key")
        }
        guard key.contains("PRIVATE KEY-----") else {
            throw StoreError(.permanent, "\(setting): private_key is not a PEM private key")
        }
        let tokenURI = field("token_uri") ?? Self.defaultTokenURI
        guard tokenURI.hasPrefix("https://") || tokenURI.hasPrefix("http://") else {
            throw StoreError(.permanent, "\(setting): token_uri \(tokenURI) is not an http(s) URL")
        }
        self.clientEmail = email
        self.privateKeyID = field("private_key_id")
        self.privateKey = Secret(key)
        self.tokenURI = tokenURI
        self.projectID = field("project_id")
    }
}
