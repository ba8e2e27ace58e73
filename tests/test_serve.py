"""regverify serve: the practice page's API, its worker pool, its answer log and the server itself."""
import asyncio
import json
import os
import re
import signal
import subprocess
import sys
import time

import pytest

from starlette.testclient import TestClient

from regverify.grading.bank import load_bank
from regverify.grading.expr import to_text
from regverify.grading.grader import grade
from regverify.web.app import MAX_BODY, AnswerLog, create_app
from regverify.web.reports import Reports, default_reports_dir
from regverify.web.pool import Pool, WorkerFailed
from regverify.web.worker import MEMORY_LIMIT, Worker

from .serving import children, messages, running, start_server

BANK = load_bank()
# Questions whose key is an expression long enough that its text could not appear by chance.
KEYED = ["l2-grad", "l2-update", "l2-shrinkage", "kl-grad-W", "tied-grad", "backprop-weight-grad",
         "dae-gaussian-penalty"]


@pytest.fixture(scope="module")
def client():
    with TestClient(create_app(workers=2, show_reports=True)) as test_client:
        yield test_client


def post(client, path, body, content_type="application/json"):
    return client.post(path, content=body if isinstance(body, bytes) else json.dumps(body).encode(),
                       headers={"content-type": content_type})


def key_texts(q) -> list[str]:
    """The key as the bank writes it, as the grader echoes it, and without spaces."""
    reading = to_text(q.key_tree)
    return [q.key, reading, reading.replace(" ", ""), q.key.replace(" ", "")]


def key_numbers(q, answer) -> list[str]:
    """The key's value at the counterexample the grader chose for answer, as it would print it."""
    example = grade(q, answer).counterexample
    key = flat(example["key"]) + [e["key"] for e in example.get("entries_that_differ", [])]
    own = set(flat(example["your_answer"]) + flat(list(example["values"].values())))   # the student's own
    return sorted({repr(v) for v in key if abs(v) not in (0.0, 1.0) and v not in own})


def flat(value) -> list:
    return [x for v in value for x in flat(v)] if isinstance(value, list) else [value]


def test_the_question_list_has_prompts_symbols_and_syntax_but_never_a_key(client):
    response = client.get("/api/questions")
    assert response.status_code == 200
    catalogue = response.json()
    assert [q["id"] for q in catalogue["questions"]] == list(BANK)
    assert catalogue["feedback_level"] == "hint" and "\\frac" in catalogue["syntax"]
    first = catalogue["questions"][0]
    assert set(first) == {"id", "prompt", "derivation", "symbols", "derived"}
    text = response.text
    for qid in KEYED:
        q = BANK[qid]
        for shown in key_texts(q) + [m.answer for m in q.mistakes]:
            assert json.dumps(shown)[1:-1] not in text, f"Expected no key of {qid} but got {shown!r}"
    reports = {d["id"]: d["report"] for d in catalogue["derivations"]}
    assert reports["l2-shrinkage"] == "/reports/l2-shrinkage"
    titles = {d["id"]: d["title"] for d in catalogue["derivations"]}   # shown with their reports
    assert titles["early-stopping"] == Reports(default_reports_dir()).title("early-stopping") != None


def test_the_page_is_served_with_its_script_and_no_key(client):
    page = client.get("/")
    assert page.status_code == 200 and 'src="/static/app.js"' in page.text
    assert "script-src 'self'" in page.headers["content-security-policy"]
    assert client.get("/static/app.js").status_code == 200
    for qid in KEYED:
        assert BANK[qid].key not in page.text + client.get("/static/app.js").text


@pytest.mark.parametrize("qid", KEYED)
def test_the_key_and_its_value_never_appear_at_hint(client, qid):
    q = BANK[qid]
    mistake = q.mistakes[0].answer
    response = post(client, "/api/grade", {"question": qid, "answer": mistake})
    assert response.status_code == 200 and response.json()["verdict"] == "incorrect"
    for shown in key_texts(q) + key_numbers(q, mistake) + [q.mistakes[0].feedback]:
        assert shown not in response.text, f"Expected nothing of the key of {qid} at hint but got {shown!r}"
    steps = post(client, "/api/check-steps", {"question": qid, "lines": [mistake, mistake]})
    for shown in key_texts(q) + key_numbers(q, mistake):
        assert shown not in steps.text, f"Expected nothing of the key of {qid} in a step check but got {shown!r}"


