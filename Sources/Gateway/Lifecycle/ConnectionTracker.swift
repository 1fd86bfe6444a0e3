import NIOCore
import Synchronization

/// The open client connections of a gateway, so that draining can reach each of them and wait for them to
/// close.
package final class ConnectionTracker: Sendable {
    private struct Connections {
        var open: [ObjectIdentifier: any Channel] = [:]
        var draining = false
    }

    private let connections = Mutex(Connections())

    package init() {}

    /// The number of client connections open now.
    package var count: Int {
        connections.withLock { $0.open.count }
    }

    /// Tracks `channel` until it closes; a connection accepted while draining is told to drain at once.
    package func track(_ channel: any Channel) {
        let id = ObjectIdentifier(channel)
        let draining = connections.withLock { connections in
            connections.open[id] = channel
            return connections.draining
        }
        channel.closeFuture.whenComplete { _ in
            self.connections.withLock { _ = $0.open.removeValue(forKey: id) }
        }
        if draining { channel.pipeline.fireUserInboundEventTriggered(ConnectionDrainEvent()) }
    }

    /// Tells every open connection, and every one accepted from now on, to drain.
    package func drainAll() {
        let channels = connections.withLock { connections in
            connections.draining = true
            return Array(connections.open.values)
        }
        for channel in channels { channel.pipeline.fireUserInboundEventTriggered(ConnectionDrainEvent()) }
    }

    /// Closes every connection still open.
    package func closeAll() async {
        let channels = connections.withLock { Array($0.open.values) }
        for channel in channels { try? await channel.close() }
    }
}
