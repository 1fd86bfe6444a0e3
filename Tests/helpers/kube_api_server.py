#!/usr/bin/env python3
"""A small Kubernetes API server for tests: Services, Endpoints and EndpointSlices over HTTPS.

It speaks the real protocol as far as discovery clients (Portico, kubectl) use it: discovery documents,
list with a resourceVersion, paginated lists (`limit` and `continue`, 410 Gone for an expired continue
token), watch as a chunked stream of line-delimited JSON events (initial ADDED events for a watch without
a version, replay from a version, BOOKMARK events on demand or periodically, ERROR 410 or HTTP 410 for a
version older than the compaction point, the server-side timeoutSeconds), label and field selectors,
bearer-token or client-certificate authentication (401 with a Status otherwise), TLS with its own CA, and
HTTP/1.1 or, with --http2, HTTP/2 negotiated by ALPN (every watch a stream of one connection).

Usage: kube_api_server.py DIR [--http2]   (DIR receives the CA, server and client certificates)
It prints one JSON line {"port": N, "dir": DIR} and then obeys JSON commands on stdin, one per line,
answering each with one JSON line. See `handle_command` for the commands.
"""
import json
import os
import queue
import random
import select
import socket
import ssl
import subprocess
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit

try:
    import h2.config
    import h2.connection
    import h2.events
    import h2.exceptions
except ImportError:  # only --http2 needs it (`make deps` installs it)
    h2 = None

RESOURCES = {
    # kind: (resource, group-version path prefix, apiVersion)
    "Service": ("services", "/api/v1", "v1"),
    "Endpoints": ("endpoints", "/api/v1", "v1"),
    "EndpointSlice": ("endpointslices", "/apis/discovery.k8s.io/v1", "discovery.k8s.io/v1"),
}
KIND_OF = {resource: kind for kind, (resource, _, _) in RESOURCES.items()}


def make_certificates(directory):
    """A CA, a server certificate for 127.0.0.1 signed by it, a client certificate, and an unrelated CA."""
    def run(*args):
        subprocess.run(["openssl", *args], cwd=directory, check=True, capture_output=True)

    def ca(name):
        run("req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes",
            "-keyout", f"{name}.key", "-out", f"{name}.crt", "-days", "2", "-subj", f"/CN={name}",
            "-addext", "basicConstraints=critical,CA:TRUE", "-addext", "keyUsage=critical,keyCertSign,cRLSign")

    def leaf(name, subject, extensions):
        with open(os.path.join(directory, f"{name}.ext"), "w") as f:
            f.write(extensions)
        run("req", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes",
            "-keyout", f"{name}.key", "-out", f"{name}.csr", "-subj", subject)
        run("x509", "-req", "-in", f"{name}.csr", "-CA", "ca.crt", "-CAkey", "ca.key", "-CAcreateserial",
            "-out", f"{name}.crt", "-days", "2", "-extfile", f"{name}.ext")

    ca("ca")
    ca("other-ca")
    leaf("server", "/CN=kube-apiserver",
         "subjectAltName=IP:127.0.0.1,DNS:localhost\nextendedKeyUsage=serverAuth\n"
         "keyUsage=critical,digitalSignature\n")
    leaf("client", "/CN=portico/O=portico",
         "extendedKeyUsage=clientAuth\nkeyUsage=critical,digitalSignature\n")


