#!/usr/bin/python3
"""A kubeconfig `exec` credential plugin for tests, steered through files in the directory it is given.

Usage: exec_credential_plugin.py DIR
Each run appends one JSON line to DIR/runs: its arguments, KUBERNETES_EXEC_INFO (parsed) and the variable
named in DIR/echo-env, if any. Then it writes DIR/stderr (if present) to standard error, sleeps DIR/sleep
seconds (if present), prints DIR/reply to standard output and exits with the status in DIR/status (0).
"""
import json
import os
import sys
import time


def read(directory, name, default=None):
    path = os.path.join(directory, name)
    if not os.path.exists(path):
        return default
    with open(path) as f:
        return f.read()


def main():
    directory = sys.argv[1]
    info = os.environ.get("KUBERNETES_EXEC_INFO")
    echo = (read(directory, "echo-env") or "").strip()
    run = {"args": sys.argv[1:], "info": json.loads(info) if info else None,
           "env": os.environ.get(echo) if echo else None}
    with open(os.path.join(directory, "runs"), "a") as f:
        f.write(json.dumps(run) + "\n")
    sys.stderr.write(read(directory, "stderr", ""))
    sys.stderr.flush()
    time.sleep(float(read(directory, "sleep", "0")))
    sys.stdout.write(read(directory, "reply", ""))
    sys.stdout.flush()
    sys.exit(int(read(directory, "status", "0")))


if __name__ == "__main__":
    main()