@pytest.mark.parametrize("qid", KEYED[:3])
def test_the_same_check_finds_the_key_at_full(qid):
    """The hint test's assertions fail on a level that does show the key (a planted leak)."""
    q = BANK[qid]
    mistake = q.mistakes[0].answer
    reply = json.dumps(Worker(BANK, "full").handle({"op": "grade", "question": qid, "answer": mistake}),
                       ensure_ascii=False)
    assert any(number in reply for number in key_numbers(q, mistake))
    assert q.mistakes[0].feedback in reply


def test_verdict_level_shows_the_verdict_only():
    q = BANK["l2-grad"]
    reply = Worker(BANK, "verdict").handle({"op": "grade", "question": q.id, "answer": q.mistakes[0].answer})
    assert reply["verdict"] == "incorrect" and reply["counterexample"] is None and reply["diagnosis"] is None
    assert q.mistakes[0].feedback not in reply["feedback"]


@pytest.mark.parametrize("answer, fmt, verdict", [
    ("g + alpha*w", "text", "correct"),
    ("g + 2*alpha*w", "text", "incorrect"),
    (r"g + \alpha w", "latex", "correct"),
    (r"g - \alpha w", "latex", "incorrect"),
    ("g + + * alpha", "text", "invalid"),
    ("__import__('os').system('true')", "text", "invalid"),
    ("(" * 5000 + "g", "text", "invalid"),
    ("(" * 900 + "g" + ")" * 900, "text", "invalid"),
    ("{" * 400 + "g" + "}" * 400, "latex", "invalid"),
    ("2**2**2**2**2**2**2*g", "text", "invalid"),
    ("g + 1e999999*w", "text", "invalid"),           # float() reads it as inf
    ("9" * 60_000, "text", "invalid"),
    ("\\frac{" * 3000 + "1" + "}{2}" * 3000, "latex", "invalid"),
    (r"\def\x{\x\x}\x", "latex", "invalid"),
    ("g\u200b + alpha*w", "text", "invalid"),
    ("g + \u202ealpha*w", "text", "invalid"),
    ("w.__class__.__mro__", "text", "invalid"),
])
def test_grade_answers_as_the_command_line_does(client, answer, fmt, verdict):
    response = post(client, "/api/grade", {"question": "l2-grad", "answer": answer, "format": fmt})
    assert response.status_code == 200
    result = response.json()
    assert result["verdict"] == verdict, result
    assert {"verdict", "read_as", "feedback", "feedback_level"} <= set(result)
    if verdict != "invalid":
        assert result["read_as_mathml"].startswith("<math")


def test_a_number_too_large_to_read_is_invalid_and_says_so(client):
    result = post(client, "/api/grade", {"question": "l2-grad", "answer": "g + 1e999999*w"}).json()
    assert result["verdict"] == "invalid" and "over the largest one that can be read" in result["feedback"]


def test_the_preview_reads_text_and_latex_into_mathml(client):
    plain = post(client, "/api/preview", {"question": "l2-grad", "answer": "g + alpha*w"}).json()
    assert plain["readable"] and plain["read_as"] == "g + alpha * w"
    assert plain["mathml"].startswith("<math") and "&#x003B1;" in plain["mathml"]   # α
    latex = post(client, "/api/preview", {"question": "l2-shrinkage", "format": "latex",
                                          "answer": r"(H + \alpha I)^{-1} H w^*"}).json()
    assert latex["readable"] and latex["read_as"] == "inv(H + alpha * I) @ H @ w_star"
    assert "<msup>" in latex["mathml"]
    wrong = post(client, "/api/preview", {"question": "l2-grad", "answer": "g + beta"}).json()
    assert not wrong["readable"] and "beta" in wrong["message"]
    shapes = post(client, "/api/preview", {"question": "l2-shrinkage", "answer": "inv(w_star)"}).json()
    assert shapes["readable"] and "cannot be evaluated" in shapes["message"]