class Watch:
    """One open watch stream: its selectors, the queue of lines to write, and when it ends."""

    def __init__(self, resource, namespace, labels, fields, bookmarks, timeout, query):
        self.resource, self.namespace, self.query = resource, namespace, query
        self.labels, self.fields, self.bookmarks = labels, fields, bookmarks
        self.lines = queue.Queue()
        self.deadline = time.monotonic() + timeout
        self.last_write = time.monotonic()

    def matches(self, resource, obj):
        return resource == self.resource and matches(obj, self.namespace, self.labels, self.fields)

    def event_type(self, resource, event_type, obj, previous):
        """The event this watch sees for a change, as the API server's watch cache decides it: a change that
        makes an object match the selectors is ADDED, one that makes it stop matching is DELETED (carrying
        the new object), one it never matched is None (not sent)."""
        if self.matches(resource, obj):
            if event_type == "MODIFIED" and (previous is None or not self.matches(resource, previous)):
                return "ADDED"
            return event_type
        if event_type == "MODIFIED" and previous is not None and self.matches(resource, previous):
            return "DELETED"
        return None

    def next(self, wait):
        """What to do next, waiting up to `wait` seconds: ("line", text), ("end",), ("drop",), ("silent",),
        or None when there is nothing yet. Sends a bookmark when the cluster's bookmark interval has passed
        since the last line, as the real API server does about once a minute."""
        now = time.monotonic()
        if now >= self.deadline:
            return ("end",)
        interval = CLUSTER.bookmark_interval if self.bookmarks else None
        wait = min(wait, self.deadline - now)
        if interval:
            wait = min(wait, max(0.0, self.last_write + interval - now))
        try:
            item = self.lines.get(timeout=wait) if wait > 0 else self.lines.get_nowait()
        except queue.Empty:
            if interval and time.monotonic() >= self.last_write + interval:
                with CLUSTER.lock:  # no event of this watch may be queued behind a bookmark that covers it
                    if self.lines.empty():
                        self.last_write = time.monotonic()
                        return ("line", bookmark_line(self.resource, CLUSTER.version))
            return None
        if item is None:
            return ("end",)
        if item in ("DROP", "SILENT"):
            return (item.lower(),)
        self.last_write = time.monotonic()
        return ("line", item)


def is_error_line(line):
    return line.startswith('{"type": "ERROR"') or line.startswith('{"type":"ERROR"')


def parse_selector(text):
    """A selector's terms as (key, operator, value): `key=value`, `key==value`, `key!=value`, `key` (the label
    exists) and `!key` (it does not)."""
    terms = []
    for term in filter(None, (term.strip() for term in (text or "").split(","))):
        if "!=" in term:
            key, _, value = term.partition("!=")
            terms.append((key.strip(), "!=", value.strip()))
        elif "=" in term:
            key, _, value = term.replace("==", "=").partition("=")
            terms.append((key.strip(), "=", value.strip()))
        elif term.startswith("!"):
            terms.append((term[1:].strip(), "!", None))
        else:
            terms.append((term, "exists", None))
    return terms


def matches_term(values, key, operator, value):
    if operator == "exists":
        return key in values
    if operator == "!":
        return key not in values
    if operator == "!=":
        return values.get(key) != value
    return values.get(key) == value


def matches(obj, namespace, labels, fields):
    meta = obj["metadata"]
    if namespace and meta.get("namespace") != namespace:
        return False
    if not all(matches_term(meta.get("labels", {}), *term) for term in labels):
        return False
    field_values = {"metadata.name": meta.get("name"), "metadata.namespace": meta.get("namespace")}
    return all(matches_term(field_values, *term) for term in fields)


