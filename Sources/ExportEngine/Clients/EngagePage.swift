import Foundation
import SimCore

/// A profile as `/engage` returns it, reduced to what an export reads.
struct EngageProfile: Sendable, Equatable {
    var distinctID: String
    /// Whether the profile has a property other than `$last_seen`: without one, the user has no
    /// profile and is anonymous (A12).
    var hasProperties: Bool
    var email: JSONValue?
    var firstName: JSONValue?
    var lastName: JSONValue?
    var userID: JSONValue?

    /// The properties the engine asks `/engage` for (`output_properties`) and reads.
    static let readProperties = ["$email", "$first_name", "$last_name", "$user_id"]

    init(distinctID: String, hasProperties: Bool, email: JSONValue? = nil, firstName: JSONValue? = nil,
         lastName: JSONValue? = nil, userID: JSONValue? = nil) {
        self.distinctID = distinctID
        self.hasProperties = hasProperties
        self.email = email
        self.firstName = firstName
        self.lastName = lastName
        self.userID = userID
    }

    init(distinctID: String, properties: [String: JSONValue]) {
        self.init(distinctID: distinctID, hasProperties: properties.keys.contains { $0 != "$last_seen" },
                  email: properties["$email"], firstName: properties["$first_name"],
                  lastName: properties["$last_name"], userID: properties["$user_id"])
    }

    /// Records one property as the page has it.
    fileprivate mutating func read(_ key: String, _ value: () throws -> JSONValue) rethrows {
        if key != "$last_seen" { hasProperties = true }
        switch key {
        case "$email": email = try value()
        case "$first_name": firstName = try value()
        case "$last_name": lastName = try value()
        case "$user_id": userID = try value()
        default: break
        }
    }
}

/// One `/engage` page, decoded straight from the response bytes: only the values an export reads
/// are built (a page of 1,000 profiles otherwise becomes some 3,000 dictionaries).
struct EngagePage: Sendable, Equatable {
    var profiles: [EngageProfile] = []
    var pageSize: Int?
    var sessionID: String?
    /// The session's number of profiles, as page 0 gives it.
    var total: Int?

    /// Decodes a page; `nil` when the body is not a JSON object or a field's value is not JSON.
    /// Missing or mistyped fields read as absent, as they would through ``JSONValue``'s accessors.
    init?(_ body: Data) {
        let decoded: EngagePage? = body.withUnsafeBytes { bytes in
            var page = EngagePage()
            do {
                try JSONObjectMembers.forEach(in: bytes) { key, _, value in
                    let slice = UnsafeRawBufferPointer(rebasing: bytes[value])
                    switch key {
                    // Not an array reads as no results; a malformed value inside one fails the page.
                    case "results": page.profiles = slice.first == UInt8(ascii: "[") ? try Self.profiles(slice) : []
                    // A value that is not JSON fails the page too; one of another type reads as absent.
                    case "page_size": page.pageSize = try JSONValue(parsing: slice).intValue.map(Int.init)
                    case "session_id": page.sessionID = try JSONValue(parsing: slice).stringValue
                    case "total": page.total = try JSONValue(parsing: slice).intValue.map(Int.init)
                    default: break
                    }
                }
            } catch {
                return nil
            }
            return page
        }
        guard let decoded else { return nil }
        self = decoded
    }

    private init() {}

    private static func profiles(_ bytes: UnsafeRawBufferPointer) throws -> [EngageProfile] {
        var profiles: [EngageProfile] = []
        profiles.reserveCapacity(1000)
        try JSONArrayElements.forEach(in: bytes) { element in
            var profile = EngageProfile(distinctID: "", hasProperties: false)
            let object = UnsafeRawBufferPointer(rebasing: bytes[element])
            // A result that is not an object reads as a user without profile.
            guard object.first == UInt8(ascii: "{") else { return profiles.append(profile) }
            try JSONObjectMembers.forEach(in: object) { key, _, value in
                let slice = UnsafeRawBufferPointer(rebasing: object[value])
                switch key {
                case "$distinct_id":
                    let id = try JSONValue(parsing: slice)
                    profile.distinctID = id.stringValue ?? id.intValue.map(String.init) ?? ""
                case "$properties":
                    try JSONObjectMembers.forEach(in: slice) { name, _, range in
                        try profile.read(name) { try JSONValue(parsing: UnsafeRawBufferPointer(rebasing: slice[range])) }
                    }
                default: break
                }
            }
            profiles.append(profile)
        }
        return profiles
    }
}
