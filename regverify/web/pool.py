"""Grading in a pool of worker processes (worker.py), driven from the server's event loop.

Each worker takes one request at a time. A request waits for an idle worker (at most
``max_waiting`` wait at once, each at most ``max_wait`` seconds; beyond either the pool is busy,
so a flood of slow answers costs the others a quick "try again", never minutes in a queue; a
request whose client has gone is dropped before it reaches a worker), then has ``timeout`` seconds: a
worker that does not answer in time is killed, as is one that dies or answers nonsense, and a
fresh one takes its place, so the pool keeps its size whatever it is sent. The workers run in
their own session, so a Ctrl-C in the terminal reaches the server, which closes them in order.
"""
from __future__ import annotations

import asyncio
import contextlib
import json
import os
import sys

READY_TIMEOUT = 60.0       # seconds for a new worker to load the bank
REPLY_LIMIT = 16 << 20     # bytes in one reply line


class PoolBusy(Exception):
    """Every worker is busy and the waiting line is full: try again shortly."""


class Abandoned(Exception):
    """The client went away while its request waited: it was not graded."""


class WorkerFailed(Exception):
    """The worker hung past the timeout, died or answered nonsense (it has been replaced), or
    reported an internal error on this request."""

    def __init__(self, reason: str):
        super().__init__(reason)
        self.reason = reason      # "timeout" or "crash"


class RequestFailed(Exception):
    """The worker reported an internal error on this request (it is still running)."""


class Worker:
    def __init__(self, process: asyncio.subprocess.Process):
        self.process = process

    async def ask(self, request: dict, timeout: float) -> dict:
        self.process.stdin.write(json.dumps(request).encode("ascii") + b"\n")
        await self.process.stdin.drain()
        line = await asyncio.wait_for(self.process.stdout.readline(), timeout)
        if not line:
            raise EOFError("the worker closed its output")
        reply = json.loads(line)
        if not isinstance(reply, dict) or "ok" not in reply:
            raise ValueError(f"the worker answered {line[:80]!r}")
        if reply["ok"] is not True:
            raise RequestFailed()
        return reply["result"]

    def kill(self) -> None:
        with contextlib.suppress(ProcessLookupError):
            self.process.kill()


class Pool:
    def __init__(self, size: int, bank: str | None, feedback: str, timeout: float, max_waiting: int,
                 max_wait: float = 5.0):
        self.size, self.timeout, self.max_waiting, self.max_wait = size, timeout, max_waiting, max_wait
        self.command = [sys.executable, "-m", "regverify.web.worker", "--feedback", feedback]
        if bank is not None:
            self.command += ["--bank", str(bank)]
        self.idle: asyncio.Queue[Worker] = asyncio.Queue()
        self.workers: set[Worker] = set()
        self.waiting = 0
        self.replaced = 0
        self.ready = False            # a worker has loaded the bank
        self.closing = False
        self._starting: set[asyncio.Task] = set()

    async def start(self) -> None:
        """Start every worker; they load the bank in the background and join when ready."""
        for _ in range(self.size):
            self._spawn()

    def _spawn(self) -> None:
        task = asyncio.get_running_loop().create_task(self._start_one())
        self._starting.add(task)
        task.add_done_callback(self._starting.discard)

    async def _start_one(self) -> None:
        env = dict(os.environ, OPENBLAS_NUM_THREADS="1", OMP_NUM_THREADS="1", MKL_NUM_THREADS="1")
        process = await asyncio.create_subprocess_exec(
            *self.command, stdin=asyncio.subprocess.PIPE, stdout=asyncio.subprocess.PIPE, env=env,
            limit=REPLY_LIMIT, start_new_session=True)
        worker = Worker(process)
        self.workers.add(worker)
        try:
            line = await asyncio.wait_for(process.stdout.readline(), READY_TIMEOUT)
            if json.loads(line or b"{}").get("ready") is not True:
                raise EOFError("the worker did not start")
        except (asyncio.TimeoutError, EOFError, ValueError):
            print("regverify serve: a grading worker did not start (see its messages above); "
                  "starting another", file=sys.stderr)
            self._discard(worker)
            if not self.closing:
                await asyncio.sleep(1.0)     # a broken bank or install fails every time: not a busy loop
                self._spawn()
            return
        if self.closing:
            self._discard(worker)
        else:
            self.ready = True
            self.idle.put_nowait(worker)

    def _replace(self, worker: Worker) -> None:
        self._discard(worker)
        self.replaced += 1
        if not self.closing:
            self._spawn()

    def _discard(self, worker: Worker) -> None:
        worker.kill()
        self.workers.discard(worker)
        asyncio.get_running_loop().create_task(worker.process.wait())   # reap it

    async def run(self, request: dict, timeout: float | None = None, wanted=None) -> dict:
        """The worker's reply to request. Raises PoolBusy, WorkerFailed, or Abandoned when the
        awaitable ``wanted()`` says, once a worker is free, that nobody waits for the reply."""
        if self.waiting >= self.max_waiting:
            raise PoolBusy(f"{self.waiting} requests are waiting for a grader")
        self.waiting += 1
        try:
            worker = await self._idle_worker()
        finally:
            self.waiting -= 1
        if wanted is not None and not await wanted():
            self.idle.put_nowait(worker)
            raise Abandoned()
        try:
            reply = await worker.ask(request, self.timeout if timeout is None else timeout)
        except RequestFailed:
            self.idle.put_nowait(worker)
            raise WorkerFailed("crash") from None
        except BaseException as error:    # timed out, died, garbled, or the request was cancelled
            self._replace(worker)
            if isinstance(error, asyncio.TimeoutError):
                raise WorkerFailed("timeout") from None
            if isinstance(error, (EOFError, ValueError, OSError)):
                raise WorkerFailed("crash") from None
            raise
        self.idle.put_nowait(worker)
        return reply

    async def _idle_worker(self) -> Worker:
        """An idle live worker, waiting at most max_wait for one (READY_TIMEOUT until the first is up)."""
        while True:
            if not self.idle.empty():
                worker = self.idle.get_nowait()
            else:
                patience = self.max_wait if self.ready else READY_TIMEOUT
                try:
                    worker = await asyncio.wait_for(self.idle.get(), patience)
                except asyncio.TimeoutError:
                    raise PoolBusy(f"no grader was free within {patience:g} s") from None
            if worker.process.returncode is None:
                return worker
            self._replace(worker)       # it died while idle: replace it, take the next

    async def close(self, grace: float = 3.0) -> None:
        """End every worker: close its input, then kill whatever is still running after grace."""
        self.closing = True
        for task in list(self._starting):
            task.cancel()
        workers = list(self.workers)
        for worker in workers:
            with contextlib.suppress(Exception):
                worker.process.stdin.close()
        with contextlib.suppress(asyncio.TimeoutError):
            await asyncio.wait_for(asyncio.gather(*(w.process.wait() for w in workers)), grace)
        for worker in workers:
            worker.kill()
            await worker.process.wait()
        self.workers.clear()