class Cluster:
    """The objects, their history and the open watches, behind one lock."""

    def __init__(self):
        self.lock = threading.Lock()
        self.version = 100
        self.compacted = 0
        self.objects = {}  # (resource, namespace, name) -> object
        self.history = []  # (version, resource, type, object, previous object or None)
        self.watches = []
        self.token = "initial-token"
        self.gone_mode = "event"
        self.requests = []
        self.connections = set()
        self.bookmark_interval = None  # seconds between periodic bookmarks; None: only on demand
        self.snapshots = {}  # continue-token id -> (items, version) of a paginated list
        self.next_snapshot = 0
        self.expire_continue_after = None  # pages to serve before every continue token expires

    def change(self, kind, event_type, obj, silent=False):
        resource = RESOURCES[kind][0]
        with self.lock:
            self.version += 1
            meta = obj["metadata"]
            key = (resource, meta.get("namespace", "default"), meta["name"])
            previous = self.objects.get(key)
            if event_type == "DELETED":
                obj = self.objects.pop(key, obj)
                obj = json.loads(json.dumps(obj))
            meta = obj["metadata"]
            meta.setdefault("namespace", "default")
            meta["resourceVersion"] = str(self.version)
            meta.setdefault("uid", f"uid-{resource}-{meta['namespace']}-{meta['name']}")
            meta.setdefault("creationTimestamp", "2025-01-01T00:00:00Z")
            obj["kind"], obj["apiVersion"] = kind, RESOURCES[kind][2]
            if event_type != "DELETED":
                if event_type == "ADDED" and key in self.objects:
                    event_type = "MODIFIED"
                self.objects[key] = obj
            if silent:
                return self.version
            self.history.append((self.version, resource, event_type, obj, previous))
            for watch in self.watches:
                seen = watch.event_type(resource, event_type, obj, previous)
                if seen:
                    watch.lines.put(json.dumps({"type": seen, "object": obj}, separators=(",", ":")))
            return self.version

    def bookmark(self):
        with self.lock:
            for watch in self.watches:
                if watch.bookmarks:
                    watch.lines.put(bookmark_line(watch.resource, self.version))

    def expire(self, mode):
        """Compacts the history: every version seen so far expires; open watches get ERROR 410 or close."""
        with self.lock:
            self.version += 1
            self.compacted = self.version
            self.history = []
            self.gone_mode = mode
            for watch in self.watches:
                watch.lines.put(gone_line() if mode == "event" else None)

    def drop(self):
        """Closes every open watch connection abruptly, without the final chunk (HTTP/2: resets the stream)."""
        with self.lock:
            for watch in self.watches:
                watch.lines.put("DROP")

    def silence(self):
        """Every open watch goes silent: it stays open but never sends another byte (a hung API server or a
        dead path that TCP has not noticed)."""
        with self.lock:
            for watch in self.watches:
                watch.lines.put("SILENT")
            self.watches = []

    def page(self, items, version, limit, token):
        """One page of a list: (items, continue token or None, version), or None for an expired token."""
        with self.lock:
            if token:
                key, _, offset = token.partition(":")
                if key not in self.snapshots:
                    return None
                items, version = self.snapshots[key]
                start = int(offset)
            else:
                start = 0
            end = start + limit if limit else len(items)
            following = None
            if end < len(items):
                self.next_snapshot += 1
                self.snapshots[str(self.next_snapshot)] = (items, version)
                following = f"{self.next_snapshot}:{end}"
            if following and self.expire_continue_after is not None:
                self.expire_continue_after -= 1
                if self.expire_continue_after <= 0:
                    self.snapshots, self.expire_continue_after = {}, None
            return items[start:end], following, version

    def inject(self, resource, raw):
        with self.lock:
            for watch in self.watches:
                if watch.resource == resource:
                    watch.lines.put(raw)


def bookmark_line(resource, version):
    kind = KIND_OF[resource]
    obj = {"kind": kind, "apiVersion": RESOURCES[kind][2], "metadata": {"resourceVersion": str(version)}}
    return json.dumps({"type": "BOOKMARK", "object": obj}, separators=(",", ":"))


def status(code, reason, message):
    return {"kind": "Status", "apiVersion": "v1", "metadata": {}, "status": "Failure", "message": message,
            "reason": reason, "code": code}


def gone_line():
    return json.dumps({"type": "ERROR", "object": status(410, "Expired", "too old resource version")})


CLUSTER = Cluster()


def discovery_document(path, port):
    def resource(name, kind, short):
        return {"name": name, "singularName": kind.lower(), "namespaced": True, "kind": kind,
                "verbs": ["get", "list", "watch"], "shortNames": short}

    if path == "/api":
        return {"kind": "APIVersions", "versions": ["v1"],
                "serverAddressByClientCIDRs": [{"clientCIDR": "0.0.0.0/0", "serverAddress": f"127.0.0.1:{port}"}]}
    if path == "/apis":
        version = {"groupVersion": "discovery.k8s.io/v1", "version": "v1"}
        return {"kind": "APIGroupList", "apiVersion": "v1",
                "groups": [{"name": "discovery.k8s.io", "versions": [version], "preferredVersion": version}]}
    if path == "/api/v1":
        return {"kind": "APIResourceList", "groupVersion": "v1",
                "resources": [resource("services", "Service", ["svc"]), resource("endpoints", "Endpoints", ["ep"])]}
    if path == "/apis/discovery.k8s.io/v1":
        return {"kind": "APIResourceList", "apiVersion": "v1", "groupVersion": "discovery.k8s.io/v1",
                "resources": [resource("endpointslices", "EndpointSlice", [])]}
    if path == "/version":
        return {"major": "1", "minor": "32", "gitVersion": "v1.32.0", "platform": "linux/amd64"}
    return None


