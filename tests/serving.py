"""A real `regverify serve` on a free port of 127.0.0.1, for the tests that need the process."""
import re
import subprocess
import sys
import tempfile


def start_server(*options):
    """The running server and its address (it printed the address when it was ready to connect).
    Its messages go to a file (``messages(process)``), so that a full pipe can never stall it."""
    log = tempfile.TemporaryFile(mode="w+", encoding="utf-8")
    process = subprocess.Popen([sys.executable, "-m", "regverify", "serve", "--port", "0", *options],
                               stdout=subprocess.PIPE, stderr=log, text=True)
    process.messages = log
    line = process.stdout.readline()
    match = re.search(r"http://127\.0\.0\.1:(\d+)/", line)
    if not match:
        process.kill()
        process.wait()
        raise AssertionError(f"Expected the server's address on its first line but got {line!r}: "
                             f"{messages(process)}")
    return process, match.group(0)


def messages(process) -> str:
    """What the server has written on stderr so far."""
    process.messages.seek(0)
    return process.messages.read()


def children(pid: int) -> list[int]:
    with open(f"/proc/{pid}/task/{pid}/children") as handle:
        return [int(p) for p in handle.read().split()]


def running(pid: int) -> bool:
    """Alive and not a zombie waiting to be reaped."""
    try:
        with open(f"/proc/{pid}/stat") as handle:
            return handle.read().rsplit(")", 1)[1].split()[0] != "Z"
    except FileNotFoundError:
        return False
