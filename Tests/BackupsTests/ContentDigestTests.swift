import Signing
import Storage
import Testing

@Suite struct ContentDigestTests {
    @Test func hexIsLowercaseTwoDigitsABytePaddedWithZeros() {
        #expect(ContentDigest(size: 4, sha256: [0x00, 0x0F, 0xA0, 0xFF]).sha256Hex == "000fa0ff")
        let bytes = Array("abc".utf8)
        #expect(ContentDigest(size: 3, sha256: Digest.sha256(bytes)).sha256Hex == Digest.hex(Digest.sha256(bytes)))
    }

    @Test func equalityIsAboutTheContentNotHowItWasStored() {
        let digest = ContentDigest(size: 3, sha256: [1, 2, 3])
        #expect(digest == ContentDigest(size: 3, sha256: [1, 2, 3], sizeConfirmed: true))
        #expect(digest != ContentDigest(size: 4, sha256: [1, 2, 3]))
        #expect(!digest.sizeConfirmed)
    }
}