def test_check_steps_names_the_first_broken_line(client):
    report = post(client, "/api/check-steps", {"question": "l2-grad",
                                               "lines": ["g + alpha*w", "alpha*w + g", "g + 2*alpha*w"]}).json()
    assert [s["verdict"] for s in report["steps"]] == ["start", "equivalent", "not-equivalent"]
    assert report["first_broken_step"] == 3 and report["final"]["verdict"] == "incorrect"
    assert all(s["read_as_mathml"].startswith("<math") for s in report["steps"])
    good = post(client, "/api/check-steps", {"question": "l2-grad", "format": "latex",
                                             "lines": [r"g + \frac{\alpha}{2} \cdot 2 w", r"g + \alpha w"]}).json()
    assert good["first_broken_step"] is None and good["last_line_equals_key"] is True
    empty = post(client, "/api/check-steps", {"question": "l2-grad", "lines": ["", "# a comment"]}).json()
    assert "no lines" in empty["invalid"]


BAD_REQUESTS = [
    ("/api/grade", b"not json", 400, "not JSON"),
    ("/api/grade", b"\xff\xfe", 400, "not UTF-8"),
    ("/api/grade", b"[1, 2]", 400, "Expected a JSON object but got list"),
    ("/api/grade", b"[" * 50_000 + b"]" * 10_000, 400, ""),
    ("/api/grade", {"question": "l2-grad"}, 400, "missing field 'answer'"),
    ("/api/grade", {"answer": "g"}, 400, "missing field 'question'"),
    ("/api/grade", {"question": "l2-grad", "answer": 5}, 400, "Expected field 'answer' to be a string of Unicode text but got answer=5"),
    ("/api/grade", {"question": ["l2-grad"], "answer": "g"}, 400, "Expected field 'question' to be a string"),
    ("/api/grade", b'{"question": "l2-grad", "answer": "g\\ud800"}', 400, "Expected field 'answer' to be a string of Unicode"),
    ("/api/check-steps", b'{"question": "l2-grad", "lines": ["\\udfff"]}', 400, "a list of strings of Unicode"),
    ("/api/grade", {"question": "l2-grad", "answer": "g", "format": "tex"}, 400, "'text' or 'latex'"),
    ("/api/grade", {"question": "l2-grad", "answer": "g", "student": "x"}, 400, "unknown field(s) ['student']"),
    ("/api/grade", {"question": "no-such-question", "answer": "g"}, 404, "unknown question"),
    ("/api/grade", {"question": "l2-grad", "answer": "g" * (MAX_BODY + 1)}, 413, "over the bound"),
    ("/api/preview", {"question": "nope", "answer": "g"}, 404, "unknown question"),
    ("/api/check-steps", {"question": "l2-grad", "lines": "g"}, 400, "a list of strings"),
    ("/api/check-steps", {"question": "l2-grad", "lines": ["g", 3]}, 400, "a list of strings"),
    ("/api/check-steps", {"question": "l2-grad", "answer": "g"}, 400, "unknown field(s) ['answer']"),
]


@pytest.mark.parametrize("path, body, status, message", BAD_REQUESTS,
                         ids=[f"{p}-{s}-{m or 'deep'}"[:60] for p, _, s, m in BAD_REQUESTS])
def test_a_bad_request_is_a_4xx_with_a_message(client, path, body, status, message):
    response = post(client, path, body)
    assert response.status_code == status, response.text
    assert message in response.json()["error"]


def test_messages_on_the_page_point_to_the_page_not_the_command_line(client):
    for path in ("/api/preview", "/api/grade"):
        text = post(client, path, {"question": "l2-grad", "answer": r"\frac{g}{2}"}).text
        assert "beside the answer box" in text and "--latex" not in text, text


@pytest.mark.parametrize("content_type", ["text/plain", "application/x-www-form-urlencoded", "multipart/form-data", ""])
def test_a_post_that_is_not_json_by_its_content_type_is_refused(client, content_type):
    # a form or text/plain post needs no preflight: any other site could send one from a student's browser
    response = post(client, "/api/grade", {"question": "l2-grad", "answer": "g"}, content_type)
    assert response.status_code == 415 and "application/json" in response.json()["error"]
    assert post(client, "/api/grade", {"question": "l2-grad", "answer": "g"},
                "application/json; charset=utf-8").status_code == 200