def parse_collection(path):
    """(resource, namespace, name) for a resource path, or None."""
    parts = path.strip("/").split("/")
    if parts[:2] == ["api", "v1"]:
        prefix, rest = "/api/v1", parts[2:]
    elif parts[:3] == ["apis", "discovery.k8s.io", "v1"]:
        prefix, rest = "/apis/discovery.k8s.io/v1", parts[3:]
    else:
        return None
    namespace = None
    if len(rest) >= 2 and rest[0] == "namespaces":
        namespace, rest = rest[1], rest[2:]
    if not rest or rest[0] not in KIND_OF or len(rest) > 2 or RESOURCES[KIND_OF[rest[0]]][1] != prefix:
        return None
    return rest[0], namespace, rest[1] if len(rest) == 2 else None


class Reply:
    """What to answer a request: a JSON body with a status, or a watch stream."""

    def __init__(self, code=200, body=None, watch=None, gone_first=False):
        self.code, self.body, self.watch, self.gone_first = code, body, watch, gone_first


def route(target, authorization, has_certificate, port, protocol, connection):
    """Answers one GET of `target` (path and query), recording it."""
    url = urlsplit(target)
    query = {k: v[-1] for k, v in parse_qs(url.query, keep_blank_values=True).items()}
    entry = {"path": url.path, "query": query, "status": None, "protocol": protocol, "connection": connection}
    with CLUSTER.lock:
        CLUSTER.requests.append(entry)
    reply = answer(url.path, query, has_certificate or authorization == f"Bearer {CLUSTER.token}", port)
    entry["status"] = reply.code
    return reply


def answer(path, query, authorized, port):
    if not authorized:
        return Reply(401, status(401, "Unauthorized", "Unauthorized"))
    document = discovery_document(path, port)
    if document is not None:
        return Reply(200, document)
    target = parse_collection(path)
    if target is None:
        return Reply(404, status(404, "NotFound", f"the server could not find {path}"))
    resource, namespace, name = target
    labels, fields = parse_selector(query.get("labelSelector")), parse_selector(query.get("fieldSelector"))
    if name:
        fields.append(("metadata.name", "=", name))
    if query.get("watch") in ("1", "true"):
        return start_watch(resource, namespace, labels, fields, query)
    if name:
        with CLUSTER.lock:
            obj = CLUSTER.objects.get((resource, namespace, name))
        if obj is None:
            return Reply(404, status(404, "NotFound", f'{resource} "{name}" not found'))
        return Reply(200, obj)
    with CLUSTER.lock:
        items = [o for (r, _, _), o in sorted(CLUSTER.objects.items()) if r == resource
                 and matches(o, namespace, labels, fields)]
        version = CLUSTER.version
    page = CLUSTER.page(items, version, int(query.get("limit") or 0), query.get("continue"))
    if page is None:
        return Reply(410, status(410, "Expired", "The provided continue parameter is too old to display a "
                                 "consistent list result. You can start a new list without the continue parameter."))
    items, following, version = page
    metadata = {"resourceVersion": str(version)}
    if following:
        metadata["continue"] = following
    kind = KIND_OF[resource]
    return Reply(200, {"kind": kind + "List", "apiVersion": RESOURCES[kind][2], "metadata": metadata, "items": items})


