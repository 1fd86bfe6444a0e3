#!/usr/bin/env python3
"""Renders manifests/ (and manifests/namespaced/) with `kubectl kustomize`, validates every object
against the Kubernetes API schemas (kubernetes-validate, strict: unknown fields are errors), and checks
that the deployment is least-privilege. Prints one line per rendered variant; exits 1 on any failure.

Usage: check_manifests.py REPO_ROOT
"""
import subprocess
import sys

import kubernetes_validate
import yaml

VERSION = "1.30.0"  # the oldest version with every field used (preStop sleep)
READ_ONLY = {"get", "list", "watch"}


def render(path):
    text = subprocess.run(["kubectl", "kustomize", path], check=True, capture_output=True, text=True).stdout
    return [doc for doc in yaml.safe_load_all(text) if doc]


def check(objects, role_kind):
    errors = []
    by_kind = {}
    for obj in objects:
        name = f"{obj['kind']}/{obj['metadata']['name']}"
        try:
            kubernetes_validate.validate(obj, VERSION, strict=True)
        except kubernetes_validate.ValidationError as error:
            errors.append(f"{name}: {error.message} at {list(error.path)}")
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
        "preStop delay": "sleep" in container.get("lifecycle", {}).get("preStop", {}),
        "prometheus scrape": annotations.get("prometheus.io/scrape") == "true",
    }
    errors += [f"Deployment/portico: {what}" for what, ok in checks.items() if not ok]

    config = yaml.safe_load(by_kind["ConfigMap"][0]["data"]["portico.yaml"])
    backend = config["backends"][0]
    if "kubernetes" not in config or set(backend.get("kubernetes", {})) - {"service", "namespace", "port"}:
        errors.append(f"ConfigMap: backend {backend}")
    services = {s["metadata"]["name"]: s for s in by_kind["Service"]}
    example = services.get(backend["kubernetes"]["service"])
    if example is None or "portico.io/balancer" not in example["metadata"].get("annotations", {}):
        errors.append("the example backend Service lacks portico.io/balancer")
    return errors


def main():
    root = sys.argv[1]
    failed = False
    for path, role_kind in ((f"{root}/manifests", "ClusterRole"), (f"{root}/manifests/namespaced", "Role")):
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