def test_the_server_still_answers_after_every_bad_request(client):
    for path, body, _, _ in BAD_REQUESTS:
        post(client, path, body)
    assert client.get("/api/grade").status_code == 405
    assert post(client, "/api/grade", {"question": "l2-grad", "answer": "g + alpha*w"}).json()["verdict"] == "correct"
    assert client.get("/api/health").json()["workers"] == 2


def test_reports_render_with_mathml_figures_and_local_links(client):
    page = client.get("/reports/l2-shrinkage")
    assert page.status_code == 200 and "<math" in page.text and "$" not in re.sub(r"<pre>.*?</pre>", "", page.text, flags=re.S)
    figures = re.findall(r'src="(/reports/figures/[^"]+)"', page.text)
    assert figures and all(client.get(src).status_code == 200 for src in figures)
    assert 'href="/material/004_b86d6fd376fce36f.txt"' in page.text
    assert client.get("/material/004_b86d6fd376fce36f.txt").status_code == 200
    index = client.get("/reports/")
    assert 'href="/reports/l2-shrinkage"' in index.text
    for missing in ("/reports/no-such", "/reports/..%2Fpyproject", "/material/..%2F..%2Fcli.py",
                    "/reports/figures/../../pyproject.toml"):
        assert client.get(missing).status_code == 404, missing


@pytest.mark.parametrize("options", [{"show_reports": False}, {}, {"feedback": "verdict"}],
                         ids=["no-reports", "default-at-hint", "default-at-verdict"])
def test_the_reports_are_hidden_unless_feedback_is_full_or_they_are_asked_for(options):
    # they derive the closed forms the questions ask for: at hint they would hand out the key
    with TestClient(create_app(workers=1, **options)) as hidden:
        catalogue = hidden.get("/api/questions").json()
        assert all(d["report"] is None for d in catalogue["derivations"])
        # a report's title states its result ("Early stopping ≈ L2 with α ≈ 1/(τε)"): hidden too
        assert all(d["title"] is None for d in catalogue["derivations"])
        shown = json.dumps(catalogue, ensure_ascii=False) + hidden.get("/").text
        titles = [Reports(default_reports_dir()).title(d["id"]) for d in catalogue["derivations"]]
        assert all(title and title not in shown for title in titles)
        assert hidden.get("/reports/l2-shrinkage").status_code == 404
        assert hidden.get("/reports/l2-shrinkage").status_code == 404
        assert hidden.get("/reports/figures/l2-shrinkage-contours.png").status_code == 404


def test_the_reports_are_served_at_full_feedback_by_default():
    with TestClient(create_app(workers=1, feedback="full")) as shown:
        assert shown.get("/reports/l2-shrinkage").status_code == 200


# --- the pool ------------------------------------------------------------------------------------
def test_a_worker_that_hangs_or_dies_is_replaced_and_the_next_answer_is_graded():
    request = {"op": "grade", "question": "l2-grad", "answer": "g + alpha*w", "format": "text"}

    async def scenario():
        pool = Pool(1, None, "hint", timeout=20.0, max_waiting=4)
        await pool.start()
        try:
            assert (await pool.run(request))["verdict"] == "correct"
            (hung,) = pool.workers
            os.kill(hung.process.pid, signal.SIGSTOP)            # a worker stuck on an answer
            with pytest.raises(WorkerFailed) as failed:
                await pool.run(request, timeout=0.5)
            assert failed.value.reason == "timeout"
            assert (await pool.run(request))["verdict"] == "correct"
            (dead,) = pool.workers
            assert dead is not hung
            os.kill(dead.process.pid, signal.SIGSTOP)            # a worker that dies on an answer
            dying = asyncio.ensure_future(pool.run(request))
            await asyncio.sleep(0.2)
            os.kill(dead.process.pid, signal.SIGKILL)
            with pytest.raises(WorkerFailed) as failed:
                await dying
            assert failed.value.reason == "crash"
            assert (await pool.run(request))["verdict"] == "correct"
            (idle,) = pool.workers
            os.kill(idle.process.pid, signal.SIGKILL)            # a worker that dies between answers
            await idle.process.wait()
            assert (await pool.run(request))["verdict"] == "correct"
            assert pool.replaced == 3 and len(pool.workers) == 1
        finally:
            await pool.close()
        assert all(w.process.returncode is not None for w in (hung, dead, idle))

    asyncio.run(scenario())


