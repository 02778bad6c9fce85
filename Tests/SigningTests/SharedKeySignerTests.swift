import Foundation
import Testing
@testable import Signing

/// The expected strings come from the official azure-storage-blob SDK (see Fixtures/derive_sharedkey_vectors.py).
@Test(arguments: sharedKeyVectors.map(\.name))
func stringToSignMatchesSDK(name: String) throws {
    let vector = try #require(sharedKeyVectors.first { $0.name == name })
    let signer = try SharedKeySigner(account: vector.account, base64Key: sharedKeyVectorKey)
    let text = signer.stringToSign(
        method: vector.method, url: vector.url, headers: vector.headers, contentLength: vector.contentLength)
    #expect(text == vector.stringToSign)
}

@Test(arguments: sharedKeyVectors.map(\.name))
func authorizationMatchesSDK(name: String) throws {
    let vector = try #require(sharedKeyVectors.first { $0.name == name })
    let signer = try SharedKeySigner(account: vector.account, base64Key: sharedKeyVectorKey)
    let header = signer.authorization(
        method: vector.method, url: vector.url, headers: vector.headers, contentLength: vector.contentLength)
    #expect(header == vector.authorization)
}

@Test func headerNamesSortLikeTheService() {
    let shuffled = sharedKeyHeaderOrder.reversed() + []
    #expect(shuffled.sorted { ServiceCollation.compare($0, $1) < 0 } == sharedKeyHeaderOrder)
    // Plain byte order would put the hyphenated name first.
    #expect(ServiceCollation.compare("x-ms-blob-type", "x-ms-blobcache") > 0)
    #expect(ServiceCollation.compare("x-ms-date", "X-MS-DATE") == 0)
}

@Test func headerValuesAreUnfoldedAndNamesLowercased() {
    let text = SharedKeySigner.canonicalizedHeaders([
        (name: "X-MS-Meta-Note", value: "  two   words\there "), (name: "Content-Type", value: "text/plain"),
    ])
    #expect(text == "x-ms-meta-note:two words here\n")
}

@Test func repeatedQueryParametersJoinSortedValues() {
    let signer = SharedKeySigner(account: "acct", key: [1, 2, 3])
    let resource = signer.canonicalizedResource(url: "https://acct.blob.core.windows.net/c?Comp=list&x=b&x=a#frag")
    #expect(resource == "/acct/c\ncomp:list\nx:a,b")
}

@Test func keyThatIsNotBase64IsRefusedWithoutShowingIt() {
    #expect(throws: SharedKeyError.keyNotBase64) {
        try SharedKeySigner(account: "acct", base64Key: "not base64!!")
    }
    #expect(throws: SharedKeyError.keyNotBase64) {
        try SharedKeySigner(account: "acct", base64Key: "")
    }
    #expect(!SharedKeyError.keyNotBase64.description.contains("not base64!!"))
}

@Test func incrementalMD5EqualsOneShot() {
    var hasher = DigestHasher(.md5)
    hasher.update(Array("ab".utf8))
    hasher.update(Array("c".utf8))
    #expect(hasher.finish() == Digest.md5(Array("abc".utf8)))
}
