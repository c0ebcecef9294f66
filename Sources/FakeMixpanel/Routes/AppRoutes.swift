import SimCore
import SimHTTP

/// The app API's permission endpoint (`/api/app`, `service-accounts.openapi.yaml`):
/// `GET /api/app/projects/{projectId}/service-accounts` and `GET /api/app/projects/{projectId}/annotations`
/// (the fake's projects have no annotations: an empty list). Other `/api/app` paths are unknown (404).
/// Errors are `{"error": …, "status": "error"}`: 401 for wrong credentials, 403 for a project
/// the account is not a member of.
enum AppRoutes {
    static func register(in routes: inout RouteTable<FakeMixpanel>) {
        routes.on("GET", "/api/app/projects/{project}/service-accounts") { fake, request, parameters in
            try projectAccounts(fake, request, project: parameters["project"])
        }
        routes.on("GET", "/api/app/projects/{project}/annotations") { fake, request, parameters in
            try member(fake, request, project: parameters["project"])
            for name in ["fromDate", "toDate"] {
                if let raw = request.queryValue(name), SimTime(iso8601: raw) == nil {
                    throw QueryError(status: 400, message: "\(name) must be a date, yyyy-mm-dd")
                }
            }
            return .json(["status": "ok", "results": []])
        }
    }

    /// `ListServiceAccountsForProjectResponse`; any member of the project may list.
    private static func projectAccounts(_ fake: FakeMixpanel, _ request: HTTPRequest, project: String) throws -> HTTPResponse {
        try member(fake, request, project: project)
        let list = fake.serviceAccounts.sorted { $0.username < $1.username }.map { account -> JSONValue in
            ["id": .int(id(fake, account)), "username": .string(account.username), "role": .string(account.role.rawValue),
             "role_order": .int(Int64(MixpanelWorld.Role.allCases.firstIndex(of: account.role)!)),
             "target_type": "individual", "hasSensitiveAccess": false, "created": .string(fake.created.iso8601)]
        }
        return .json(["status": "ok", "results": .array(list)])
    }

    /// Checks the credentials (401) and that the account belongs to `project` (403).
    private static func member(_ fake: FakeMixpanel, _ request: HTTPRequest, project: String) throws {
        _ = try authenticate(fake, request)
        guard Int64(project) == fake.projectID else {
            throw QueryError(status: 403, message: "service account has no access to project \(project)")
        }
    }

    private static func authenticate(_ fake: FakeMixpanel, _ request: HTTPRequest) throws -> MixpanelWorld.ServiceAccount {
        guard let account = fake.serviceAccount(for: request) else { throw QueryError(status: 401, message: "Invalid credentials") }
        return account
    }

    /// A service account id derived from the seed and the user name.
    static func id(_ fake: FakeMixpanel, _ account: MixpanelWorld.ServiceAccount) -> Int64 {
        Int64(100_000 + StableHash.value(seed: fake.seed, "service-account", account.username) % 900_000)
    }
}