def test_one_answer_stuck_in_a_worker_never_holds_up_the_others():
    request = {"op": "grade", "question": "l2-grad", "answer": "g + alpha*w", "format": "text"}

    async def scenario():
        pool = Pool(2, None, "hint", timeout=20.0, max_waiting=4)
        await pool.start()
        try:
            await asyncio.gather(pool.run(request), pool.run(request))    # both workers ready
            stuck = pool.idle._queue[0]                                   # the next request's worker
            os.kill(stuck.process.pid, signal.SIGSTOP)
            slow = asyncio.ensure_future(pool.run(request, timeout=60.0))
            await asyncio.sleep(0)
            assert (await pool.run(request))["verdict"] == "correct"
            assert not slow.done(), "Expected the stuck answer to be still waiting"
            os.kill(stuck.process.pid, signal.SIGKILL)
            with pytest.raises(WorkerFailed):
                await slow
        finally:
            await pool.close()

    asyncio.run(scenario())


def test_an_error_a_worker_reports_is_an_internal_error_and_the_worker_stays():
    async def scenario():
        pool = Pool(1, None, "hint", timeout=20.0, max_waiting=4)
        await pool.start()
        try:
            request = {"op": "grade", "question": "l2-grad", "answer": "g + alpha*w", "format": "text"}
            await pool.run(request)
            (worker,) = pool.workers
            with pytest.raises(WorkerFailed) as failed:
                await pool.run({**request, "op": "no-such-op"})
            assert failed.value.reason == "crash"
            assert (await pool.run(request))["verdict"] == "correct"
            assert pool.workers == {worker} and pool.replaced == 0
        finally:
            await pool.close()

    asyncio.run(scenario())


def test_a_worker_cannot_take_more_than_its_share_of_memory():
    async def scenario():
        pool = Pool(1, None, "hint", timeout=20.0, max_waiting=4)
        await pool.start()
        try:
            await pool.run({"op": "grade", "question": "l2-grad", "answer": "g", "format": "text"})
            (worker,) = pool.workers
            with open(f"/proc/{worker.process.pid}/limits") as handle:
                return next(line for line in handle if line.startswith("Max address space")).split()[3]
        finally:
            await pool.close()

    assert int(asyncio.run(scenario())) == MEMORY_LIMIT


def test_a_missing_browser_fails_the_browser_tests_in_ci_and_skips_them_elsewhere(monkeypatch):
    from . import test_serve_browser as browser
    monkeypatch.setattr(browser, "CHROMIUM", "/nonexistent/chromium")
    monkeypatch.setenv("CI", "true")
    with pytest.raises(pytest.fail.Exception, match="apt-get install chromium chromium-driver"):
        browser.browser_or_fail()
    monkeypatch.delenv("CI")
    with pytest.raises(pytest.skip.Exception):
        browser.browser_or_fail()


def test_a_full_waiting_line_is_busy_not_a_hang():
    from regverify.web.pool import PoolBusy

    async def scenario():
        pool = Pool(1, None, "hint", timeout=20.0, max_waiting=1)
        await pool.start()
        try:
            request = {"op": "grade", "question": "l2-grad", "answer": "g", "format": "text"}
            await pool.run(request)                       # the worker is ready
            first = asyncio.ensure_future(pool.run(request))
            second = asyncio.ensure_future(pool.run(request))
            await asyncio.sleep(0)
            with pytest.raises(PoolBusy):
                await pool.run(request)
            assert [r["verdict"] for r in await asyncio.gather(first, second)] == ["incorrect", "incorrect"]
        finally:
            await pool.close()

    asyncio.run(scenario())


FAKE_WORKER = """
import json, sys, time
print(json.dumps({"ready": True}), flush=True)
asked = 0
for line in sys.stdin:
    asked += 1
    request = json.loads(line)
    if request["answer"] == "slow":
        time.sleep(3)
    print(json.dumps({"ok": True, "result": {"asked": asked}}), flush=True)
"""


