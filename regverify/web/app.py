"""The practice page's web application (Starlette): the page, its JSON API and the reports.

    GET  /                      the page (static/index.html, which uses the API below)
    GET  /api/questions         every question: id, prompt, derivation, symbols, syntax help
    POST /api/preview           {"question", "answer", "format"} → how the answer is read
    POST /api/grade             {"question", "answer", "format"} → {"verdict", "read_as", "feedback", ...}
    POST /api/check-steps       {"question", "lines", "format"} → each line against the one before
    GET  /api/health            {"status": "ok", "workers": N}
    GET  /reports/, /reports/ID the derivations' reports as HTML; their figures; /material/FILE.txt

A request that is not as described (not JSON, a missing or unknown field, a wrong type, an
unknown question, a body over MAX_BODY bytes) is a 4xx with {"error": message}; an answer that
cannot be read is graded ``invalid``, as on the command line. Nothing a student sends is
evaluated as code: it goes to a worker as a string, which the grader's parsers read as data.
"""
from __future__ import annotations

import asyncio
import contextlib
import json
import os
import sys
import threading
import time
from pathlib import Path

from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import FileResponse, HTMLResponse, JSONResponse, PlainTextResponse, Response
from starlette.routing import Mount, Route
from starlette.staticfiles import StaticFiles

from regverify.grading.bank import BankError, Question, load_bank
from regverify.grading.expr import to_text
from regverify.grading.grader import SYNTAX_HELP
from regverify.grading.latex import spellings

from .pool import Abandoned, Pool, PoolBusy, WorkerFailed
from .reports import Reports, default_reports_dir, material_dir

STATIC = Path(__file__).parent / "static"
MAX_BODY = 64 * 1024              # bytes of one request body
FORMATS = ("text", "latex")
TIMEOUTS = {"preview": 5.0, "grade": 10.0, "steps": 30.0}   # seconds a worker has, per request kind
MAX_WAITING_PER_WORKER = 64       # requests queued for a grader beyond which the server says busy
SECURITY_HEADERS = [
    (b"content-security-policy", b"default-src 'self'; img-src 'self'; style-src 'self'; script-src 'self'; "
                                 b"object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'"),
    (b"x-content-type-options", b"nosniff"),
    (b"referrer-policy", b"no-referrer"),
]


class BadRequest(HTTPException):
    pass


def error_response(request: Request, exc: HTTPException) -> JSONResponse:
    return JSONResponse({"error": exc.detail}, status_code=exc.status_code, headers=exc.headers)


class AnswerLog:
    """Append-only JSON lines; each line is written whole, flushed and fsynced before the answer
    is returned, so that a crash never loses a line that a student was shown a result for."""

    def __init__(self, path: str | Path):
        self.path = Path(path)
        self._lock = threading.Lock()
        self._fd = os.open(self.path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)
        size = os.fstat(self._fd).st_size
        if size and _last_byte(self.path, size) != b"\n":
            os.write(self._fd, b"\n")      # a line torn by an earlier crash stays alone on its line

    def write(self, record: dict) -> None:
        line = (json.dumps(record, ensure_ascii=False, allow_nan=False) + "\n").encode("utf-8")
        with self._lock:
            view = memoryview(line)
            while view:
                view = view[os.write(self._fd, view):]
            os.fsync(self._fd)

    def close(self) -> None:
        with contextlib.suppress(OSError):
            os.close(self._fd)


def question_view(q: Question) -> dict:
    """What the page shows of a question: never the key or its mistakes."""
    return {"id": q.id, "prompt": q.prompt, "derivation": q.derivation,
            "symbols": [{"name": name, "shape": s.shape, "domain": s.domain,
                         "latex": " ".join(spellings(name, q.latex.get(name, []))[0])}
                        for name, s in q.symbols.items()],
            "derived": [{"name": name, "definition": to_text(tree)} for name, tree in q.derived]}


def _fields(body, required: dict, optional: dict) -> dict:
    """body checked against {name: type}: a JSON object with every required field, no other."""
    if not isinstance(body, dict):
        raise BadRequest(400, f"Expected a JSON object but got {type(body).__name__}")
    allowed = {**required, **optional}
    unknown = sorted(set(body) - set(allowed))
    if unknown:
        raise BadRequest(400, f"unknown field(s) {unknown}; this request takes {sorted(allowed)}")
    for name in required:
        if name not in body:
            raise BadRequest(400, f"missing field {name!r}; this request takes {sorted(allowed)}")
    for name, kind in allowed.items():
        if name in body and not _is(body[name], kind):
            raise BadRequest(400, f"Expected field {name!r} to be {_describe(kind)} but got "
                                  f"{name}={_clip(json.dumps(body[name]))}")
    return body


