extension KubernetesConfig {
    /// Where a pod finds its service-account credentials; injectable so tests can point elsewhere.
    public struct InCluster: Hashable, Sendable {
        /// The service-account token, reread every `tokenRefreshInterval`.
        /// Default: `/var/run/secrets/kubernetes.io/serviceaccount/token`.
        public var tokenFile: String
        /// The cluster CA bundle, reread with the token. Default: `.../serviceaccount/ca.crt`.
        public var caFile: String
        /// The pod's namespace. Default: `.../serviceaccount/namespace`.
        public var namespaceFile: String
        /// The environment holding `KUBERNETES_SERVICE_HOST` and `KUBERNETES_SERVICE_PORT`; nil means the
        /// process environment. Default: nil.
        public var environment: [String: String]?

        /// Creates the locations.
        public init(tokenFile: String, caFile: String, namespaceFile: String, environment: [String: String]? = nil) {
            self.tokenFile = tokenFile
            self.caFile = caFile
            self.namespaceFile = namespaceFile
            self.environment = environment
        }

        /// The locations Kubernetes mounts into every pod.
        public static var defaults: InCluster {
            let directory = "/var/run/secrets/kubernetes.io/serviceaccount"
            return InCluster(
                tokenFile: "\(directory)/token", caFile: "\(directory)/ca.crt",
                namespaceFile: "\(directory)/namespace")
        }
    }
}