def start_watch(resource, namespace, labels, fields, query):
    watch = Watch(resource, namespace, labels, fields, query.get("allowWatchBookmarks") == "true",
                  int(query.get("timeoutSeconds", "1800")), query)
    version = query.get("resourceVersion", "")
    with CLUSTER.lock:
        if version not in ("", "0") and int(version) < CLUSTER.compacted:
            if CLUSTER.gone_mode == "status":
                return Reply(410, status(410, "Expired", "too old resource version"))
            return Reply(200, watch=watch, gone_first=True)
        if version in ("", "0"):
            initial = [json.dumps({"type": "ADDED", "object": o}, separators=(",", ":"))
                       for (r, _, _), o in sorted(CLUSTER.objects.items())
                       if r == resource and watch.matches(resource, o)]
        else:
            replayed = [(watch.event_type(r, t, o, p), o) for v, r, t, o, p in CLUSTER.history if v > int(version)]
            initial = [json.dumps({"type": t, "object": o}, separators=(",", ":")) for t, o in replayed if t]
        for line in initial:
            watch.lines.put(line)
        CLUSTER.watches.append(watch)
    return Reply(200, watch=watch)


def forget(watch):
    with CLUSTER.lock:
        if watch in CLUSTER.watches:
            CLUSTER.watches.remove(watch)


CONNECTION_IDS = iter(range(1, 1 << 30))


class Handler(BaseHTTPRequestHandler):
    """HTTP/1.1, or hands the connection to `H2Connection` when ALPN chose h2."""
    protocol_version = "HTTP/1.1"

    def setup(self):
        try:
            self.request.do_handshake()
        except (ssl.SSLError, OSError):
            self.request.close()
            raise
        with CLUSTER.lock:
            CLUSTER.connections.add(self.request)
            self.connection_id = next(CONNECTION_IDS)
        super().setup()

    def handle(self):
        if self.request.selected_alpn_protocol() == "h2":
            H2Connection(self.request, self.server.server_address[1], self.connection_id).serve()
        else:
            super().handle()

    def finish(self):
        with CLUSTER.lock:
            CLUSTER.connections.discard(self.request)
        try:
            super().finish()
        except OSError:
            pass

    def log_message(self, *args):
        pass

    def send_json(self, code, body):
        data = json.dumps(body).encode()
        self.send_response(code)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def do_GET(self):
        reply = route(self.path, self.headers.get("Authorization"), bool(self.request.getpeercert()),
                      self.server.server_address[1], "HTTP/1.1", self.connection_id)
        if reply.watch is None:
            return self.send_json(reply.code, reply.body)
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Transfer-Encoding", "chunked")
        self.end_headers()
        self.wfile.flush()
        if reply.gone_first:
            self.write_chunk(gone_line())
            return self.end_stream()
        try:
            self.stream(reply.watch)
        except OSError:
            self.close_connection = True
        finally:
            forget(reply.watch)

    def stream(self, watch):
        while True:
            action = watch.next(0.5)
            if action is None:
                # A watch client sends nothing: a readable socket means it closed the stream.
                if select.select([self.request], [], [], 0)[0]:
                    self.close_connection = True
                    return
                continue
            if action[0] == "end":
                return self.end_stream()
            if action[0] == "drop":
                self.close_connection = True
                self.request.shutdown(socket.SHUT_RDWR)
                return
            if action[0] == "silent":
                self.close_connection = True
                forget(watch)
                # Keep the connection open, sending nothing, until the client gives up (or an hour passes).
                select.select([self.request], [], [], 3600)
                return
            self.write_chunk(action[1])
            if is_error_line(action[1]):
                return self.end_stream()

    def write_chunk(self, line):
        data = (line + "\n").encode()
        self.wfile.write(b"%x\r\n%s\r\n" % (len(data), data))
        self.wfile.flush()

    def end_stream(self):
        self.wfile.write(b"0\r\n\r\n")
        self.wfile.flush()


class H2Stream:
    """One request stream of an HTTP/2 connection: bytes waiting for flow-control window, and its watch."""

    def __init__(self, watch=None):
        self.pending = bytearray()
        self.ended = False  # no more bytes will be added; the stream ends once they are sent
        self.watch = watch
        self.silent = False


