/// An endpoint chosen for one request, and the ticket that reports how the request went.
public struct Pick: Sendable, Hashable {
    /// Identifies one request in flight to an endpoint; complete it exactly once with
    /// ``LoadBalancer/complete(_:outcome:)``.
    public struct Ticket: Sendable, Hashable {
        /// The endpoint the request went to.
        public let endpoint: EndpointAddress
        /// The endpoint's place in the balancer's list when picked, valid while `generation` is current.
        let slot: Int
        /// The balancer's list generation when picked.
        let generation: UInt64
    }

    /// The endpoint to send the request to.
    public var endpoint: EndpointAddress { ticket.endpoint }
    /// The ticket to complete when the request ends.
    public let ticket: Ticket
}
