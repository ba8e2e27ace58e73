"""Grading throughput and per-answer latency, plain text and LaTeX.

    python benchmarks/grading_throughput.py [--rows N]

Builds a class file from the bank itself (every key, every known mistake, generic variants and
LaTeX forms, cycled to N rows per format; 2 × 1,000 = 2,000 rows by default), then
* throughput: `regverify grade --batch` as a fresh process, start-up included (identical answers
  in a batch are graded once, as in a real class);
* latency: every answer timed alone in one process with no batch cache, first grades of each
  question (cold: the question's trial set is drawn and the key evaluated) included;
* distinct answers: the same, each distinct answer once, all cold and warm.
* distinct batch: a class file of 5,000 answers that are all distinct (each question's key and
  known mistakes rescaled, shifted and multiplied by a different number), graded as a fresh
  process with --jobs 1 and --jobs 2 side by side, start-up included: wall and CPU seconds.
Anchor: STACK's answer test, about 13 answers/s warm. Targets: ≥ 500 answers/s end to end on the
2,000-row batch, p99 ≤ 20 ms per answer, ≥ 1,000 distinct answers/s end to end on 2 cores.
"""
import argparse
import csv
import itertools
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
from tabulate import tabulate

from regverify.grading.bank import load_bank
from regverify.grading.grader import grade

LATEX = [("l2-shrinkage", r"(H+\alpha I)^{-1} H w^*"), ("l2-shrinkage", r"(H+\alpha I)^{-1} w^*"),
         ("kl-grad-rho-hat", r"-\frac{\rho}{\hat\rho} + \frac{1-\rho}{1-\hat{\rho}}"),
         ("kl-grad-rho-hat", r"\frac{\rho}{\hat\rho} - \frac{1-\rho}{1-\hat{\rho}}"),
         ("cae-jacobian", r"\operatorname{diag}(h \odot (1-h)) W^\top"),
         ("tied-grad", r"2(\hat{x} - x)h^T + 2x\left((W^\top(\hat x - x)) \odot h \odot (1-h)\right)^\top"),
         ("tied-grad", r"2(\hat{x} - x)h^T"),
         ("l1-soft-threshold", r"\operatorname{sign}(w^*)\max(|w^*| - \frac{\alpha}{h}, 0)"),
         ("max-activation", r"\frac{W_l}{\|W_l\|}"), ("early-stopping-alpha", r"\frac{1}{\tau\epsilon}"),
         ("ridge-solution", r"(X^\top X + \alpha I)^{-1} X^\top y"), ("backprop-weight-grad", r"g h^\top + 2\lambda W"),
         ("l2-eigen-form", r"Q(\Lambda + \alpha I)^{-1}\Lambda Q^T w^*"), ("sigmoid-nll-grad", r"y - \sigma(z)"),
         ("dae-mask-mean", r"(1-q)x"), ("l2-grad", r"g + \alpha w +"), ("tying-grad", r"2(w_A - w_B)")]


def text_answers(bank):
    for q in bank.values():
        yield q.id, q.key
        for m in q.mistakes:
            yield q.id, m.answer
        yield q.id, f"2*({q.key})"
        yield q.id, f"({q.key}) + 1"
        yield q.id, "(" + q.key          # unreadable


