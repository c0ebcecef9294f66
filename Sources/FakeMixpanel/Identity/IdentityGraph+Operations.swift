/// One change to the identity graph, as derived from an ingested event.
enum IdentityOperation: Sendable, Equatable {
    /// The project saw this id (for A1 (b)).
    case seen(String)
    /// Original `$identify`.
    case identify(identified: String, anon: String)
    /// Original `$create_alias`.
    case alias(alias: String, distinctID: String)
    /// Original `$merge` (through `/import` only).
    case merge(String, String)
    /// Simplified: an event carried both `$device_id` (here with its `$device:` prefix) and `$user_id`.
    case link(device: String, user: String)
}

extension IdentityGraph {
    /// Applies `operation` under the project's rules.
    mutating func apply(_ operation: IdentityOperation) -> IdentityOutcome {
        switch operation {
        case .seen(let id):
            see(id)
            return .unchanged
        case .identify(let identified, let anon): return identify(identified: identified, anon: anon)
        case .alias(let alias, let distinctID): return createAlias(alias, distinctID: distinctID)
        case .merge(let a, let b): return merge(a, b)
        case .link(let device, let user): return link(device: device, user: user)
        }
    }

    /// `$identify`: the checks of the reference's decision tree, in order.
    private mutating func identify(identified: String, anon: String) -> IdentityOutcome {
        see(identified)
        see(anon)
        if anon == identified {
            return .failed(reason: "errSameIDs", description: "$anon_id and $identified_id are the same id '\(anon)'")
        }
        if !Self.isUUIDv4(anon) {
            return .failed(reason: "errAnonDistinctIdNonGUIDForm", description: "$anon_id '\(anon)' is not a UUID v4")
        }
        if canonical(anon) == canonical(identified) && clusterOf[anon] != nil {
            guard settings.reidentify == .assignedAlready else { return .unchanged }
            return assignedAlready(anon)
        }
        if members(of: anon).contains(where: identifyTargets.contains) { return assignedAlready(anon) }
        if let failure = tooMany(anon, identified) { return failure }
        identifyTargets.insert(identified)
        markIdentified(identified)
        return union(identified, anon)
    }

    /// `$create_alias`: the alias must be new, and the cluster must stay under the cap.
    private mutating func createAlias(_ alias: String, distinctID: String) -> IdentityOutcome {
        see(distinctID)
        see(alias)
        if aliases.contains(alias) {
            return .failed(reason: "errAliasAlreadyExists", description: "alias '\(alias)' is already an alias of a distinct_id")
        }
        if let failure = tooMany(distinctID, alias) { return failure }
        aliases.insert(alias)
        markIdentified(distinctID)
        return union(distinctID, alias)
    }

    /// `$merge`: joins any two clusters; only the size is checked.
    private mutating func merge(_ a: String, _ b: String) -> IdentityOutcome {
        see(a)
        see(b)
        if let failure = tooMany(a, b) { return failure }
        return union(a, b)
    }

    /// Simplified: the first event with both ids links the device to the user (A5 on conflict).
    private mutating func link(device: String, user: String) -> IdentityOutcome {
        see(device)
        see(user)
        if let owner = userID(of: device), owner != user {
            guard settings.deviceConflict == .relink else {
                return .failed(reason: "device '\(device)' is already merged with $user_id '\(owner)'; "
                               + "a cluster holds one $user_id", description: "")
            }
            detach(device)
        }
        if userID(of: device) == user { return .unchanged }
        return union(user, device, userID: user)
    }

    private func tooMany(_ a: String, _ b: String) -> IdentityOutcome? {
        let size = mergedSize(a, b)
        guard size > settings.maxClusterSize else { return nil }
        return .failed(reason: "errManyIDs",
                       description: "the merged cluster would hold \(size) distinct_ids; at most \(settings.maxClusterSize) are allowed")
    }

    private func assignedAlready(_ anon: String) -> IdentityOutcome {
        .failed(reason: "errAnonDistinctIdAssignedAlready",
                description: "$anon_id '\(anon)' is already merged with a distinct_id that was used as an $identified_id")
    }

    /// `xxxxxxxx-xxxx-4xxx-[89ab]xxx-xxxxxxxxxxxx`, hex in either case.
    static func isUUIDv4(_ text: String) -> Bool {
        let chars = Array(text.lowercased())
        guard chars.count == 36 else { return false }
        for (index, char) in chars.enumerated() {
            if [8, 13, 18, 23].contains(index) {
                guard char == "-" else { return false }
            } else if !char.isHexDigit {
                return false
            }
        }
        return chars[14] == "4" && "89ab".contains(chars[19])
    }
}
