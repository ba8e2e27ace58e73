"""`regverify serve` under a class's load, and after hostile input.

    python benchmarks/serve_load.py [--clients 20] [--requests 25] [--workers 2]

Starts the server on 127.0.0.1 (a free port) as its own process and times
* start-up: from the command to its printed address, and to the first graded answer;
* load: CLIENTS concurrent clients, each with its own connection, send REQUESTS grade requests
  each (answers from the bank: keys, known mistakes, unreadable text, LaTeX forms), twice: right
  after start-up (every question's trial set drawn on first use, in each worker) and again warm;
  p50/p99/max latency per request, errors (anything but a 200 with a verdict) and throughput;
* hostile input: a 1 MB body, 5,000 open parentheses, `__import__('os')`, a power tower, JSON
  nested 30,000 deep, an unknown question, a missing field; then the server must still grade.
Targets: no error, p99 < 1 s on 2 cores (the clients share the cores with the server).
"""
import argparse
import http.client
import itertools
import json
import os
import signal
import subprocess
import sys
import threading
import time

import numpy as np
from tabulate import tabulate

from regverify.grading.bank import load_bank

LATEX = [("l2-shrinkage", r"(H+\alpha I)^{-1} H w^*"), ("l2-shrinkage", r"(H+\alpha I)^{-1} w^*"),
         ("kl-grad-rho-hat", r"-\frac{\rho}{\hat\rho} + \frac{1-\rho}{1-\hat{\rho}}"),
         ("cae-jacobian", r"\operatorname{diag}(h \odot (1-h)) W^\top"),
         ("tied-grad", r"2(\hat{x} - x)h^T"), ("max-activation", r"\frac{W_l}{\|W_l\|}"),
         ("ridge-solution", r"(X^\top X + \alpha I)^{-1} X^\top y"), ("l2-grad", r"g + \alpha w +")]


class Client:
    """One student's keep-alive connection (http.client sends a small request in one write, so
    no delayed-ACK stall is counted as the server's latency)."""

    def __init__(self, url: str):
        host, port = url.split("//")[1].strip("/").split(":")
        self.connection = http.client.HTTPConnection(host, int(port), timeout=60)

    def post(self, path: str, body) -> tuple[int, dict]:
        content = body if isinstance(body, bytes) else json.dumps(body).encode()
        self.connection.request("POST", path, body=content, headers={"Content-Type": "application/json"})
        response = self.connection.getresponse()
        data = json.loads(response.read() or b"{}")
        if response.getheader("connection", "").lower() == "close":
            self.connection.close()
        return response.status, data

    def get(self, path: str) -> dict:
        self.connection.request("GET", path)
        return json.loads(self.connection.getresponse().read())

    def close(self) -> None:
        self.connection.close()


