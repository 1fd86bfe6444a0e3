import Foundation
import Logging
import ServiceLifecycle
import UnixSignals

/// Reloads a running gateway's config file and descriptor sets on SIGHUP, and when one of those files changes
/// (checked every `lifecycle.watchInterval`). A reload that fails is logged and counted; the config in force
/// stays. Runs until graceful shutdown.
public struct ConfigReloader: Service {
    private let server: GatewayServer
    private let file: String
    private let logger: Logger
    /// The files as they were when the reloader was made: a change after that, even before `run()`, reloads.
    private let initialFingerprint: [String: String]

    /// - Parameters:
    ///   - server: The gateway to reload.
    ///   - file: The config file it was started with.
    ///   - logger: Where reload triggers are logged.
    public init(server: GatewayServer, configFile file: String, logger: Logger) {
        self.server = server
        self.file = file
        self.logger = logger
        self.initialFingerprint = Self.fingerprint(file: file, config: server.config)
    }

    public func run() async throws {
        await cancelWhenGracefulShutdown {
            await withTaskGroup(of: Void.self) { group in
                group.addTask { await self.reloadOnSIGHUP() }
                group.addTask { await self.reloadOnChange() }
                await group.waitForAll()
            }
        }
    }

    private func reloadOnSIGHUP() async {
        for await _ in await UnixSignalsSequence(trapping: .sighup) {
            logger.info("SIGHUP: reloading the config", metadata: ["file": "\(file)"])
            await server.reload(configFile: file)
        }
    }

    private func reloadOnChange() async {
        var seen = initialFingerprint
        while !Task.isCancelled {
            let interval = server.config.lifecycle.watchInterval
            guard interval > .zero else {
                // Watching is off; look again later in case a reload turns it on.
                try? await Task.sleep(for: .seconds(5))
                continue
            }
            try? await Task.sleep(for: interval)
            let now = Self.fingerprint(file: file, config: server.config)
            guard now != seen else { continue }
            seen = now
            logger.info("config or descriptor file changed: reloading", metadata: ["file": "\(file)"])
            await server.reload(configFile: file)
            seen = Self.fingerprint(file: file, config: server.config)
        }
    }

    /// The modification time and size of the config file and of every descriptor set of `config`.
    private static func fingerprint(file: String, config: GatewayConfig) -> [String: String] {
        var result: [String: String] = [:]
        for path in [file] + config.backends.flatMap(\.descriptorFiles) {
            let attributes = try? FileManager.default.attributesOfItem(atPath: path)
            let modified = (attributes?[.modificationDate] as? Date)?.timeIntervalSince1970 ?? 0
            let size = (attributes?[.size] as? NSNumber)?.intValue ?? -1
            result[path] = "\(modified)/\(size)"
        }
        return result
    }
}