class H2Connection:
    """Serves one HTTP/2 connection on one thread: requests answered at once, watches pumped between reads."""

    def __init__(self, sock, port, connection_id):
        self.sock, self.port, self.connection_id = sock, port, connection_id
        config = h2.config.H2Configuration(client_side=False, header_encoding="utf-8")
        self.conn = h2.connection.H2Connection(config=config)
        self.streams = {}

    def serve(self):
        self.conn.initiate_connection()
        self.flush()
        try:
            while True:
                if self.sock.pending() or select.select([self.sock], [], [], 0.02)[0]:
                    data = self.sock.recv(65536)
                    if not data:
                        return
                    for event in self.conn.receive_data(data):
                        if isinstance(event, h2.events.RequestReceived):
                            self.request(event.stream_id, dict(event.headers))
                        elif isinstance(event, h2.events.StreamReset):
                            self.close(event.stream_id)
                        elif isinstance(event, h2.events.ConnectionTerminated):
                            return
                self.pump()
                self.flush()
        except (OSError, ssl.SSLError, h2.exceptions.ProtocolError):
            return
        finally:
            for stream_id in list(self.streams):
                self.close(stream_id)

    def request(self, stream_id, headers):
        reply = route(headers.get(":path", "/"), headers.get("authorization"), bool(self.sock.getpeercert()),
                      self.port, "HTTP/2", self.connection_id)
        stream = H2Stream(reply.watch)
        self.streams[stream_id] = stream
        self.conn.send_headers(stream_id, [(":status", str(reply.code)), ("content-type", "application/json")])
        if reply.watch is None:
            stream.pending += json.dumps(reply.body).encode()
            stream.ended = True
        elif reply.gone_first:
            stream.pending += (gone_line() + "\n").encode()
            stream.ended = True
            forget(reply.watch)

    def pump(self):
        for stream_id, stream in list(self.streams.items()):
            while stream.watch is not None and not stream.ended and not stream.silent:
                action = stream.watch.next(0)
                if action is None:
                    break
                if action[0] == "end":
                    stream.ended = True
                elif action[0] == "drop":
                    self.send(stream_id, stream)  # lines queued before the drop go first, as over HTTP/1.1
                    self.conn.reset_stream(stream_id, error_code=2)
                    self.close(stream_id)
                    break
                elif action[0] == "silent":
                    stream.silent = True
                else:
                    stream.pending += (action[1] + "\n").encode()
                    stream.ended = is_error_line(action[1])
            if stream_id in self.streams:
                self.send(stream_id, stream)

    def send(self, stream_id, stream):
        while stream.pending:
            size = min(len(stream.pending), self.conn.local_flow_control_window(stream_id),
                       self.conn.max_outbound_frame_size)
            if size <= 0:
                return
            self.conn.send_data(stream_id, bytes(stream.pending[:size]))
            del stream.pending[:size]
        if stream.ended:
            self.conn.end_stream(stream_id)
            self.close(stream_id)

    def close(self, stream_id):
        stream = self.streams.pop(stream_id, None)
        if stream is not None and stream.watch is not None:
            forget(stream.watch)

    def flush(self):
        data = self.conn.data_to_send()
        if data:
            self.sock.sendall(data)


