import Testing
import SimCore
@testable import FakeMailchimp

/// The byte-level address check gives the `Character`-level answer for every ASCII address.
@Suite(.timeLimit(.minutes(2))) struct EmailCheckTests {
    @Test(arguments: ["a@example.com", "A.B+c@sub.example.org", "@example.com", "a@@example.com", "a@b@example.com",
                      "a@example", "a@.example.com", "a@example.com.", "a@example..com", "a b@example.com", "a@example.com\r\n",
                      "a\r\n@example.com", "a;b@x.io", "<a@x.io>", String(repeating: "x", count: 64) + "@x.io",
                      String(repeating: "x", count: 65) + "@x.io", "a@x.io\u{0B}", "a@x.io\t", ""])
    func asciiAnswerMatchesTheCharacterAnswer(_ email: String) {
        #expect(EmailCheck.isWellFormedASCII(email) == EmailCheck.isWellFormedCharacters(email))
    }

    @Test func nonASCIIAddressesUseTheCharacterCheck() {
        #expect(EmailCheck.isWellFormedASCII("zoë@example.com") == nil)
        // A space followed by a combining mark is one Character that is not a space.
        #expect(EmailCheck.isWellFormed("a \u{301}b@example.com") == EmailCheck.isWellFormedCharacters("a \u{301}b@example.com"))
    }

    @Test func randomASCIIAddressesAgree() {
        var generator = SeededGenerator(seed: 3, stream: "email-check")
        let alphabet = Array("ab.@ ,;<>\r\n\u{0B}\t-_+x".unicodeScalars)
        for _ in 0..<5000 {
            var email = ""
            for _ in 0..<Int(generator.next() % 12) {
                email.unicodeScalars.append(alphabet[Int(generator.next() % UInt64(alphabet.count))])
            }
            #expect(EmailCheck.isWellFormedASCII(email) == EmailCheck.isWellFormedCharacters(email), "\(email.debugDescription)")
        }
    }
}
