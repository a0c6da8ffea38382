import Testing
@testable import SafetyKitNumerics

@Suite("SHA-256")
struct SHA256Tests {
    /// FIPS 180-4's examples (one block, two blocks) and the empty message; a million 'a's crosses
    /// many blocks.
    @Test func publishedVectors() {
        #expect(SHA256.hex("abc") == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")
        #expect(SHA256.hex("") == "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855")
        #expect(SHA256.hex("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq")
                == "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1")
        #expect(SHA256.hex(String(repeating: "a", count: 1_000_000)) == "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0")
        // 55 and 56 bytes: the padding's two cases (the length fits in this block or needs the next).
        #expect(SHA256.hex(String(repeating: "a", count: 55)) != SHA256.hex(String(repeating: "a", count: 56)))
        #expect(SHA256.digest([UInt8]()).count == 32)
    }
}
