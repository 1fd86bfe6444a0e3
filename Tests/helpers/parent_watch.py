"""Makes a test helper process die with the test process that started it.

PR_SET_PDEATHSIG is not enough: it fires when the *thread* that spawned the child exits, and the Swift test
runner spawns from worker threads that the system retires when idle, which killed long-running helpers in
the middle of their tests. This watches the parent process instead.
"""
import os
import threading
import time


def die_with_parent():
    """Exits the process (at once, without cleanup) as soon as its parent process is gone."""
    parent = os.getppid()

    def watch():
        while os.getppid() == parent:
            time.sleep(0.2)
        os._exit(1)

    threading.Thread(target=watch, daemon=True).start()
