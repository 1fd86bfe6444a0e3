#!/usr/bin/env python3
"""A small Kubernetes API server for tests: Services, Endpoints and EndpointSlices over HTTPS.

It speaks the real protocol as far as discovery clients (Portico, kubectl) use it: discovery documents,
list with a resourceVersion, watch as a chunked stream of line-delimited JSON events (initial ADDED events
for a watch without a version, replay from a version, BOOKMARK events, ERROR 410 or HTTP 410 for a version
older than the compaction point, the server-side timeoutSeconds), label and field selectors, bearer-token
or client-certificate authentication (401 with a Status otherwise), TLS with its own CA.

Usage: kube_api_server.py DIR   (DIR receives the CA, server and client certificates)
It prints one JSON line {"port": N, "dir": DIR} and then obeys JSON commands on stdin, one per line,
answering each with one JSON line. See `handle_command` for the commands.
"""
import json
import os
import queue
import select
import socket
import ssl
import subprocess
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit

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
    """One open watch stream: its selectors and the queue of lines to write."""

    def __init__(self, resource, namespace, labels, fields, bookmarks):
        self.resource, self.namespace = resource, namespace
        self.labels, self.fields, self.bookmarks = labels, fields, bookmarks
        self.lines = queue.Queue()
        self.socket = None

    def matches(self, resource, obj):
        return resource == self.resource and matches(obj, self.namespace, self.labels, self.fields)


def parse_selector(text):
    pairs = {}
    for term in filter(None, (text or "").split(",")):
        key, _, value = term.replace("==", "=").partition("=")
        pairs[key.strip()] = value.strip()
    return pairs


def matches(obj, namespace, labels, fields):
    meta = obj["metadata"]
    if namespace and meta.get("namespace") != namespace:
        return False
    if any(meta.get("labels", {}).get(k) != v for k, v in labels.items()):
        return False
    for key, value in fields.items():
        if key == "metadata.name" and meta.get("name") != value:
            return False
        if key == "metadata.namespace" and meta.get("namespace") != value:
            return False
    return True


