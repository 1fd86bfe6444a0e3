#!/usr/bin/env python3
"""Checks a running gateway's /openapi.json from outside: validates the document with openapi-spec-validator,
runs schemathesis against the gateway's JSON port (checks not_a_server_error and response_schema_conformance),
and reads the server-streaming replies given with --stream line by line, validating each line against the
document's schema of one line (schemathesis parses a reply as one JSON document, so it leaves the
newline-delimited streaming operations out).

Usage: check_openapi.py ADMIN_URL GATEWAY_URL [--backend NAME] [--examples N] [--stream METHOD:PATH?QUERY ...]
Prints one line per check and `check_openapi: N passed, N failed`; exits 1 if any check failed.
The schemathesis run uses Tests/helpers/openapi_hooks.py, which keeps the demo echo service's failure and delay
knobs at zero (they make the backend fail or stall on request, by design).
"""
import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.parse
import urllib.request

import jsonschema
from openapi_spec_validator import validate

TIMEOUT = 10  # seconds, per request


def fetch(url, method="GET"):
    request = urllib.request.Request(url, method=method)
    try:
        with urllib.request.urlopen(request, timeout=TIMEOUT) as reply:
            return reply.status, reply.headers.get("content-type"), reply.read()
    except urllib.error.HTTPError as error:
        return error.code, error.headers.get("content-type"), error.read()


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("admin")
    parser.add_argument("gateway")
    parser.add_argument("--backend")
    parser.add_argument("--examples", type=int, default=10)
    parser.add_argument("--max-time", type=int, default=50)
    parser.add_argument("--stream", action="append", default=[])
    options = parser.parse_args()
    passed = failed = 0

    def check(name, ok, detail=""):
        nonlocal passed, failed
        if ok:
            passed += 1
            print(f"ok   {name}", flush=True)
        else:
            failed += 1
            print(f"FAIL {name}: {detail}", flush=True)

    query = f"?backend={urllib.parse.quote(options.backend, safe='')}" if options.backend else ""
    status, content_type, body = fetch(f"{options.admin}/openapi.json{query}")
    check("GET /openapi.json answers 200 application/json", status == 200 and content_type == "application/json",
          f"{status} {content_type}")
    document = json.loads(body)
    try:
        validate(document)
        check("openapi-spec-validator accepts the document", True)
    except Exception as error:  # every validation failure is reported
        check("openapi-spec-validator accepts the document", False, f"{type(error).__name__}: {error}")

    status, _, body = fetch(f"{options.admin}/openapi.json?backend=no-such-backend")
    check("an unknown backend is 404 with the JSON error body",
          status == 404 and set(json.loads(body)) == {"code", "message", "details"}, f"{status} {body!r}")

    operations = [
        (path, method, operation)
        for path, item in document["paths"].items()
        for method, operation in item.items()
    ]
    streaming = [operation for _, _, operation in operations if operation.get("x-portico-server-streaming")]

    # Each streamed reply line must match the document's schema of one line.
    for request in options.stream:
        method, target = request.split(":", 1)
        path = target.split("?", 1)[0]
        match = [operation for candidate, verb, operation in operations
                 if verb == method.lower() and path_matches(candidate, path)]
        if not match:
            check(f"{request} is a documented operation", False, "no operation matches")
            continue
        schema = match[0]["responses"]["200"]["content"]["application/json"]["schema"]
        status, _, body = fetch(options.gateway + target, method)
        lines = [line for line in body.decode().split("\n") if line]
        problems = []
        for line in lines:
            try:
                jsonschema.validate(json.loads(line), dict(schema, components=document["components"]))
            except Exception as error:  # a line that is not JSON or breaks the schema
                problems.append(f"{line[:200]}: {error}"[:400])
        check(f"{request}: {len(lines)} streamed lines match the line schema", status == 200 and lines and not problems,
              f"status {status}; {problems[:2]}")

    with tempfile.TemporaryDirectory() as folder:
        spec = os.path.join(folder, "openapi.json")
        with open(spec, "w") as file:
            json.dump(document, file)
        command = [
            # As a module: pip may put the `schemathesis` script in a folder not on the PATH.
            sys.executable, "-m", "schemathesis.cli", "run", spec, "--url", options.gateway,
            "--checks", "not_a_server_error,response_schema_conformance",
            "--max-examples", str(options.examples), "--seed", "1", "--workers", "1",
            "--request-timeout", str(TIMEOUT), "--max-time", str(options.max_time),
            "--suppress-health-check", "all", "--no-color",
        ]
        for operation in streaming:
            command += ["--exclude-operation-id", operation["operationId"]]
        environment = dict(os.environ, SCHEMATHESIS_HOOKS="openapi_hooks",
                           PYTHONPATH=os.path.dirname(os.path.abspath(__file__)))
        started = time.monotonic()
        run = subprocess.run(command, capture_output=True, text=True, env=environment, cwd=folder, timeout=300)
        output = run.stdout + run.stderr
        print(output[-6000:], flush=True)
        check(f"schemathesis finds no 5xx and no reply breaking its schema ({time.monotonic() - started:.0f} s)",
              run.returncode == 0, f"exit {run.returncode}")

    print(f"check_openapi: {passed} passed, {failed} failed", flush=True)
    return 1 if failed else 0


def path_matches(template, path):
    """Whether a request path fits an OpenAPI path template (each {parameter} one segment)."""
    template_parts = template.split("/")
    path_parts = path.split("/")
    if len(template_parts) != len(path_parts):
        return False
    for expected, actual in zip(template_parts, path_parts):
        if "{" in expected:
            prefix, _, rest = expected.partition("{")
            suffix = rest.partition("}")[2]
            if not (actual.startswith(prefix) and actual.endswith(suffix)):
                return False
        elif expected != actual:
            return False
    return True


if __name__ == "__main__":
    sys.exit(main())
