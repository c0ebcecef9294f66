import GRDB
import SimCore

/// Changes a contact or an account user makes outside the API (scenario steps). They follow the
/// same rules as the API, fire webhooks with their own source, and throw `MailchimpProblem`
/// (404 `Resource Not Found` for an unknown audience or contact).
extension FakeMailchimp {
    /// The contact unsubscribes (`byContact`: through the unsubscribe link, so it can never be
    /// re-subscribed through the API) or an admin unsubscribes them (re-subscribable).
    /// `list` is an audience id or name.
    public func unsubscribe(email: String, list: String, byContact: Bool = true) throws {
        try changeMember(email: email, list: list, source: byContact ? .user : .admin) { writes, member in
            member.status = "unsubscribed"
            member.unsubscribedBy = byContact ? "contact" : "admin"
            member.unsubscribeReason = byContact ? "N/A (Unsubscribed via unsubscribe link)" : "N/A (Unsubscribed by admin)"
            member.statusBeforeArchive = nil
            member.lastChanged = writes.now.mailchimpTimestamp
        }
    }

    /// The address hard-bounces: the contact becomes `cleaned` and can no longer be subscribed.
    public func clean(email: String, list: String) throws {
        try changeMember(email: email, list: list, source: nil) { writes, member in
            member.status = "cleaned"
            member.unsubscribedBy = nil
            member.unsubscribeReason = nil
            member.lastChanged = writes.now.mailchimpTimestamp
        }
    }

    /// An admin archives the contact (as `DELETE …/members/{hash}`; cleaned, pending and archived
    /// contacts give 405).
    public func archive(email: String, list: String) throws {
        try write { db in
            let writes = try contactWrites(db, list: list, source: .admin)
            guard let member = try writes.find(email) else { throw MailchimpProblem.notFound }
            try writes.archive(member)
        }
    }

    /// An admin permanently deletes the contact: it is gone and can never be re-imported.
    public func deletePermanently(email: String, list: String) throws {
        try write { db in
            let writes = try contactWrites(db, list: list, source: .admin)
            guard let member = try writes.find(email) else { throw MailchimpProblem.notFound }
            try writes.erase(member)
        }
    }

    /// The contact (or, with `byContact: false`, an admin) changes the address: the contact keeps
    /// its status, merge fields and tags under the new address and subscriber hash. A new address
    /// already on the audience gives 400 `Member Exists`.
    public func changeEmail(from old: String, to new: String, list: String, byContact: Bool = true) throws {
        try write { db in
            let writes = try contactWrites(db, list: list, source: byContact ? .user : .admin)
            guard let member = try writes.find(old) else { throw MailchimpProblem.notFound }
            guard EmailCheck.isWellFormed(new) else { throw MailchimpProblem.invalidEmail }
            if try writes.find(new) != nil { throw MailchimpProblem.memberExists(new) }
            _ = try writes.move(member, to: new)
        }
    }

    /// The audience's id for `key`, which may be an id or a name.
    func resolveList(_ db: Database, _ key: String) throws -> ListRecord {
        if let list = try MailchimpQueries.list(db, key) { return list }
        guard let list = try MailchimpQueries.lists(db).first(where: { $0.name == key }) else { throw MailchimpProblem.notFound }
        return list
    }

    func contactWrites(_ db: Database, list: String, source: WebhookSource?) throws -> MemberWrites {
        var writes = try MemberWrites(fake: self, db: db, list: try resolveList(db, list), now: clock.now)
        writes.source = source
        return writes
    }

    private func changeMember(email: String, list: String, source: WebhookSource?,
                              _ change: (MemberWrites, inout MemberRecord) throws -> Void) throws {
        try write { db in
            let writes = try contactWrites(db, list: list, source: source)
            guard var member = try writes.find(email) else { throw MailchimpProblem.notFound }
            try change(writes, &member)
            try writes.save(member)
        }
    }
}
