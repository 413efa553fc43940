"""Loaded by every Python process that bin/test-at starts (it puts this folder on PYTHONPATH).

Under libfaketime 0.9.10 (Debian 12) with FAKETIME_DONT_FAKE_MONOTONIC=1, ``time.sleep`` fails with EINVAL: Python
sleeps with clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME), and the library shifts that absolute monotonic
deadline by the fake offset although it leaves the monotonic clock itself alone. select() with a relative timeout
is not touched, so sleeping is done with it. Without the monotonic clock left real, condition waits with a timeout
(threading.Event.wait, queue.get) hang instead, which is worse.
"""

import os

if os.environ.get("FAKETIME") and "libfaketime" in os.environ.get("LD_PRELOAD", ""):
    import math
    import select
    import time

    def _sleep(seconds):
        if seconds < 0 or math.isnan(seconds):
            raise ValueError("sleep length must be non-negative")
        deadline = time.monotonic() + seconds
        while (left := deadline - time.monotonic()) > 0:
            select.select([], [], [], left)  # returns early on a signal; the loop sleeps the rest

    time.sleep = _sleep