def fake_pool(**options) -> Pool:
    pool = Pool(1, None, "hint", timeout=20.0, **options)
    pool.command = [sys.executable, "-c", FAKE_WORKER]   # a grader whose slowness the test sets
    return pool


def test_a_request_waits_for_a_grader_at_most_max_wait_then_is_busy():
    from regverify.web.pool import PoolBusy

    async def scenario():
        pool = fake_pool(max_waiting=10, max_wait=0.5)
        await pool.start()
        try:
            await pool.run({"answer": "fast"})              # the worker is up
            slow = asyncio.ensure_future(pool.run({"answer": "slow"}))
            await asyncio.sleep(0.1)
            start = time.perf_counter()
            with pytest.raises(PoolBusy, match="within 0.5 s"):
                await pool.run({"answer": "fast"})
            assert time.perf_counter() - start < 2.0       # told at once, not after the slow answer
            assert (await slow)["asked"] == 2
        finally:
            await pool.close()

    asyncio.run(scenario())


def test_a_request_whose_client_left_is_not_graded():
    from regverify.web.pool import Abandoned

    async def gone() -> bool:
        return False

    async def scenario():
        pool = fake_pool(max_waiting=10)
        await pool.start()
        try:
            assert (await pool.run({"answer": "fast"}))["asked"] == 1
            with pytest.raises(Abandoned):
                await pool.run({"answer": "fast"}, wanted=gone)
            assert (await pool.run({"answer": "fast"}))["asked"] == 2   # the abandoned one never reached it
        finally:
            await pool.close()

    asyncio.run(scenario())


# --- the answer log ------------------------------------------------------------------------------
def test_no_answer_is_stored_without_log_and_every_graded_one_with_it(tmp_path):
    log = tmp_path / "answers.jsonl"
    with TestClient(create_app(workers=1)) as quiet:
        post(quiet, "/api/grade", {"question": "l2-grad", "answer": "g"})
    assert list(tmp_path.iterdir()) == []
    with TestClient(create_app(workers=1, log=str(log))) as logged:
        post(logged, "/api/grade", {"question": "l2-grad", "answer": "g + alpha*w"})
        post(logged, "/api/grade", {"question": "l2-grad", "answer": r"g - \alpha w", "format": "latex"})
        post(logged, "/api/check-steps", {"question": "l2-grad", "lines": ["g + alpha*w", "g"]})
        post(logged, "/api/preview", {"question": "l2-grad", "answer": "g"})
        post(logged, "/api/grade", {"question": "nope", "answer": "g"})
    records = [json.loads(line) for line in log.read_text(encoding="utf-8").splitlines()]
    assert [(r["kind"], r.get("answer"), r["verdict"]) for r in records] == [
        ("grade", "g + alpha*w", "correct"), ("grade", r"g - \alpha w", "incorrect"), ("check-steps", None, "incorrect")]
    assert records[2]["lines"] == ["g + alpha*w", "g"] and records[2]["first_broken_step"] == 2
    assert oct(log.stat().st_mode & 0o777) == "0o600"


def test_a_result_is_not_shown_when_its_log_line_cannot_be_written(tmp_path, monkeypatch):
    def disk_full(self, record):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(AnswerLog, "write", disk_full)
    with TestClient(create_app(workers=1, log=str(tmp_path / "answers.jsonl"))) as logged:
        response = post(logged, "/api/grade", {"question": "l2-grad", "answer": "g + alpha*w"})
    assert response.status_code == 503 and "could not be recorded" in response.json()["error"]
    assert "correct" not in response.text


def test_a_line_torn_by_a_crash_stays_alone_and_the_next_line_is_whole(tmp_path):
    log = tmp_path / "answers.jsonl"
    log.write_bytes(b'{"kind": "grade", "answer": "g"}\n{"kind": "gr')
    writer = AnswerLog(log)
    writer.write({"kind": "grade", "answer": "g + alpha*w"})
    writer.close()
    lines = log.read_text().splitlines()
    assert lines[1] == '{"kind": "gr' and json.loads(lines[2]) == {"kind": "grade", "answer": "g + alpha*w"}


