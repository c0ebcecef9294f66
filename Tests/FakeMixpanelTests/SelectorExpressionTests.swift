import Testing
import SimCore
@testable import FakeMixpanel

@Suite(.timeLimit(.minutes(2))) struct SelectorExpressionTests {
    let profile: [String: JSONValue] = ["$email": "a@example.com", "plan": "pro", "visits": 5, "groups": ["beta", "eu"]]

    @Test(arguments: [
        (#"properties["$email"] == "a@example.com""#, true),
        (#"properties["plan"] != "pro""#, false),
        (#"properties["visits"] >= 5 and properties["visits"] < 6"#, true),
        (#"defined(properties["$email"]) and not defined(properties["$phone"])"#, true),
        (#""beta" in properties["groups"]"#, true),
        (#"(properties["plan"] == "free" or properties["visits"] > 3) and properties["plan"] == "pro""#, true),
        (#"properties["missing"] == "x""#, false),
    ])
    func expressionsEvaluateOnProfileProperties(_ text: String, _ expected: Bool) throws {
        #expect(try SelectorExpression(parsing: text).matches(profile) == expected)
    }

    @Test(arguments: [#"properties["a"] =="#, #"properties[a] == 1"#, #"properties["a"] ~ 1"#, #"defined(properties["a"]"#, #""unterminated"#])
    func malformedExpressionsAreParseErrors(_ text: String) {
        #expect(throws: SelectorExpression.ParseError.self) { try SelectorExpression(parsing: text) }
    }
}