def class_file(path, rows, bank):
    text = list(itertools.islice(itertools.cycle(text_answers(bank)), rows))
    latex = list(itertools.islice(itertools.cycle(LATEX), rows))
    with open(path, "w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(["student", "question", "answer", "format"])
        for i, (qid, answer) in enumerate(text):
            writer.writerow([f"s{i}", qid, answer, "text"])
        for i, (qid, answer) in enumerate(latex):
            writer.writerow([f"t{i}", qid, answer, "latex"])
    return text, latex


def distinct_answers(bank, count):
    """``count`` answers, all distinct: correct ones (the key rescaled), wrong ones (shifted,
    multiplied) and known mistakes, cycling over the questions."""
    questions, out, round_ = list(bank.values()), [], 0
    while len(out) < count:
        for q in questions:
            c = round_ // 4 + 2
            variant = round_ % 4
            mistake = q.mistakes[round_ % len(q.mistakes)].answer if q.mistakes else q.key
            out.append((q.id, [f"({c})*({q.key})/({c})", f"({q.key}) + {c}", f"{c}*({q.key})",
                               f"({mistake})*{c}/{c}"][variant]))
        round_ += 1
    out = out[:count]
    assert len(set(out)) == count
    return out


def timed_batch(path, out, jobs):
    """Wall and CPU seconds of `regverify grade --batch` as a fresh process."""
    start, before = time.perf_counter(), os.times()
    done = subprocess.run([sys.executable, "-m", "regverify", "grade", "--batch", str(path), "--out", str(out),
                           "--jobs", str(jobs)], capture_output=True, text=True)
    wall, after = time.perf_counter() - start, os.times()
    assert done.returncode == 0, done.stderr
    return wall, after.children_user + after.children_system - before.children_user - before.children_system


def distinct_table(bank, count):
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "distinct.csv"
        with open(path, "w", newline="", encoding="utf-8") as handle:
            writer = csv.writer(handle)
            writer.writerow(["student", "question", "answer"])
            writer.writerows((f"s{i}", qid, answer) for i, (qid, answer) in enumerate(distinct_answers(bank, count)))
        rows = []
        for jobs in (1, 2, 1, 2):    # in turn, so that a drift of the machine's speed hits both
            wall, cpu = timed_batch(path, Path(tmp) / f"out{jobs}.csv", jobs)
            rows.append([count, jobs, wall, count / wall, cpu, count / cpu])
        same = (Path(tmp) / "out1.csv").read_bytes() == (Path(tmp) / "out2.csv").read_bytes()
    print(tabulate(rows, headers=["distinct answers", "--jobs", "wall s, start-up included", "answers/s (wall)",
                                  "CPU s", "answers per CPU s"], floatfmt=".2f", tablefmt="github"))
    print(f"outputs of --jobs 1 and --jobs 2 identical: {same}; load average {os.getloadavg()[0]:.1f} "
          f"on {os.cpu_count()} cores")


def latencies(items, latex, clock=time.perf_counter):
    bank = load_bank()   # fresh bank: cold trial sets included
    times = []
    for qid, answer in items:
        start = clock()
        grade(bank[qid], answer, latex=latex)
        times.append(clock() - start)
    return np.array(times) * 1e3


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=1000, help="answers per format")
    parser.add_argument("--distinct", type=int, default=5000, help="answers in the all-distinct batch")
    parser.add_argument("--only-distinct", action="store_true", help="only the all-distinct batch")
    args = parser.parse_args()
    bank = load_bank()
    distinct_table(bank, args.distinct)
    if args.only_distinct:
        return
    print()
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "class.csv"
        text, latex = class_file(path, args.rows, bank)
        start, cpu = time.perf_counter(), os.times()
        done = subprocess.run([sys.executable, "-m", "regverify", "grade", "--batch", str(path),
                               "--out", str(Path(tmp) / "out.csv")], capture_output=True, text=True)
        wall = time.perf_counter() - start
        after = os.times()
        cpu = after.children_user + after.children_system - cpu.children_user - cpu.children_system
        assert done.returncode == 0, done.stderr
    rows = []
    for label, items, is_latex in (("plain text", text, False), ("LaTeX", latex, True)):
        ms = latencies(items, is_latex)
        rows.append([label, len(items), np.median(ms), np.percentile(ms, 99), ms.max(), 1e3 / ms.mean()])
    print(tabulate(rows, headers=["format", "answers", "median ms", "p99 ms", "max ms", "answers/s (in process)"],
                   floatfmt=".1f", tablefmt="github"))
    print()
    total = len(text) + len(latex)
    all_ms = np.concatenate([latencies(text, False), latencies(latex, True)])
    cpu_ms = np.concatenate([latencies(text, False, time.process_time), latencies(latex, True, time.process_time)])
    distinct = len(set(text)) + len(set(latex))
    print(f"every answer alone, both formats ({distinct} distinct): p99 {np.percentile(all_ms, 99):.1f} ms wall, "
          f"{np.percentile(cpu_ms, 99):.1f} ms CPU (target ≤ 20 ms); load average {os.getloadavg()[0]:.1f} "
          f"on {os.cpu_count()} cores")
    print()
    print(tabulate([[total, wall, total / wall, cpu, total / cpu, total / wall / 500]],
                   headers=["batch answers (both formats)", "wall s, start-up included", "answers/s (wall)",
                            "CPU s", "answers per CPU s", "ratio to the 500/s target"],
                   floatfmt=".2f", tablefmt="github"))


if __name__ == "__main__":
    main()
