import Foundation
import Testing
import SimCore
@testable import FakeMailchimp

/// The set-based lookups behind batch subscribe and segment changes.
@Suite(.timeLimit(.minutes(2))) struct BulkLookupTests {
    @Test(arguments: [[], ["0846ea46d2a39b84f68af7cce09ec6d7"], ["a", "a", "b"], ["quote\"d", "back\\slash", "tab\t", "zoë"]])
    func hashListIsTheJSONArrayOfItsStrings(_ hashes: [String]) throws {
        let parsed = try JSONValue(parsing: BulkLookup.jsonArray(hashes))
        #expect(parsed == .array(hashes.map { .string($0) }))
    }

    @Test func membersAndForgottenAddressesAreFoundInOneRead() throws {
        let fixture = try MailchimpFixture(members: [.init(email: "a@freddiesjokes.com"), .init(email: "B@freddiesjokes.com", status: "cleaned"),
                                                    .init(email: "gone@freddiesjokes.com", forgotten: true)])
        let hashes = ["a@freddiesjokes.com", "b@freddiesjokes.com", "gone@freddiesjokes.com", "nobody@freddiesjokes.com"].map(subscriberHash)
        let (members, forgotten) = try fixture.fake.read { db in
            let lookup = BulkLookup(db: db, listID: MailchimpFixture.list)
            return (try lookup.members(hashes + hashes), try lookup.forgotten(hashes))
        }
        #expect(members.keys.sorted() == [hashes[0], hashes[1]].sorted())
        #expect(members[hashes[1]]?.email == "B@freddiesjokes.com")
        #expect(members[hashes[1]]?.status == "cleaned")
        #expect(forgotten == [hashes[2]])
    }
}
