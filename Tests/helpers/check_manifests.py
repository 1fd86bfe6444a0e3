#!/usr/bin/env python3
"""Renders manifests/, manifests/namespaced/ and manifests/discover/ with `kubectl kustomize`, validates every
object against the Kubernetes API schemas (kubernetes-validate, strict: unknown fields are errors), and checks
that the deployment is least-privilege and fits the image `make image` builds (its name; nothing that execs,
since the image has no shell; draining by Portico's own shutdownDelay within the grace period), and that the
`portico.io/…` annotations of every Service are ones Portico reads, with values it accepts (for
`kubernetes.discover`, at least one Service exposed with a port Portico can resolve). Prints one line per
rendered variant; exits 1 on any failure.

Usage: check_manifests.py REPO_ROOT
"""
import subprocess
import sys

import kubernetes_validate
import yaml

# The oldest schemas kubernetes-validate ships, and a recent version. The manifests' API versions need 1.23
# (autoscaling/v2; discovery.k8s.io/v1 and policy/v1 need 1.21).
VERSIONS = ("1.25.0", "1.33.0")
READ_ONLY = {"get", "list", "watch"}
# What `make image` tags (scripts/build-image.sh); the kustomization's `images:` must name it.
IMAGE = "localhost/portico:dev"
BALANCERS = {"round-robin", "least-outstanding", "ewma"}
RETRY_CONDITIONS = {"unavailable"}


def seconds(duration):
    """A Portico duration (`250ms`, `30s`, `2m`, or plain seconds) in seconds."""
    text = str(duration)
    for suffix, factor in (("ms", 0.001), ("s", 1), ("m", 60), ("h", 3600)):
        if text.endswith(suffix):
            return float(text[: -len(suffix)]) * factor
    return float(text)


def render(path):
    text = subprocess.run(["kubectl", "kustomize", path], check=True, capture_output=True, text=True).stdout
    return [doc for doc in yaml.safe_load_all(text) if doc]


def check(objects, role_kind):
    errors = []
    by_kind = {}
    for obj in objects:
        name = f"{obj['kind']}/{obj['metadata']['name']}"
        for version in VERSIONS:
            try:
                kubernetes_validate.validate(obj, version, strict=True)
            except kubernetes_validate.ValidationError as error:
                errors.append(f"{name}: {version}: {error.message} at {list(error.path)}")
        by_kind.setdefault(obj["kind"], []).append(obj)

    expected = {"ServiceAccount", role_kind, role_kind + "Binding", "ConfigMap", "Deployment", "Service",
                "PodDisruptionBudget", "HorizontalPodAutoscaler"}
    errors += [f"missing {kind}" for kind in sorted(expected - set(by_kind))]
    other_role = {"Role": "ClusterRole", "ClusterRole": "Role"}[role_kind]
    if other_role in by_kind:
        errors.append(f"unexpected {other_role}")

    for role in by_kind.get(role_kind, []):
        for rule in role["rules"]:
            resources = set(rule["resources"])
            if not set(rule["verbs"]) <= READ_ONLY:
                errors.append(f"{role_kind} grants {rule['verbs']}")
            if not resources <= {"endpointslices", "services"}:
                errors.append(f"{role_kind} grants {sorted(resources)}")
    for binding in by_kind.get(role_kind + "Binding", []):
        if binding["subjects"] != [{"kind": "ServiceAccount", "name": "portico", "namespace": "portico"}]:
            errors.append(f"binding subjects {binding['subjects']}")

    portico = next((d for d in by_kind.get("Deployment", []) if d["metadata"]["name"] == "portico"), None)
    if portico is None:
        return errors + ["no portico Deployment"]
    pod = portico["spec"]["template"]
    spec = pod["spec"]
    container = spec["containers"][0]
    annotations = pod["metadata"].get("annotations", {})
    checks = {
        "service account": spec.get("serviceAccountName") == "portico",
        "non-root": spec.get("securityContext", {}).get("runAsNonRoot") is True,
        "read-only root filesystem": container["securityContext"].get("readOnlyRootFilesystem") is True,
        "no privilege escalation": container["securityContext"].get("allowPrivilegeEscalation") is False,
        "capabilities dropped": container["securityContext"].get("capabilities", {}).get("drop") == ["ALL"],
        "requests and limits": {"cpu", "memory"} <= set(container["resources"].get("requests", {}))
        and {"cpu", "memory"} <= set(container["resources"].get("limits", {})),
        "liveness /healthz": container["livenessProbe"]["httpGet"]["path"] == "/healthz",
        "readiness /readyz": container["readinessProbe"]["httpGet"]["path"] == "/readyz",
        "user 65532, as the image": spec["securityContext"].get("runAsUser") == 65532
        and spec["securityContext"].get("runAsGroup") == 65532,
        "seccomp RuntimeDefault": spec["securityContext"].get("seccompProfile") == {"type": "RuntimeDefault"},
        "prometheus scrape": annotations.get("prometheus.io/scrape") == "true",
    }
    errors += [f"Deployment/portico: {what}" for what, ok in checks.items() if not ok]

    # The image holds the portico binary and its libraries only: no shell, no sleep, so nothing may exec.
    for deployment in by_kind.get("Deployment", []):
        for each in deployment["spec"]["template"]["spec"]["containers"]:
            where = f"Deployment/{deployment['metadata']['name']}: container {each['name']}"
            if each.get("image") != IMAGE:
                errors.append(f"{where}: image {each.get('image')}, not {IMAGE}")
            hooks = [each.get("lifecycle", {}).get(h, {}) for h in ("preStop", "postStart")]
            probes = [each.get(p, {}) for p in ("livenessProbe", "readinessProbe", "startupProbe")]
            if any("exec" in handler for handler in hooks + probes):
                errors.append(f"{where}: an exec hook or probe (the image has no shell)")

    config = yaml.safe_load(by_kind["ConfigMap"][0]["data"]["portico.yaml"])
    # Draining without a preStop hook: Portico keeps serving for shutdownDelay after SIGTERM, then drains;
    # both must end before the kubelet's SIGKILL.
    lifecycle = config.get("lifecycle", {})
    delay, drain = (seconds(lifecycle.get(key, default)) for key, default in (("shutdownDelay", "5s"),
                                                                            ("drainTimeout", "30s")))
    grace = spec.get("terminationGracePeriodSeconds", 30)
    if delay < 5 or delay + drain >= grace:
        errors.append(f"shutdownDelay {delay} s + drainTimeout {drain} s vs terminationGracePeriodSeconds {grace}")
    # A cluster-wide watch (kubernetes.watchScope: cluster) needs list and watch on every namespace.
    scope = (config.get("kubernetes") or {}).get("watchScope", "namespace")
    if scope not in ("namespace", "cluster"):
        errors.append(f"ConfigMap: kubernetes.watchScope {scope}")
    if scope == "cluster" and role_kind != "ClusterRole":
        errors.append("ConfigMap: kubernetes.watchScope cluster needs a ClusterRole, not a Role")
    services = {s["metadata"]["name"]: s for s in by_kind["Service"]}
    for service in services.values():
        errors += annotation_errors(service)
    discover = (config.get("kubernetes") or {}).get("discover")
    if discover is not None:
        namespaces = discover.get("namespaces")
        if set(discover) - {"namespaces", "selector"} or not (
                namespaces == "all" or (isinstance(namespaces, list) and all(isinstance(n, str) for n in namespaces))):
            errors.append(f"ConfigMap: kubernetes.discover {discover}")
        if namespaces == "all" and role_kind != "ClusterRole":
            errors.append("ConfigMap: kubernetes.discover.namespaces all needs a ClusterRole, not a Role")
        if not any(exposed_port(s) for s in services.values()):
            errors.append("kubernetes.discover: no Service is exposed with a port Portico can resolve")
    if "backends" not in config and discover is None:
        errors.append("ConfigMap: neither backends nor kubernetes.discover")
    for backend in config.get("backends", [])[:1]:
        if "kubernetes" not in config or set(backend.get("kubernetes", {})) - {"service", "namespace", "port"}:
            errors.append(f"ConfigMap: backend {backend}")
        example = services.get(backend["kubernetes"]["service"])
        if example is None or "portico.io/balancer" not in example["metadata"].get("annotations", {}):
            errors.append("the example backend Service lacks portico.io/balancer")
    return errors


