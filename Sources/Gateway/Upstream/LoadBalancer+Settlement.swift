import Balancer

extension LoadBalancer {
    /// Pays what a call owes the balancer: the outcome of its pick's ticket and its retry permit. The one
    /// place both are given back, so that each is given back exactly once.
    func settle(_ settlement: UpstreamCallStateMachine.Settlement) {
        if let ticket = settlement.ticket {
            complete(ticket, outcome: settlement.outcome)
        }
        if let permit = settlement.permit {
            release(permit)
        }
    }

    /// Gives back `permit`, if any, and asks the retry budget for the next one.
    func exchangeRetryPermit(_ permit: RetryPermit?) -> RetryPermit? {
        if let permit {
            release(permit)
        }
        return tryAcquireRetry()
    }
}