def answers(bank):
    """Every key, known mistake and an unreadable answer per question, and some LaTeX, interleaved."""
    text = []
    for q in bank.values():
        text += [{"question": q.id, "answer": q.key}]
        text += [{"question": q.id, "answer": m.answer} for m in q.mistakes]
        text += [{"question": q.id, "answer": "(" + q.key}]
    latex = [{"question": qid, "answer": a, "format": "latex"} for qid, a in LATEX]
    return [x for pair in itertools.zip_longest(text, latex * (len(text) // len(latex) + 1)) for x in pair if x]


def start(workers: int):
    began = time.perf_counter()
    process = subprocess.Popen([sys.executable, "-m", "regverify", "serve", "--port", "0", "--workers", str(workers)],
                               stdout=subprocess.PIPE, text=True)
    line = process.stdout.readline()
    printed = time.perf_counter() - began
    url = line.split()[2]
    first = Client(url)
    status, _ = first.post("/api/grade", {"question": "l2-grad", "answer": "g + alpha*w"})
    first.close()
    if status != 200:
        raise SystemExit(f"Expected the first answer to be graded but got status={status}")
    return process, url, printed, time.perf_counter() - began


def load(url: str, clients: int, requests: int, bodies: list[dict]) -> dict:
    latencies, errors = [], []
    queue, lock = itertools.cycle(bodies), threading.Lock()

    def student():
        connection = Client(url)
        try:
            for _ in range(requests):
                with lock:
                    body = next(queue)
                began = time.perf_counter()
                try:
                    status, data = connection.post("/api/grade", body)
                    if status != 200 or data.get("verdict") not in ("correct", "incorrect", "invalid"):
                        errors.append(f"{status} {json.dumps(data)[:80]}")
                except (OSError, http.client.HTTPException, ValueError) as error:
                    errors.append(repr(error))
                    connection.close()
                latencies.append(time.perf_counter() - began)
        finally:
            connection.close()

    threads = [threading.Thread(target=student) for _ in range(clients)]
    began = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    wall = time.perf_counter() - began
    ms = np.array(latencies) * 1e3
    return {"requests": len(latencies), "errors": len(errors), "p50 ms": np.percentile(ms, 50),
            "p99 ms": np.percentile(ms, 99), "max ms": ms.max(), "requests/s": len(latencies) / wall,
            "first error": errors[0] if errors else ""}


HOSTILE = [
    ("a 1 MB body", {"question": "l2-grad", "answer": "g" * 1_000_000}, {413}),
    ("5,000 open parentheses", {"question": "l2-grad", "answer": "(" * 5000 + "g"}, {200}),
    ("__import__('os')", {"question": "l2-grad", "answer": "__import__('os').system('true')"}, {200}),
    ("a power tower", {"question": "l2-grad", "answer": "g**9**9**9**9**9**9**9"}, {200}),
    ("LaTeX nested 400 deep", {"question": "l2-grad", "answer": "{" * 400 + "g" + "}" * 400, "format": "latex"}, {200}),
    ("JSON nested 30,000 deep", b"[" * 30_000 + b"]" * 30_000, {400}),
    ("an unknown question", {"question": "no-such-question", "answer": "g"}, {404}),
    ("a missing field", {"question": "l2-grad"}, {400}),
    ("a wrong type", {"question": "l2-grad", "answer": ["g"]}, {400}),
]


def hostile(url: str) -> list[tuple]:
    rows = []
    for name, body, expected in HOSTILE:
        connection = Client(url)         # a fresh connection each: the server may close one after a 413
        began = time.perf_counter()
        status, data = connection.post("/api/grade", body)
        connection.close()
        shown = data.get("verdict") or data.get("error", "")
        ok = status in expected and (status != 200 or data["verdict"] == "invalid")
        rows.append((name, status, shown[:60], f"{(time.perf_counter() - began) * 1e3:.0f}", "yes" if ok else "NO"))
    connection = Client(url)
    _, after = connection.post("/api/grade", {"question": "l2-grad", "answer": "g + alpha*w"})
    health = connection.get("/api/health")
    connection.close()
    rows.append(("then a correct answer", 200, after["verdict"], "", "yes" if after["verdict"] == "correct" else "NO"))
    rows.append(("workers alive / replaced", "", f"{health['workers']} / {health['replaced']}", "", ""))
    return rows


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--clients", type=int, default=20)
    parser.add_argument("--requests", type=int, default=25)
    parser.add_argument("--workers", type=int, default=2)
    args = parser.parse_args()
    bodies = answers(load_bank())
    print(f"{os.cpu_count()} cores; the clients run on the same machine as the server; "
          f"{len(bodies)} distinct answers cycled", file=sys.stderr)
    process, url, printed, first = start(args.workers)
    try:
        print(tabulate([("address printed", f"{printed:.2f}"), ("first answer graded", f"{first:.2f}")],
                       headers=["start-up", "s"], tablefmt="github"))
        runs = [("cold", load(url, args.clients, args.requests, bodies)),
                ("warm", load(url, args.clients, args.requests, bodies))]
        print()
        print(tabulate([(name, r["requests"], r["errors"], f"{r['p50 ms']:.0f}", f"{r['p99 ms']:.0f}",
                         f"{r['max ms']:.0f}", f"{r['requests/s']:.0f}") for name, r in runs],
                       headers=[f"{args.clients} clients × {args.requests}", "requests", "errors", "p50 ms",
                                "p99 ms", "max ms", "requests/s"], tablefmt="github"))
        for name, r in runs:
            if r["first error"]:
                print(f"{name}: first error: {r['first error']}")
        rows = hostile(url)
        print()
        print(tabulate(rows, headers=["hostile input", "status", "verdict or error", "ms", "as expected"],
                       tablefmt="github"))
    finally:
        process.send_signal(signal.SIGINT)
        process.wait(timeout=30)
    met = all(r["errors"] == 0 and r["p99 ms"] < 1000 for _, r in runs) and all(row[4] != "NO" for row in rows)
    print(f"\ntargets (no error, p99 < 1 s, hostile input answered and the server still grading): "
          f"{'met' if met else 'NOT met'}")
    return 0 if met else 1


if __name__ == "__main__":
    sys.exit(main())
