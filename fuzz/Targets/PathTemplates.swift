// libFuzzer target: arbitrary text as path templates and request paths. Each line but the last is a
// template (method GET, POST or PATCH by line number); the last line is a request path, matched under GET and
// POST against a RouteTable of every template that parses (when they do not conflict). For each template that
// parses, a path built from it (`*` → one segment, `**` → two, literals percent-encoded, the verb appended)
// must match it in a table of that template alone, binding each variable.

import Gateway

private let methods = ["GET", "POST", "PATCH"]

@_cdecl("LLVMFuzzerTestOneInput")
func fuzzPathTemplates(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    guard let data else { return 0 }
    let text = String(decoding: UnsafeBufferPointer(start: data, count: size), as: UTF8.self)
    let lines = text.split(separator: "\n", omittingEmptySubsequences: false)
    var routes: [RouteTable<Int>.Route] = []
    for (index, line) in lines.dropLast().enumerated() {
        guard let template = try? PathTemplate(parsing: String(line)) else { continue }
        let route = RouteTable<Int>.Route(httpMethod: methods[index % 3], template: template, target: index)
        routes.append(route)
        checkSelfMatch(route)
    }
    let path = lines.last ?? ""
    if let table = try? RouteTable(routes: routes) {
        _ = table.match(method: "GET", path: path)
        _ = table.match(method: "POST", path: path)
    }
    if let table = try? RouteTable(routes: routes, config: .init(trailingSlashIsSignificant: true)) {
        _ = table.match(method: "GET", path: path)
    }
    return 0
}

private func checkSelfMatch(_ route: RouteTable<Int>.Route) {
    var path = ""
    for segment in route.template.segments {
        path += "/"
        switch segment {
        case .literal(let literal): path += percentEncoded(literal)
        case .singleWildcard: path += "x"
        case .multiWildcard: path += "y/z"
        }
    }
    if let verb = route.template.verb { path += ":" + percentEncoded(verb) }
    guard let table = try? RouteTable(routes: [route]) else {
        fatalError("a table of one route is refused: \(route.template)")
    }
    guard case .matched(_, let variables) = table.match(method: route.httpMethod, path: Substring(path)),
        variables.count == route.template.variables.count
    else {
        fatalError(
            "\(path) does not match its own template \(route.template): \(table.match(method: route.httpMethod, path: Substring(path)))"
        )
    }
}

/// Percent-encodes every byte but RFC 3986's unreserved ones.
private func percentEncoded(_ text: String) -> String {
    let hex = Array("0123456789ABCDEF".utf8)
    var bytes: [UInt8] = []
    for byte in text.utf8 {
        switch byte {
        case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"),
            UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "-"), UInt8(ascii: "."), UInt8(ascii: "_"),
            UInt8(ascii: "~"):
            bytes.append(byte)
        default:
            bytes += [UInt8(ascii: "%"), hex[Int(byte >> 4)], hex[Int(byte & 15)]]
        }
    }
    return String(decoding: bytes, as: UTF8.self)
}
