import ArgumentParser

/// The `portico` command: one gateway for every gRPC service of a cluster.
@main
struct Portico: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "One HTTP/JSON and gRPC gateway for every gRPC service of a cluster.",
        discussion: """
            Portico serves HTTP/1.1 and h2c JSON requests, transcoded to gRPC from the google.api.http rules \
            in each backend's descriptor sets, and proxies native gRPC calls as they are.
            """,
        version: PorticoVersion.current,
        subcommands: [Serve.self, Routes.self, Demo.self, DemoBackendCommand.self])
}
