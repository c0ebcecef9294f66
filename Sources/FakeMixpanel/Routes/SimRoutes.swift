import SimCore
import SimHTTP

/// Simulator-only routes (not part of Mixpanel): `GET /_sim/mtu?month=YYYY-MM` answers
/// ``FakeMixpanel/mtu(month:)`` as JSON, without authentication.
enum SimRoutes {
    static func register(in routes: inout RouteTable<FakeMixpanel>) {
        routes.on("GET", "/_sim/mtu") { fake, request, _ in
            guard let month = request.queryValue("month") else { throw QueryError(status: 400, message: "month is required, as YYYY-MM") }
            do {
                return .json(try fake.mtu(month: month).json)
            } catch is InvalidMonth {
                throw QueryError(status: 400, message: "month must be YYYY-MM")
            }
        }
    }
}
