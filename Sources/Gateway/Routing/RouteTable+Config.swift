extension RouteTable {
    /// How a ``RouteTable`` treats request paths.
    package struct Config: Hashable, Sendable {
        /// Whether `/v1/books/` is a different path from `/v1/books`.
        ///
        /// Default `false`: trailing slashes are dropped before matching, as Envoy's transcoder does, so both
        /// reach the route `/v1/books`. With `true`, a trailing slash is an empty last segment (grpc-gateway's
        /// behaviour), which only a `**` can match.
        package var trailingSlashIsSignificant: Bool

        package init(trailingSlashIsSignificant: Bool) {
            self.trailingSlashIsSignificant = trailingSlashIsSignificant
        }

        /// The defaults described on each property.
        package static var defaults: Self {
            Self(trailingSlashIsSignificant: false)
        }
    }
}