class TLSServer(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True

    def __init__(self, address, context):
        self.context = context
        super().__init__(address, Handler)

    def get_request(self):
        sock, address = self.socket.accept()
        return self.context.wrap_socket(sock, server_side=True, do_handshake_on_connect=False), address


def tls_context(directory, http2):
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(os.path.join(directory, "server.crt"), os.path.join(directory, "server.key"))
    context.load_verify_locations(os.path.join(directory, "ca.crt"))
    context.verify_mode = ssl.CERT_OPTIONAL
    context.set_alpn_protocols(["h2", "http/1.1"] if http2 else ["http/1.1"])
    return context


class Runner:
    def __init__(self, directory, http2):
        self.context = tls_context(directory, http2)
        self.server = None
        self.port = 0
        self.start()

    def start(self):
        if self.port:
            self.server = TLSServer(("127.0.0.1", self.port), self.context)
        else:
            self.server = self.bind_below_ephemeral_range()
            self.port = self.server.server_address[1]
        threading.Thread(target=self.server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True).start()

    def bind_below_ephemeral_range(self):
        """A port below the kernel's ephemeral range (32768-60999): after a `stop`, no client socket can take it
        before `start` binds it again (port 0 could give one a client may get next)."""
        for _ in range(1000):
            try:
                return TLSServer(("127.0.0.1", random.randint(20000, 32767)), self.context)
            except OSError:
                continue
        raise OSError("no free port below 32768")

    def stop(self):
        self.server.shutdown()
        self.server.server_close()
        CLUSTER.drop()
        with CLUSTER.lock:
            connections = list(CLUSTER.connections)
        for connection in connections:
            try:
                connection.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass


def handle_command(runner, command):
    op = command["op"]
    if op == "apply":  # create or replace an object: {"object": {...kind, metadata, ...}}
        obj = command["object"]
        return {"resourceVersion": CLUSTER.change(obj["kind"], "ADDED", obj, command.get("silent", False))}
    if op == "delete":  # {"kind", "namespace", "name", "silent"?}; silent: no event (a missed one)
        obj = {"metadata": {"name": command["name"], "namespace": command.get("namespace", "default")}}
        return {"resourceVersion": CLUSTER.change(command["kind"], "DELETED", obj, command.get("silent", False))}
    if op == "token":  # the only bearer token accepted from now on
        CLUSTER.token = command["token"]
    elif op == "bookmark":
        CLUSTER.bookmark()
    elif op == "expire":  # {"mode": "event" | "status"}
        CLUSTER.expire(command.get("mode", "event"))
    elif op == "drop":
        CLUSTER.drop()
    elif op == "end":  # every open watch ends cleanly, as at the server's timeout
        with CLUSTER.lock:
            for watch in CLUSTER.watches:
                watch.lines.put(None)
    elif op == "silence":  # every open watch stays open and sends nothing more
        CLUSTER.silence()
    elif op == "bookmarkEvery":  # {"seconds": s}: a bookmark on every watch silent for s seconds; null: off
        CLUSTER.bookmark_interval = command.get("seconds")
    elif op == "expireContinue":  # {"after": n}: once n more continue tokens are handed out, every one expires
        with CLUSTER.lock:
            CLUSTER.expire_continue_after = command.get("after", 0)
            if CLUSTER.expire_continue_after <= 0:
                CLUSTER.snapshots, CLUSTER.expire_continue_after = {}, None
    elif op == "inject":  # {"resource", "raw"}: a raw line on every watch of that resource
        CLUSTER.inject(command["resource"], command["raw"])
    elif op == "stop":
        runner.stop()
    elif op == "start":
        runner.start()
    elif op == "requests":
        with CLUSTER.lock:
            return {"requests": list(CLUSTER.requests)}
    elif op == "watches":  # the open watches: their resources, and each one's namespace (null: all) and selectors
        with CLUSTER.lock:
            return {"watches": [w.resource for w in CLUSTER.watches],
                    "details": [{"resource": w.resource, "namespace": w.namespace,
                                 "labelSelector": w.query.get("labelSelector"),
                                 "fieldSelector": w.query.get("fieldSelector")} for w in CLUSTER.watches]}
    elif op == "applyAll":  # {"objects": [...]}: many applies in one command, each its own change and event
        return {"resourceVersion": [CLUSTER.change(obj["kind"], "ADDED", obj) for obj in command["objects"]][-1]
                if command["objects"] else CLUSTER.version}
    else:
        return {"error": f"unknown op {op}"}
    return {}


def exit_with_parent():
    """Ends the server when the test process goes away, even if it never closed our stdin."""
    parent = os.getppid()
    while os.getppid() == parent:
        time.sleep(0.5)
    os._exit(0)


def main():
    directory = sys.argv[1]
    threading.Thread(target=exit_with_parent, daemon=True).start()
    make_certificates(directory)
    runner = Runner(directory, "--http2" in sys.argv[2:])
    print(json.dumps({"port": runner.port, "dir": directory}), flush=True)
    for line in sys.stdin:
        if not line.strip():
            continue
        try:
            reply = handle_command(runner, json.loads(line))
        except Exception as error:  # the test sees the failure in the reply
            reply = {"error": repr(error)}
        print(json.dumps(reply), flush=True)


if __name__ == "__main__":
    main()
