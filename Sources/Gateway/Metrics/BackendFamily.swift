/// The metric families of a backend, in the order `/metrics` prints them.
enum BackendFamily: Int, CaseIterable {
    case inFlight, endpoints, activeRetries, ejections, ejectionsOverflowed, retryOverflows, retries
    case connectionsOpened, connectionsFailed, connectionsOpen, goAwaysReceived, schemaFetches
    case endpointInFlight, endpointLatency, endpointEjected, endpointEjections

    var name: String {
        switch self {
        case .inFlight: "portico_backend_in_flight"
        case .endpoints: "portico_backend_endpoints"
        case .activeRetries: "portico_backend_active_retries"
        case .ejections: "portico_backend_ejections_total"
        case .ejectionsOverflowed: "portico_backend_ejections_overflowed_total"
        case .retryOverflows: "portico_backend_retry_overflows_total"
        case .retries: "portico_backend_retries_total"
        case .connectionsOpened: "portico_upstream_connections_opened_total"
        case .connectionsFailed: "portico_upstream_connections_failed_total"
        case .connectionsOpen: "portico_upstream_connections_open"
        case .goAwaysReceived: "portico_upstream_goaways_received_total"
        case .schemaFetches: "portico_backend_schema_fetches_total"
        case .endpointInFlight: "portico_endpoint_in_flight"
        case .endpointLatency: "portico_endpoint_latency_ewma_seconds"
        case .endpointEjected: "portico_endpoint_ejected"
        case .endpointEjections: "portico_endpoint_ejections_total"
        }
    }

    var type: String {
        switch self {
        case .ejections, .ejectionsOverflowed, .retryOverflows, .retries, .connectionsOpened, .connectionsFailed,
            .goAwaysReceived, .endpointEjections, .schemaFetches:
            "counter"
        case .inFlight, .endpoints, .activeRetries, .connectionsOpen, .endpointInFlight, .endpointLatency,
            .endpointEjected:
            "gauge"
        }
    }

    var help: String {
        switch self {
        case .inFlight: "Requests in flight to a backend."
        case .endpoints:
            "A backend's endpoints, by state (ejected endpoints get no requests until their ejection ends)."
        case .activeRetries: "Retries of a backend holding a budget permit now."
        case .ejections: "Outlier ejections of a backend's endpoints."
        case .ejectionsOverflowed:
            "Ejections not made because too many of a backend's endpoints were ejected already."
        case .retryOverflows: "Retries refused because the retry budget was spent."
        case .retries: "Calls tried again on another endpoint after a failure that never reached the backend."
        case .connectionsOpened: "HTTP/2 connections to a backend's pods opened, summed over event loops."
        case .connectionsFailed: "Attempts to connect to a backend's pods that failed."
        case .connectionsOpen: "HTTP/2 connections to a backend's pods open now."
        case .goAwaysReceived: "GOAWAY frames received from a backend's pods."
        case .schemaFetches:
            "Schemas asked of a backend's pods over gRPC server reflection, by result (updated, unchanged, failed)."
        case .endpointInFlight: "Requests in flight to an endpoint."
        case .endpointLatency: "An endpoint's peak-EWMA latency estimate, without failure penalty."
        case .endpointEjected: "1 while an endpoint is ejected, else 0."
        case .endpointEjections: "Outlier ejections of an endpoint."
        }
    }
}