def annotation_errors(service):
    """What is wrong with a Service's `portico.io/…` annotations: an unknown key, or a value Portico refuses."""
    name = f"Service/{service['metadata']['name']}"
    errors = []
    for key, value in service["metadata"].get("annotations", {}).items():
        if not key.startswith("portico.io/"):
            continue
        setting = key[len("portico.io/"):]
        if setting == "expose":
            ok = value in ("true", "false")
        elif setting == "port":
            ok = exposed_port(service) is not None
        elif setting == "balancer":
            ok = value in BALANCERS
        elif setting == "timeout":
            try:
                ok = seconds(value) > 0
            except ValueError:
                ok = False
        elif setting == "retryOn":
            ok = {item.strip() for item in value.split(",")} <= RETRY_CONDITIONS
        else:
            ok = False
        if not ok:
            errors.append(f"{name}: {key}: {value!r}")
    return errors


def exposed_port(service):
    """The port Portico talks gRPC to on a Service exposed with `portico.io/expose: "true"`, as
    ExposedService.grpcPort() resolves it (`portico.io/port` by name or number, else the port named grpc,
    else the only TCP port); None when the Service is not exposed or no port resolves."""
    annotations = service["metadata"].get("annotations", {})
    if annotations.get("portico.io/expose") != "true":
        return None
    ports = [p for p in service["spec"].get("ports", []) if p.get("protocol", "TCP") == "TCP"]
    wanted = annotations.get("portico.io/port")
    if wanted is None:
        named = [p for p in ports if p.get("name") == "grpc"]
        return (named or (ports if len(ports) == 1 else [None]))[0]
    key = "port" if wanted.isdigit() else "name"
    value = int(wanted) if wanted.isdigit() else wanted
    return next((p for p in ports if p.get(key) == value), None)


def main():
    root = sys.argv[1]
    failed = False
    variants = ((f"{root}/manifests", "ClusterRole"), (f"{root}/manifests/namespaced", "Role"),
                (f"{root}/manifests/discover", "ClusterRole"))
    for path, role_kind in variants:
        objects = render(path)
        errors = check(objects, role_kind)
        kinds = sorted(f"{o['kind']}/{o['metadata']['name']}" for o in objects)
        print(f"{path}: {len(objects)} objects {'valid' if not errors else 'INVALID'}: {', '.join(kinds)}")
        for error in errors:
            print(f"  {error}")
        failed = failed or bool(errors)
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()