def _is(value, kind) -> bool:
    if kind == "lines":
        return isinstance(value, list) and all(_is(line, str) for line in value)
    return isinstance(value, kind) and (kind is not str or _unicode(value))


def _unicode(text: str) -> bool:
    """No lone surrogate (JSON can spell one; UTF-8 cannot)."""
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def _describe(kind) -> str:
    return "a list of strings of Unicode text" if kind == "lines" else {str: "a string of Unicode text"}[kind]


def _last_byte(path: Path, size: int) -> bytes:
    with open(path, "rb") as handle:     # a semester's log is not read to check its end
        handle.seek(size - 1)
        return handle.read(1)


def _clip(text: str, limit: int = 60) -> str:
    return text if len(text) <= limit else f"{text[:limit]}… ({len(text)} characters)"


async def read_json(request: Request):
    kind = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if kind != "application/json":   # a form or text/plain post could come from any other site's page
        raise BadRequest(415, f"Expected content type application/json but got {_clip(kind or 'none')}")
    declared = request.headers.get("content-length")
    if declared is not None and (not declared.isdigit() or int(declared) > MAX_BODY):
        raise BadRequest(413, f"the request body is over the bound of {MAX_BODY} bytes")
    chunks, size = [], 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > MAX_BODY:
            raise BadRequest(413, f"the request body is over the bound of {MAX_BODY} bytes")
        chunks.append(chunk)
    try:
        return json.loads(b"".join(chunks).decode("utf-8"))
    except UnicodeDecodeError:
        raise BadRequest(400, "the request body is not UTF-8 text") from None
    except json.JSONDecodeError as error:
        raise BadRequest(400, f"the request body is not JSON: {error}") from None
    except RecursionError:
        raise BadRequest(400, "the request body is nested too deeply to be a request") from None


