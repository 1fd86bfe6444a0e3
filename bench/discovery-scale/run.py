#!/usr/bin/env python3
"""Discovery at scale (issue 12), run by bench/discovery-scale.sh: one portico with COUNT Kubernetes backends
in one namespace against the test API server (Tests/helpers/kube_api_server.py).

Printed: the watches open on the API server and the requests it received, the time from exec to /readyz 200
(every backend synced; and the same config with static endpoints, for what discovery adds), RSS then, and
for a churn of EVENTS EndpointSlice changes spread over all Services (one pod flipping between ready and not
ready, as `kubectl rollout` would): how long the test server took to emit them, how long until portico had
applied them all (`portico_discovery_events_applied_total`), and portico's CPU time per event; once for
changes that leave every snapshot as it was and once for pods flipping between ready and not ready.

Usage: run.py PORTICO OUT_DIR   (environment: COUNT=1000, PODS=3, EVENTS=20000, BASE_PORT=18200, H2=0)
"""
import json
import os
import random
import re
import subprocess
import sys
import time
import urllib.request

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
COUNT = int(os.environ.get("COUNT", "1000"))
PODS = int(os.environ.get("PODS", "3"))
EVENTS = int(os.environ.get("EVENTS", "20000"))
BASE_PORT = int(os.environ.get("BASE_PORT", "18200"))
H2 = os.environ.get("H2", "0") == "1"
TICKS = os.sysconf("SC_CLK_TCK")


