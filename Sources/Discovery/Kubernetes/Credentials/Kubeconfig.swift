import Foundation
import Yams

/// One kubeconfig file, or several merged as kubectl merges the files of `KUBECONFIG`: the first file to
/// name a cluster, user or context defines it, and the first file to set `current-context` sets it. Files
/// that do not exist are skipped. Relative paths in an entry are relative to the file it came from.
struct Kubeconfig {
    /// A cluster, user or context as its file wrote it.
    struct Entry {
        /// The entry's mapping (`cluster:`, `user:` or `context:`).
        var fields: [String: Any]
        /// The file it came from, for relative paths and messages.
        var file: URL

        /// `path` made absolute against the entry's file (`~` expanded).
        func resolve(_ path: String) -> String {
            let expanded = (path as NSString).expandingTildeInPath
            return expanded.hasPrefix("/")
                ? expanded : file.deletingLastPathComponent().appendingPathComponent(expanded).standardized.path
        }

        /// An error about this entry, naming its file.
        func fail(_ message: String) -> KubernetesError {
            KubernetesError(code: .invalidCredentials, message: "\(file.path): \(message)")
        }
    }

    /// The files, as given.
    var files: [String]
    var clusters: [String: Entry] = [:]
    var users: [String: Entry] = [:]
    var contexts: [String: Entry] = [:]
    var currentContext: String?

    /// Reads and merges kubeconfig files.
    /// - Parameter paths: one path or several separated by `:`, as in `KUBECONFIG` (`~` expanded).
    /// - Throws: `invalidCredentials` when a file cannot be read or parsed, or when none exists.
    init(paths: String) throws(KubernetesError) {
        files = paths.split(separator: ":").map { (String($0) as NSString).expandingTildeInPath }
        var found = false
        for path in files where FileManager.default.fileExists(atPath: path) {
            found = true
            try merge(path)
        }
        guard found else { throw fail("cannot read (no such file)") }
    }

    private mutating func merge(_ path: String) throws(KubernetesError) {
        let file = URL(fileURLWithPath: path)
        func fail(_ message: String) -> KubernetesError {
            KubernetesError(code: .invalidCredentials, message: "\(path): \(message)")
        }
        guard let text = try? String(contentsOfFile: path, encoding: .utf8) else { throw fail("cannot read") }
        let root: [String: Any]
        do {
            let loaded = try Yams.load(yaml: text)
            guard loaded == nil || loaded is [String: Any] else { throw fail("not a mapping") }
            root = loaded as? [String: Any] ?? [:]
        } catch let error as KubernetesError {
            throw error
        } catch {
            throw fail("not YAML: \(error)")
        }
        func add(_ list: String, _ field: String, to entries: inout [String: Entry]) {
            for item in root[list] as? [[String: Any]] ?? [] {
                guard let name = item["name"] as? String, entries[name] == nil else { continue }
                entries[name] = Entry(fields: item[field] as? [String: Any] ?? [:], file: file)
            }
        }
        add("clusters", "cluster", to: &clusters)
        add("users", "user", to: &users)
        add("contexts", "context", to: &contexts)
        if currentContext == nil, let current = root["current-context"] as? String, !current.isEmpty {
            currentContext = current
        }
    }

    /// An error about the merged files as a whole.
    func fail(_ message: String) -> KubernetesError {
        KubernetesError(code: .invalidCredentials, message: "\(files.joined(separator: ":")): \(message)")
    }
}
