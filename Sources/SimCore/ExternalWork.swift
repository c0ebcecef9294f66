/// One request a simulated client sent over a real socket, as the ``Simulation`` tracks it.
///
/// The client begins it (``Simulation/beginExternal()``) and finishes it when the answer (or a
/// transport error) arrives. The server side, which learns the ``id`` from the request, marks
/// when it is handling the request, and the ``VirtualClock`` parks the request while that
/// handling sleeps on virtual time (found through the task-local ``current``). Virtual time only
/// moves while no request is pending: this keeps loopback runs byte-identical to in-process ones.
public struct ExternalWork: Sendable {
    let simulation: Simulation
    /// Identifies the request across the socket (sent in a request header).
    public let id: UInt64

    /// The server-side request being handled by the current task, if any.
    @TaskLocal public static var current: ExternalWork?

    /// The client received its answer, a transport error, or gave up.
    public func clientFinished() { simulation.updateExternal(id) { $0.clientWaiting = false } }

    /// The client's virtual timeout passed and it is closing the socket; time stands still until
    /// it has (``clientFinished()``), so the timeout lands at the same instant as in-process.
    public func clientGivingUp() { simulation.updateExternal(id) { $0.clientLeaving = true } }

    /// The server started handling the request: it holds time still even if the client leaves.
    public func serverStarted() { simulation.updateExternal(id) { $0.serverActive = true } }

    /// Waits until every request sent before this one has begun on its server (see
    /// ``Simulation/awaitServerTurn(_:)``).
    public func awaitTurn() async { await simulation.awaitServerTurn(id) }

    /// The server began handling the request on the simulation's executor: the next request may.
    public func serverBegan() { simulation.updateExternal(id) { $0.began = true } }

    /// The server returned its response.
    public func serverFinished() { simulation.updateExternal(id) { $0.serverActive = false } }

    /// The server sleeps on virtual time: the request no longer holds time still.
    func park() { simulation.updateExternal(id) { $0.parked = true } }

    /// The server's sleep ended (called by the clock before it lets anything else run).
    func unpark() { simulation.updateExternal(id) { $0.parked = false } }
}