class APIServer:
    """The test API server in a child process, driven by JSON lines on its stdin."""

    def __init__(self, directory):
        arguments = [sys.executable, f"{ROOT}/Tests/helpers/kube_api_server.py", directory] + (["--http2"] if H2 else [])
        self.process = subprocess.Popen(arguments, stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
        self.port = json.loads(self.process.stdout.readline())["port"]

    def command(self, **command):
        self.process.stdin.write(json.dumps(command) + "\n")
        self.process.stdin.flush()
        reply = json.loads(self.process.stdout.readline())
        if "error" in reply:
            raise RuntimeError(reply["error"])
        return reply

    def stop(self):
        self.process.stdin.close()
        self.process.terminate()
        self.process.wait()


def service(name):
    return {"kind": "Service", "metadata": {"name": name, "namespace": "shop"},
            "spec": {"ports": [{"name": "grpc", "port": 80, "protocol": "TCP"}]}}


def slice_of(index, not_ready=None, generation=None):
    """The Service's slice; `not_ready` names a pod that is not ready, `generation` an annotation that changes
    the object (a new resource version and a watch event) but none of its endpoints."""
    name = f"s{index:04d}"
    # Loopback addresses and port 1, where nothing listens: portico's connection attempts fail at once (as
    # bench/services.sh's static 127.0.0.1:1 do) instead of waiting for unroutable pods.
    endpoints = [{"addresses": [f"127.{index // 250}.{index % 250}.{pod + 1}"],
                  "conditions": {"ready": pod != not_ready, "serving": True, "terminating": False},
                  "nodeName": f"node-{pod % 7}", "zone": f"zone-{pod % 3}",
                  "targetRef": {"kind": "Pod", "namespace": "shop", "name": f"{name}-{pod}"}}
                 for pod in range(PODS)]
    return {"kind": "EndpointSlice",
            "metadata": {"name": f"{name}-abcde", "namespace": "shop",
                         "annotations": {"bench/generation": str(generation or 0)},
                         "labels": {"kubernetes.io/service-name": name,
                                    "endpointslice.kubernetes.io/managed-by": "endpointslice-controller.k8s.io"}},
            "addressType": "IPv4", "ports": [{"name": "grpc", "port": 1, "protocol": "TCP"}],
            "endpoints": endpoints}


def write_config(out, api, kubernetes):
    """portico.yaml for COUNT services (bench/services/generate.py), on Kubernetes or static endpoints."""
    subprocess.run([sys.executable, f"{ROOT}/bench/services/generate.py", str(COUNT), out], check=True)
    with open(f"{out}/kubeconfig.yaml", "w") as f:
        f.write(f"""apiVersion: v1
kind: Config
clusters:
- name: test
  cluster: {{server: "https://127.0.0.1:{api.port}", certificate-authority: {api.directory}/ca.crt}}
users:
- name: tester
  user: {{token: initial-token}}
contexts:
- name: test
  context: {{cluster: test, user: tester, namespace: shop}}
current-context: test
""")
    text = open(f"{out}/portico.yaml").read()
    text = text.replace("listen: 127.0.0.1:0", f"listen: 127.0.0.1:{BASE_PORT}")
    text = text.replace("admin: 127.0.0.1:0", f"admin: 127.0.0.1:{BASE_PORT + 1}")
    if kubernetes:
        text = text.replace("backends:\n", f"kubernetes: {{kubeconfig: {out}/kubeconfig.yaml}}\nbackends:\n", 1)
        text = re.sub(r"  - name: (s\d+)\n(    descriptors: .*\n)    endpoints: .*\n",
                      r"  - name: \1\n\2    kubernetes: { service: \1, namespace: shop, port: grpc }\n", text)
    with open(f"{out}/portico.yaml", "w") as f:
        f.write(text)


def get(path):
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{BASE_PORT + 1}{path}", timeout=30) as reply:
            return reply.status, reply.read().decode()
    except OSError:
        return None, ""


def metric(name):
    match = re.search(rf"^{name} (\S+)$", get("/metrics")[1], re.M)
    return float(match.group(1)) if match else None


def rss_mib(pid):
    for line in open(f"/proc/{pid}/status"):
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return 0.0


def cpu_seconds(pid):
    fields = open(f"/proc/{pid}/stat").read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / TICKS


def start_portico(portico, out):
    log = open(f"{out}/portico.log", "w")
    started = time.monotonic()
    process = subprocess.Popen([portico, "serve", "--config", f"{out}/portico.yaml"], stdout=log, stderr=log)
    while get("/readyz")[0] != 200:
        if process.poll() is not None or time.monotonic() - started > 600:
            raise RuntimeError(f"portico never became ready; see {out}/portico.log")
        time.sleep(0.005)
    return process, time.monotonic() - started


def stop(process):
    process.terminate()
    try:
        process.wait(10)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


def main():
    portico, out = sys.argv[1], sys.argv[2]
    os.makedirs(f"{out}/api", exist_ok=True)
    api = APIServer(f"{out}/api")
    api.directory = f"{out}/api"
    figures = {}
    try:
        objects = [service(f"s{i:04d}") for i in range(COUNT)] + [slice_of(i) for i in range(COUNT)]
        for start in range(0, len(objects), 500):
            api.command(op="applyAll", objects=objects[start:start + 500])

        write_config(f"{out}/static", api, kubernetes=False)
        process, figures["static ready (s)"] = start_portico(portico, f"{out}/static")
        figures["static RSS (MiB)"] = rss_mib(process.pid)
        stop(process)

        write_config(f"{out}/kubernetes", api, kubernetes=True)
        process, figures["ready (s)"] = start_portico(portico, f"{out}/kubernetes")
        try:
            figures["RSS at ready (MiB)"] = rss_mib(process.pid)
            watches = api.command(op="watches")["details"]
            requests = api.command(op="requests")["requests"]
            figures["watches open on the API server"] = len(watches)
            figures["watches (resource, namespace, selector)"] = sorted(
                {(w["resource"], w["namespace"], w["labelSelector"]) for w in watches})
            figures["requests received"] = len(requests)
            figures["portico_discovery_watches_open"] = metric("portico_discovery_watches_open")

            # Idle CPU (connection retries to the pods, where nothing listens, timers), subtracted below.
            cpu, started = cpu_seconds(process.pid), time.monotonic()
            time.sleep(10)
            idle = (cpu_seconds(process.pid) - cpu) / (time.monotonic() - started)
            figures["idle CPU (% of a core)"] = idle * 100
            generator = random.Random(12)
            # Two churns of EVENTS changes each, spread at random over the Services: "same" rewrites a slice
            # with the same endpoints (discovery's own cost: read, decode, cache, route to the backend,
            # rebuild and compare its snapshot, which does not change); "flip" makes one pod not ready or
            # ready again (the snapshot changes: balancer and connection pools follow, as in a rollout).
            for churn in ("same", "flip"):
                changes = []
                for event in range(EVENTS):
                    index = generator.randrange(COUNT)
                    if churn == "same":
                        changes.append(slice_of(index, generation=event + 1))
                    else:
                        not_ready = generator.randrange(PODS) if event % 2 == 0 else None
                        changes.append(slice_of(index, not_ready=not_ready, generation=event + 1))
                applied = metric("portico_discovery_events_applied_total") or 0
                cpu = cpu_seconds(process.pid)
                started = time.monotonic()
                for start in range(0, EVENTS, 1000):
                    api.command(op="applyAll", objects=changes[start:start + 1000])
                figures[f"{churn}: test server emitted the events in (s)"] = time.monotonic() - started
                deadline = time.monotonic() + 600
                while (metric("portico_discovery_events_applied_total") or 0) < applied + EVENTS:
                    if time.monotonic() > deadline:
                        raise RuntimeError("the events never all arrived")
                    time.sleep(0.05)
                elapsed = time.monotonic() - started
                figures[f"{churn}: all events applied after (s)"] = elapsed
                figures[f"{churn}: events applied per second"] = EVENTS / elapsed
                busy = cpu_seconds(process.pid) - cpu - idle * elapsed
                figures[f"{churn}: portico CPU per event, idle subtracted (us)"] = busy / EVENTS * 1e6
            figures["RSS after churn (MiB)"] = rss_mib(process.pid)
            figures["watches open after churn"] = len(api.command(op="watches")["watches"])
        finally:
            stop(process)
    finally:
        api.stop()
    print(f"{COUNT} Kubernetes backends in one namespace, {PODS} pods each, {EVENTS} slice changes"
          f" ({'HTTP/2' if H2 else 'HTTP/1.1'} to the test API server)")
    for name, value in figures.items():
        print(f"  {name}: {value:.2f}" if isinstance(value, float) else f"  {name}: {value}")


if __name__ == "__main__":
    main()