def create_app(bank: str | None = None, feedback: str = "hint", workers: int = 2,
               log: str | None = None, reports: str | Path | None = None, show_reports: bool | None = None) -> Starlette:
    """The application. ``bank``: a question bank folder (default the bundled bank); ``log``: a
    file to append every graded answer to (default: none is stored); ``reports``: the reports
    folder (default: the installed reports); ``show_reports``: serve them (default only at the
    ``full`` feedback level, since they derive the closed forms that the questions ask for)."""
    if show_reports is None:
        show_reports = feedback == "full"
    questions = load_bank(bank)
    if not questions:
        raise BankError(f"{bank} holds no questions (a file of the bank is {{\"questions\": [...]}} or a list)")
    report_pages = Reports(Path(reports) if reports is not None else default_reports_dir())
    report_ids = set(report_pages.ids())
    linked = report_ids if show_reports else set()
    derivations = {}
    for q in questions.values():
        if q.derivation not in derivations:
            # A report's title states its result ("… adds 2λW to the gradient"): hidden with the
            # report, the section is headed by its id alone.
            shown = q.derivation in linked
            derivations[q.derivation] = {
                "id": q.derivation, "title": report_pages.title(q.derivation) if shown else None,
                "report": f"/reports/{q.derivation}" if shown else None}
    catalogue = {"feedback_level": feedback, "syntax": SYNTAX_HELP.replace("With --latex", "In LaTeX"),
                 "derivations": list(derivations.values()), "questions": [question_view(q) for q in questions.values()]}
    pool = Pool(workers, bank, feedback, timeout=TIMEOUTS["grade"],
                max_waiting=MAX_WAITING_PER_WORKER * workers)
    answer_log = AnswerLog(log) if log else None

    @contextlib.asynccontextmanager
    async def lifespan(app):
        await pool.start()
        try:
            yield
        finally:
            await pool.close()
            if answer_log:
                answer_log.close()

    def question_of(body: dict) -> Question:
        if body["question"] not in questions:
            raise BadRequest(404, f"unknown question {_clip(json.dumps(body['question']))}; "
                                  "GET /api/questions lists them")
        fmt = body.get("format", "text")
        if fmt not in FORMATS:
            raise BadRequest(400, f"Expected field 'format' to be 'text' or 'latex' but got "
                                  f"format={_clip(json.dumps(fmt))}")
        return questions[body["question"]]

    async def ask(http: Request, op: str, body: dict, fallback) -> dict:
        """The worker's reply; a worker that hung or died gives ``fallback(message)`` instead."""
        request = {"op": op, **body, "format": body.get("format", "text")}

        async def wanted() -> bool:
            return not await http.is_disconnected()
        try:
            return await pool.run(request, TIMEOUTS[op], wanted=wanted)
        except Abandoned:
            raise BadRequest(499, "the client went away before its answer was graded") from None
        except PoolBusy:
            raise BadRequest(503, "every grader is busy; try again in a moment", {"Retry-After": "1"}) from None
        except WorkerFailed as failure:
            if failure.reason == "timeout":
                message = f"grading took longer than the server's bound of {TIMEOUTS[op]:g} s"
            else:
                message = "internal error, reported: this answer could not be graded; please tell the instructor"
                print(f"regverify serve: a grading worker failed on an answer to {body['question']} "
                      "(its message, if any, is above)", file=sys.stderr)
            return fallback(message)

    async def record(kind: str, body: dict, result: dict) -> None:
        if answer_log is None:
            return
        entry = {"time": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()), "kind": kind,
                 "question": body["question"], "format": body.get("format", "text")}
        entry.update({"answer": body["answer"]} if "answer" in body else {"lines": body["lines"]})
        entry.update(verdict=result.get("verdict") or (result.get("final") or {}).get("verdict"),
                     diagnosis=result.get("diagnosis"), first_broken_step=result.get("first_broken_step"))
        try:
            await asyncio.to_thread(answer_log.write, entry)
        except OSError as error:    # a result is shown only once it is on disk
            print(f"regverify serve: cannot append to the answer log {answer_log.path}: {error.strerror}",
                  file=sys.stderr)
            raise BadRequest(503, "this answer could not be recorded; please tell the instructor") from None

    def invalid(question: str):
        return lambda message: {"question": question, "verdict": "invalid", "read_as": None, "read_as_mathml": None,
                                "feedback": message, "diagnosis": None, "counterexample": None,
                                "feedback_level": feedback}

    async def page(request: Request) -> Response:
        return FileResponse(STATIC / "index.html", media_type="text/html")

    async def api_questions(request: Request) -> Response:
        return JSONResponse(catalogue)

    async def api_health(request: Request) -> Response:
        return JSONResponse({"status": "ok", "workers": len(pool.workers), "idle": pool.idle.qsize(),
                             "replaced": pool.replaced})

    async def api_preview(request: Request) -> Response:
        body = _fields(await read_json(request), {"question": str, "answer": str}, {"format": str})
        question_of(body)
        reply = await ask(request, "preview", body, lambda message: {"readable": False, "message": message})
        return JSONResponse(reply)

    async def api_grade(request: Request) -> Response:
        body = _fields(await read_json(request), {"question": str, "answer": str}, {"format": str})
        question = question_of(body)
        result = await ask(request, "grade", body, invalid(question.id))
        await record("grade", body, result)
        return JSONResponse(result)

    async def api_check_steps(request: Request) -> Response:
        body = _fields(await read_json(request), {"question": str, "lines": "lines"}, {"format": str})
        question = question_of(body)
        result = await ask(request, "steps", body, lambda message: {"question": question.id, "invalid": message,
                                                           "steps": [], "final": None,
                                                           "feedback_level": feedback})
        await record("check-steps", body, result)
        return JSONResponse(result)

    async def report(request: Request) -> Response:
        name = request.path_params.get("name") or "README"
        html = report_pages.page(name) if show_reports else None
        if html is None:
            raise HTTPException(404, f"no report {name!r}; see /reports/")
        return HTMLResponse(html)

    async def material(request: Request) -> Response:
        name = request.path_params["name"]
        folder = material_dir()
        if not (name.endswith(".txt") and "/" not in name and (folder / name).is_file()):
            raise HTTPException(404, f"no material file {name!r}")
        return PlainTextResponse((folder / name).read_text(encoding="utf-8"))

    async def no_icon(request: Request) -> Response:
        return Response(status_code=204)     # the page has no icon; a 204 keeps browsers' consoles quiet

    routes = [
        Route("/", page),
        Route("/favicon.ico", no_icon),
        Route("/api/questions", api_questions),
        Route("/api/health", api_health),
        Route("/api/preview", api_preview, methods=["POST"]),
        Route("/api/grade", api_grade, methods=["POST"]),
        Route("/api/check-steps", api_check_steps, methods=["POST"]),
        Route("/reports/", report),
        Route("/reports/{name}", report),
        Route("/material/{name}", material),
        Mount("/static", StaticFiles(directory=STATIC), name="static"),
    ]
    if show_reports and report_pages.directory is not None and (report_pages.directory / "figures").is_dir():
        routes.insert(-1, Mount("/reports/figures", StaticFiles(directory=report_pages.directory / "figures")))
    app = Starlette(routes=routes, lifespan=lifespan, exception_handlers={HTTPException: error_response})
    app.state.pool = pool
    app.state.show_reports = show_reports
    return SecurityHeaders(app)


class SecurityHeaders:
    """Every response forbids scripts, styles and frames from anywhere but the server itself."""

    def __init__(self, app):
        self.app = app

    def __getattr__(self, name):
        return getattr(self.app, name)

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http":
            return await self.app(scope, receive, send)

        async def with_headers(message):
            if message["type"] == "http.response.start":
                message = {**message, "headers": list(message.get("headers", [])) + SECURITY_HEADERS}
            await send(message)

        await self.app(scope, receive, with_headers)
