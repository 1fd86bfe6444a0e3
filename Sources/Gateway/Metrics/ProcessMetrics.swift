import Foundation
import Prometheus

/// The process's series: resident memory, open file descriptors, start time, uptime and build information,
/// read from `/proc/self` at scrape time (they stay at zero where `/proc` does not exist).
final class ProcessMetrics: Sendable {
    private let residentMemory: Gauge
    private let openFileDescriptors: Gauge
    private let uptime: Gauge
    private let started = ContinuousClock.now

    init(registry: PrometheusCollectorRegistry, version: String) {
        residentMemory = registry.gauge("process_resident_memory_bytes", help: "Resident memory size in bytes.")
        openFileDescriptors = registry.gauge("process_open_fds", help: "Number of open file descriptors.")
        uptime = registry.gauge("portico_uptime_seconds", help: "Seconds since the gateway was created.")
        registry.gauge("process_start_time_seconds", help: "Start time of the process since unix epoch in seconds.")
            .set(Date().timeIntervalSince1970 - ProcessInfo.processInfo.systemUptime + Self.processUptime())
        registry.gauge("portico_build_info", [("version", version)],
            help: "Always 1; the labels say which build of portico is running."
        ).set(1.0)
    }

    func collect() {
        uptime.set((ContinuousClock.now - started).inSeconds)
        if let statm = try? String(contentsOfFile: "/proc/self/statm", encoding: .utf8),
            let pages = statm.split(separator: " ").dropFirst().first.flatMap({ Double($0) })
        {
            residentMemory.set(pages * Double(sysconf(Int32(_SC_PAGESIZE))))
        }
        if let entries = try? FileManager.default.contentsOfDirectory(atPath: "/proc/self/fd") {
            openFileDescriptors.set(Double(entries.count))
        }
    }

    /// When the process started, in seconds of system uptime (field 22 of `/proc/self/stat`), or the current
    /// system uptime when that cannot be read.
    private static func processUptime() -> Double {
        let now = ProcessInfo.processInfo.systemUptime
        guard let stat = try? String(contentsOfFile: "/proc/self/stat", encoding: .utf8),
            let afterName = stat.lastIndex(of: ")")
        else { return now }
        let fields = stat[stat.index(after: afterName)...].split(separator: " ")
        // Field 22 overall is the 20th after the command name.
        guard fields.count > 19, let ticks = Double(fields[19]) else { return now }
        return ticks / Double(sysconf(Int32(_SC_CLK_TCK)))
    }
}
