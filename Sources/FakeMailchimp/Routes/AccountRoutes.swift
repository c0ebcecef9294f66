import GRDB
import SimCore
import SimHTTP

/// `/ping`, the account root and audiences (`/lists`).
enum AccountRoutes {
    static func register(in routes: inout RouteTable<FakeMailchimp>) {
        routes.on("GET", "/3.0/ping") { _, _, _ in
            .json(["health_status": "Everything's Chimpy!"])
        }
        routes.on("GET", "/3.0") { fake, _, _ in try root(fake) }
        routes.on("GET", "/3.0/lists") { fake, request, _ in
            try ListingParameters.refuseUnsupported(request, allowed: [
                "since_date_created", "before_date_created", "since_campaign_last_sent", "before_campaign_last_sent",
                "sort_field", "sort_dir",
            ])
            let (count, offset) = try RequestReading.paging(request)
            let created = try DateWindow(request, field: "date_created")
            let lastSent = try DateWindow(request, field: "campaign_last_sent")
            try ListingParameters.sortField(request, accepted: ["date_created"])
            let descending = try ListingParameters.descending(request)
            return try fake.read { db in
                var all = try MailchimpQueries.lists(db).filter { created.contains(timestamp: $0.dateCreated) }
                if lastSent.isSet {
                    let statement = try db.cachedStatement(sql: "SELECT MAX(sent_ms) FROM campaign WHERE list_id = ?")
                    all = try all.filter { list in
                        lastSent.contains(try Int64.fetchOne(statement, arguments: [list.id]).map { SimTime(milliseconds: $0) })
                    }
                }
                if descending { all.reverse() }
                let page = all.dropFirst(offset).prefix(count)
                return .json(["lists": .array(try page.map { try Rendering.list($0, db: db) }),
                              "total_items": .int(Int64(all.count)),
                              "constraints": ["may_create": true, "max_instances": 100, "current_total_instances": .int(Int64(all.count))],
                              "_links": []])
            }
        }
        routes.on("GET", "/3.0/lists/{list}") { fake, _, p in
            try fake.read { db in
                guard let list = try MailchimpQueries.list(db, p["list"]) else { throw MailchimpProblem.notFound }
                return .json(try Rendering.list(list, db: db))
            }
        }
    }

    private static func root(_ fake: FakeMailchimp) throws -> HTTPResponse {
        let total = try fake.read { db in
            try Int.fetchOne(try db.cachedStatement(sql: "SELECT COUNT(*) FROM member WHERE status = 'subscribed'")) ?? 0
        }
        let accountID = StableHash.hex(seed: fake.seed, length: 25, "account", fake.apiKey)
        return .json([
            "account_id": .string(accountID), "login_id": .string(String(accountID.prefix(9))),
            "account_name": .string(fake.accountName), "email": "owner@example.com", "first_name": "Sim",
            "last_name": "Owner", "username": "cohortsim", "avatar_url": "", "role": "owner",
            "member_since": "2020-01-01T00:00:00+00:00", "pricing_plan_type": "monthly", "first_payment": "",
            "account_timezone": "UTC", "account_industry": "Software",
            "contact": ["company": "CohortSim", "addr1": "1 Simulation Way", "addr2": "", "city": "Atlanta",
                        "state": "GA", "zip": "30308", "country": "US"],
            "pro_enabled": false, "last_login": "", "total_subscribers": .int(Int64(total)),
            "industry_stats": ["open_rate": 0, "bounce_rate": 0, "click_rate": 0], "_links": [],
        ])
    }
}