class Cluster:
    """The objects, their history and the open watches, behind one lock."""

    def __init__(self):
        self.lock = threading.Lock()
        self.version = 100
        self.compacted = 0
        self.objects = {}  # (resource, namespace, name) -> object
        self.history = []  # (version, resource, type, object)
        self.watches = []
        self.token = "initial-token"
        self.gone_mode = "event"
        self.requests = []
        self.connections = set()

    def change(self, kind, event_type, obj, silent=False):
        resource = RESOURCES[kind][0]
        with self.lock:
            self.version += 1
            meta = obj["metadata"]
            key = (resource, meta.get("namespace", "default"), meta["name"])
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
            self.history.append((self.version, resource, event_type, obj))
            line = json.dumps({"type": event_type, "object": obj}, separators=(",", ":"))
            for watch in self.watches:
                if watch.matches(resource, obj):
                    watch.lines.put(line)
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
        """Closes every open watch connection abruptly, without the final chunk."""
        with self.lock:
            for watch in self.watches:
                watch.lines.put("DROP")

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


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def setup(self):
        try:
            self.request.do_handshake()
        except (ssl.SSLError, OSError):
            self.request.close()
            raise
        with CLUSTER.lock:
            CLUSTER.connections.add(self.request)
        super().setup()

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

    def authorized(self):
        if self.request.getpeercert():
            return True
        return self.headers.get("Authorization") == f"Bearer {CLUSTER.token}"

    def do_GET(self):
        url = urlsplit(self.path)
        query = {k: v[-1] for k, v in parse_qs(url.query, keep_blank_values=True).items()}
        entry = {"path": url.path, "query": query, "status": None}
        with CLUSTER.lock:
            CLUSTER.requests.append(entry)
        if not self.authorized():
            entry["status"] = 401
            return self.send_json(401, status(401, "Unauthorized", "Unauthorized"))
        document = discovery_document(url.path, self.server.server_address[1])
        if document is not None:
            entry["status"] = 200
            return self.send_json(200, document)
        target = parse_collection(url.path)
        if target is None:
            entry["status"] = 404
            return self.send_json(404, status(404, "NotFound", f"the server could not find {url.path}"))
        resource, namespace, name = target
        labels, fields = parse_selector(query.get("labelSelector")), parse_selector(query.get("fieldSelector"))
        if name:
            fields["metadata.name"] = name
        if query.get("watch") in ("1", "true"):
            return self.watch(entry, resource, namespace, labels, fields, query)
        if name:
            with CLUSTER.lock:
                obj = CLUSTER.objects.get((resource, namespace, name))
            entry["status"] = 200 if obj else 404
            if obj is None:
                return self.send_json(404, status(404, "NotFound", f'{resource} "{name}" not found'))
            return self.send_json(200, obj)
        with CLUSTER.lock:
            items = [o for (r, _, _), o in sorted(CLUSTER.objects.items()) if r == resource
                     and matches(o, namespace, labels, fields)]
            version = CLUSTER.version
        entry["status"] = 200
        kind = KIND_OF[resource]
        self.send_json(200, {"kind": kind + "List", "apiVersion": RESOURCES[kind][2],
                             "metadata": {"resourceVersion": str(version)}, "items": items})

    def watch(self, entry, resource, namespace, labels, fields, query):
        watch = Watch(resource, namespace, labels, fields, query.get("allowWatchBookmarks") == "true")
        version = query.get("resourceVersion", "")
        with CLUSTER.lock:
            if version not in ("", "0") and int(version) < CLUSTER.compacted:
                gone = CLUSTER.gone_mode
            else:
                gone = None
                if version in ("", "0"):
                    initial = [json.dumps({"type": "ADDED", "object": o}, separators=(",", ":"))
                               for (r, _, _), o in sorted(CLUSTER.objects.items())
                               if r == resource and watch.matches(resource, o)]
                else:
                    initial = [json.dumps({"type": t, "object": o}, separators=(",", ":"))
                               for v, r, t, o in CLUSTER.history if v > int(version) and watch.matches(r, o)]
                for line in initial:
                    watch.lines.put(line)
                CLUSTER.watches.append(watch)
        if gone == "status":
            entry["status"] = 410
            return self.send_json(410, status(410, "Expired", "too old resource version"))
        entry["status"] = 200
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Transfer-Encoding", "chunked")
        self.end_headers()
        self.wfile.flush()
        if gone == "event":
            self.write_chunk(gone_line())
            return self.end_stream()
        deadline = time.monotonic() + int(query.get("timeoutSeconds", "1800"))
        try:
            while True:
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    return self.end_stream()
                try:
                    line = watch.lines.get(timeout=min(remaining, 0.5))
                except queue.Empty:
                    # A watch client sends nothing: a readable socket means it closed the stream.
                    if select.select([self.request], [], [], 0)[0]:
                        self.close_connection = True
                        return
                    continue
                if line is None:
                    return self.end_stream()
                if line == "DROP":
                    self.close_connection = True
                    self.request.shutdown(socket.SHUT_RDWR)
                    return
                self.write_chunk(line)
                if line.startswith('{"type": "ERROR"') or line.startswith('{"type":"ERROR"'):
                    return self.end_stream()
        except OSError:
            self.close_connection = True
        finally:
            with CLUSTER.lock:
                if watch in CLUSTER.watches:
                    CLUSTER.watches.remove(watch)

    def write_chunk(self, line):
        data = (line + "\n").encode()
        self.wfile.write(b"%x\r\n%s\r\n" % (len(data), data))
        self.wfile.flush()

    def end_stream(self):
        self.wfile.write(b"0\r\n\r\n")
        self.wfile.flush()


class TLSServer(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True

    def __init__(self, address, context):
        self.context = context
        super().__init__(address, Handler)

    def get_request(self):
        sock, address = self.socket.accept()
        return self.context.wrap_socket(sock, server_side=True, do_handshake_on_connect=False), address


def tls_context(directory):
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(os.path.join(directory, "server.crt"), os.path.join(directory, "server.key"))
    context.load_verify_locations(os.path.join(directory, "ca.crt"))
    context.verify_mode = ssl.CERT_OPTIONAL
    context.set_alpn_protocols(["http/1.1"])
    return context


class Runner:
    def __init__(self, directory):
        self.context = tls_context(directory)
        self.server = None
        self.port = 0
        self.start()

    def start(self):
        self.server = TLSServer(("127.0.0.1", self.port), self.context)
        self.port = self.server.server_address[1]
        threading.Thread(target=self.server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True).start()

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
    elif op == "inject":  # {"resource", "raw"}: a raw line on every watch of that resource
        CLUSTER.inject(command["resource"], command["raw"])
    elif op == "stop":
        runner.stop()
    elif op == "start":
        runner.start()
    elif op == "requests":
        with CLUSTER.lock:
            return {"requests": list(CLUSTER.requests)}
    elif op == "watches":
        with CLUSTER.lock:
            return {"watches": [w.resource for w in CLUSTER.watches]}
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
    runner = Runner(directory)
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
