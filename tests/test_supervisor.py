"""bin/start's restart loop (bin/_lib.sh: supervise), driven with a fake command instead of a Celery worker."""

import os
import re
import signal
import subprocess
import time
from pathlib import Path

from django.conf import settings

LIB = Path(settings.BASE_DIR) / "bin" / "_lib.sh"

# Counts its runs. A run whose number is in FAIL_RUNS exits with status 3 (after SLOW_SECONDS if it is in
# SLOW_RUNS); any other run stays up until TERM. It writes what happened to the file "events".
FAKE_COMMAND = """#!/usr/bin/env bash
n=$(( $(cat "$DIR/runs" 2>/dev/null || echo 0) + 1 ))
echo "$n" > "$DIR/runs"
case " $FAIL_RUNS " in
  *" $n "*)
    case " ${SLOW_RUNS:-} " in *" $n "*) sleep "$SLOW_SECONDS" ;; esac
    echo "run $n exits"
    exit 3 ;;
esac
trap 'echo "run $n got TERM" >> "$DIR/events"; exit 0' TERM
echo "run $n up" >> "$DIR/events"
while :; do sleep 0.05; done
"""


def start_supervisor(tmp_path: Path, *, fail_runs: str, **env) -> subprocess.Popen:
    fake = tmp_path / "fake.sh"
    fake.write_text(FAKE_COMMAND)
    fake.chmod(0o755)
    return subprocess.Popen(
        ["bash", "-c", f'source "{LIB}"; supervise fake "{fake}"'],
        env={
            **os.environ,
            "DIR": str(tmp_path),
            "FAIL_RUNS": fail_runs,
            "SUPERVISE_LOG_DIR": str(tmp_path / "log"),
            **env,
        },
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        start_new_session=True,
    )


def wait_until(predicate, timeout: float = 20) -> None:
    deadline = time.monotonic() + timeout
    while not predicate():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.05)


def read(path: Path) -> str:
    return path.read_text() if path.exists() else ""


def stop(supervisor: subprocess.Popen) -> str:
    supervisor.send_signal(signal.SIGTERM)
    output, _ = supervisor.communicate(timeout=10)
    return output


def processes_left(supervisor: subprocess.Popen) -> list[str]:
    group = subprocess.run(["ps", "-o", "pid=", "-g", str(supervisor.pid)], capture_output=True, text=True)
    return group.stdout.split()


def test_a_command_that_exits_is_started_again_after_a_back_off_with_a_log_line(tmp_path):
    supervisor = start_supervisor(tmp_path, fail_runs="1")
    try:
        wait_until(lambda: "run 2 up" in read(tmp_path / "events"))
    finally:
        output = stop(supervisor)
    log = read(tmp_path / "log" / "fake.log")
    assert "run 1 exits" in log  # the command's own output goes to its log
    line = r"fake exited \(status 3\) after [01]s; restarting it in 1s \(log: .*/fake\.log\)"
    assert re.search(rf"^\d{{4}}-\d\d-\d\d \d\d:\d\d:\d\d supervise: {line}$", log, re.M)
    assert re.search(line, output)  # and the terminal says so


def test_term_stops_the_command_and_the_supervisor_without_a_restart(tmp_path):
    supervisor = start_supervisor(tmp_path, fail_runs="")
    wait_until(lambda: "run 1 up" in read(tmp_path / "events"))
    output = stop(supervisor)
    assert supervisor.returncode == 0
    assert read(tmp_path / "events").splitlines() == ["run 1 up", "run 1 got TERM"]
    assert read(tmp_path / "runs").strip() == "1"
    assert "restarting" not in output
    assert processes_left(supervisor) == []


def test_term_during_the_back_off_stops_without_starting_the_command_again(tmp_path):
    supervisor = start_supervisor(tmp_path, fail_runs="1", SUPERVISE_BACKOFF_START="30")
    wait_until(lambda: "restarting it in 30s" in read(tmp_path / "log" / "fake.log"))
    started = time.monotonic()
    stop(supervisor)
    assert time.monotonic() - started < 5
    assert supervisor.returncode == 0
    assert read(tmp_path / "runs").strip() == "1"
    assert processes_left(supervisor) == []


def test_the_back_off_doubles_up_to_its_cap_and_starts_over_after_a_steady_run(tmp_path):
    # Runs 1-3 exit at once, run 4 after 3 s (steady, as steady means 2 s here), run 5 stays up.
    supervisor = start_supervisor(
        tmp_path,
        fail_runs="1 2 3 4",
        SLOW_RUNS="4",
        SLOW_SECONDS="3",
        SUPERVISE_BACKOFF_MAX="2",
        SUPERVISE_STEADY_SECONDS="2",
    )
    try:
        wait_until(lambda: "run 5 up" in read(tmp_path / "events"), timeout=30)
    finally:
        stop(supervisor)
    delays = re.findall(r"restarting it in (\d+)s", read(tmp_path / "log" / "fake.log"))
    assert delays == ["1", "2", "2", "1"]
