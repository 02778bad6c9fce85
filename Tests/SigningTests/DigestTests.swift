import Testing
@testable import Signing

@Test func sha256OfKnownText() {
    #expect(Digest.hex(Digest.sha256(Array("abc".utf8))) == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")
    #expect(Digest.hex(Digest.sha256([UInt8]())) == "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855")
}

@Test func md5OfKnownText() {
    #expect(Digest.hex(Digest.md5(Array("abc".utf8))) == "900150983cd24fb0d6963f7d28e17f72")
}

@Test func hmacSHA256MatchesRFC4231Case2() {
    let mac = Digest.hmacSHA256(key: Array("Jefe".utf8), Array("what do ya want for nothing?".utf8))
    #expect(Digest.hex(mac) == "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843")
}

@Test func incrementalHashEqualsOneShot() {
    var hasher = DigestHasher(.sha256)
    hasher.update(Array("ab".utf8))
    hasher.update(Array("c".utf8))
    #expect(hasher.finish() == Digest.sha256(Array("abc".utf8)))
}