# --- the process ---------------------------------------------------------------------------------
def test_serve_loads_the_grader_only():
    code = ("import sys\nfrom starlette.testclient import TestClient\nfrom regverify.web.app import create_app\n"
            "from regverify.web.worker import Worker\nfrom regverify.grading.bank import load_bank\n"
            "with TestClient(create_app(workers=1, show_reports=True)) as c:\n"
            "    assert c.post('/api/grade', json={'question': 'l2-grad', 'answer': 'g'}).status_code == 200\n"
            "    assert c.get('/reports/l2-shrinkage').status_code == 200\n"
            "w = Worker(load_bank(), 'hint')\n"
            "for op in ('preview', 'grade'):\n"
            "    w.handle({'op': op, 'question': 'l2-shrinkage', 'answer': '(H + \\\\alpha I)^{-1} H w^*', 'format': 'latex'})\n"
            "w.handle({'op': 'steps', 'question': 'l2-grad', 'lines': ['g', 'g'], 'format': 'text'})\n"
            "print(sorted(m for m in ('sympy', 'autograd', 'matplotlib') if m in sys.modules))")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd="/")
    assert done.stdout.strip().splitlines()[-1:] == ["[]"], done.stdout + done.stderr


def test_serve_prints_its_address_grades_and_stops_cleanly_on_ctrl_c():
    import httpx2 as httpx
    process, url = start_server("--workers", "1")
    try:
        with httpx.Client(base_url=url, timeout=30) as http:
            assert "practice questions" in http.get("/").text
            assert http.post("/api/grade", json={"question": "l2-grad", "answer": "g + alpha*w"}).json()["verdict"] == "correct"
        workers = children(process.pid)
        assert workers
        process.send_signal(signal.SIGINT)
        process.wait(timeout=15)
    finally:
        process.kill()
    stderr = messages(process)
    assert process.returncode == 0 and "stopped" in stderr and "Traceback" not in stderr, stderr
    assert not any(running(pid) for pid in workers)


def test_a_killed_server_has_logged_every_answer_it_returned_and_its_workers_exit(tmp_path):
    import httpx2 as httpx
    log = tmp_path / "answers.jsonl"
    process, url = start_server("--workers", "1", "--log", str(log))
    try:
        with httpx.Client(base_url=url, timeout=30) as http:
            for answer in ("g", "g + alpha*w", "nonsense +"):
                http.post("/api/grade", json={"question": "l2-grad", "answer": answer})
        workers = children(process.pid)
    finally:
        process.kill()                     # no shutdown: the lines must already be on disk
        process.wait(timeout=10)
    answers = [json.loads(line)["answer"] for line in log.read_text().splitlines()]
    assert answers == ["g", "g + alpha*w", "nonsense +"]
    deadline = time.monotonic() + 10       # their input closed with the server: they end by themselves
    while any(running(pid) for pid in workers) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert not any(running(pid) for pid in workers)


@pytest.mark.parametrize("missing", ["uvicorn", "starlette", "latex2mathml", "mdit_py_plugins"])
def test_serve_without_its_extra_says_how_to_install_it(missing):
    code = (f"import sys\nsys.modules[{missing!r}] = None\nfrom regverify.cli import main\n"
            "sys.exit(main(['serve', '--port', '0']))")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert done.returncode == 2 and f"({missing} is missing)" in done.stderr, done.stderr
    assert "pip install 'regverify[serve]'" in done.stderr


def test_a_bank_without_questions_is_refused_before_serving(tmp_path):
    (tmp_path / "empty.json").write_text('{"questions": []}')
    done = subprocess.run([sys.executable, "-m", "regverify", "serve", "--port", "0", "--bank", str(tmp_path)],
                          capture_output=True, text=True, timeout=60)
    assert done.returncode == 2 and "holds no questions" in done.stderr, done.stderr


def test_a_port_in_use_is_a_usage_error_naming_the_next_step():
    process, url = start_server("--workers", "1")
    try:
        port = url.rsplit(":", 1)[1].strip("/")
        done = subprocess.run([sys.executable, "-m", "regverify", "serve", "--port", port], capture_output=True,
                              text=True, timeout=30)
        assert done.returncode == 2 and "choose another --port" in done.stderr, done.stderr
    finally:
        process.send_signal(signal.SIGINT)
        process.wait(timeout=15)
