"""From an assignment file to a Gradescope autograder, and one results.json per submission.

The zip is unpacked into a temporary folder laid out as Gradescope lays out /autograder
(gradescope/autograder_samples, docs/specs.md): source/ holds the zip's files, submission/ the
student's, results/results.json the grade. Every results.json is validated against the JSON
Schema shipped beside the code.
"""
import json
import os
import re
import shutil
import stat
import subprocess
import sys
import venv
import zipfile
from pathlib import Path

import jsonschema
import pytest

from regverify.cli import main
from regverify.grading import gradescope

ASSIGNMENT = {"title": "Regularization homework", "submission": "answers.txt", "visibility": "after_due_date",
              "bank": None,
              "questions": [{"id": "l2-grad", "points": 2},
                            {"id": "kl-grad-rho-hat", "points": 1, "format": "latex"},
                            {"id": "l2-shrinkage", "points": 1.5}]}

ALL_RIGHT = ("# Ann Lee\n"
             "l2-grad: g + alpha*w\n"
             "kl-grad-rho-hat: -\\frac{\\rho}{\\hat\\rho} + \\frac{1-\\rho}{1-\\hat\\rho}\n"
             "l2-shrinkage [latex]: (H+\\alpha I)^{-1} H w^*\n")
SOME_WRONG = ("l2-grad: g + 2*alpha*w\n"
              "nope: 3\n"
              "this line is not an answer\n")


def validate(results: dict) -> None:
    jsonschema.validate(results, gradescope.schema())
    for test in results["tests"]:
        assert test["score"] in (0, test["max_score"]), f"Expected 0 or max_score but got score={test['score']}"
        assert (test["status"] == "passed") == (test["score"] == test["max_score"])
    assert results["score"] == pytest.approx(sum(t["score"] for t in results["tests"]))


@pytest.fixture(scope="module")
def autograder(tmp_path_factory):
    """The zip built once for the module (building the wheel takes a few seconds)."""
    folder = tmp_path_factory.mktemp("build")
    (folder / "hw.json").write_text(json.dumps(ASSIGNMENT))
    assert main(["gradescope", "build", str(folder / "hw.json"), "--out", str(folder / "autograder.zip")]) == 0
    return folder / "autograder.zip"


def gradescope_root(zip_path: Path, where: Path, files: dict) -> Path:
    """A folder laid out like /autograder, with the student's ``files`` in submission/."""
    root = where / "autograder"
    with zipfile.ZipFile(zip_path) as archive:
        archive.extractall(root / "source")
    for name in ("setup.sh", "run_autograder"):
        mode = zipfile.ZipFile(zip_path).getinfo(name).external_attr >> 16
        os.chmod(root / "source" / name, stat.S_IMODE(mode))
    shutil.copy2(root / "source" / "run_autograder", root / "run_autograder")
    (root / "submission").mkdir()
    for name, content in files.items():
        path = root / "submission" / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(content.encode() if isinstance(content, str) else content)
    return root


def run_in_process(root: Path) -> dict:
    status = main(["gradescope", "run", str(root / "source" / "assignment.json"), "--root", str(root)])
    results = json.loads((root / "results" / "results.json").read_text())
    validate(results)
    return status, results


def test_the_zip_holds_the_scripts_the_assignment_and_a_wheel_at_its_root(autograder):
    with zipfile.ZipFile(autograder) as archive:
        names = archive.namelist()
        assert {"setup.sh", "run_autograder", "assignment.json"} <= set(names)
        assert [n for n in names if n.endswith(".whl")] == [f"regverify-{__import__('regverify').__version__}-py3-none-any.whl"]
        assert all("/" not in n for n in names), "Expected every file at the zip's root"
        for name in ("setup.sh", "run_autograder"):
            assert (archive.getinfo(name).external_attr >> 16) & 0o111, f"Expected {name} to be executable"
        bundled = json.loads(archive.read("assignment.json"))["questions"]
        assert [(q["id"], q["points"], q["format"]) for q in bundled] == [
            ("l2-grad", 2, "text"), ("kl-grad-rho-hat", 1, "latex"), ("l2-shrinkage", 1.5, "text")]


def test_a_correct_submission_earns_every_point(autograder, tmp_path):
    status, results = run_in_process(gradescope_root(autograder, tmp_path, {"answers.txt": ALL_RIGHT}))
    assert status == 0
    assert results["score"] == 4.5 and results["visibility"] == "after_due_date"
    assert [t["status"] for t in results["tests"]] == ["passed"] * 3
    assert [t["number"] for t in results["tests"]] == ["1", "2", "3"]
    assert "Read as: `inv(H + alpha * I) @ H @ w_star`" in results["tests"][2]["output"]


def test_a_wrong_answer_gets_the_verdict_reading_feedback_and_counterexample(autograder, tmp_path):
    status, results = run_in_process(gradescope_root(autograder, tmp_path, {"answers.txt": SOME_WRONG}))
    first = results["tests"][0]
    assert first["score"] == 0 and first["status"] == "failed" and first["output_format"] == "md"
    for part in ("**incorrect**", "Read as: `g + 2 * alpha * w`", "a constant factor is wrong", "Counterexample",
                 "| `alpha` |"):
        assert part in first["output"], f"Expected {part!r} in the test's output"
    # the default level is hint: the kind of mistake, never the explanation that shows the key
    assert "cancels the 2" not in first["output"] and "the answer" not in first["output"]
    assert "no answer for kl-grad-rho-hat" in results["tests"][1]["output"]
    assert "unknown question id 'nope'" in results["output"]
    assert "this line is not an answer" in results["output"]


def test_a_submission_under_another_name_is_graded_and_the_student_told(autograder, tmp_path):
    status, results = run_in_process(gradescope_root(autograder, tmp_path, {"hw/Answers.TXT": ALL_RIGHT}))
    assert results["score"] == 4.5 and "was graded instead" in results["output"]


def test_a_symbolic_link_to_the_key_is_never_read(autograder, tmp_path):
    root = gradescope_root(autograder, tmp_path, {})
    bank_file = next((root / "source").glob("*.whl"))
    os.symlink(bank_file, root / "submission" / "answers.txt")
    status, results = run_in_process(root)
    assert results["score"] == 0 and "no file named `answers.txt`" in results["output"]



def outside_code_spans(markdown: str) -> str:
    """What Markdown renders as markup: everything but `code spans` (shown literally)."""
    return re.sub(r"(`+)(.+?)\1", "", markdown, flags=re.S)


HOSTILE = {
    "empty submission": {},
    "empty file": {"answers.txt": b""},
    "binary file": {"answers.txt": bytes(range(256)) * 40},
    "not UTF-8": {"answers.txt": "l2-grad: g + \u00e9*w".encode("latin-1")},
    "deep nesting": {"answers.txt": "l2-grad: " + "(" * 5000 + "g" + ")" * 5000},
    "huge power": {"answers.txt": "l2-grad: g ** 10**10**10"},
    "huge matrix": {"answers.txt": "l2-shrinkage: outer(outer(w_star, w_star), outer(w_star, w_star)) @ w_star"},
    "code": {"answers.txt": "l2-grad: __import__('os').system('touch /tmp/pwned')"},
    "LaTeX macro": {"answers.txt": "l2-grad [latex]: \\input{/etc/passwd} \\def\\x{\\x}\\x"},
    "format unknown": {"answers.txt": "l2-grad [markdown]: g + alpha*w"},
    "Markdown injection": {"answers.txt": "l2-grad: `` <script>alert(1)</script> ``"},
    "huge file": {"answers.txt": "l2-grad: g + alpha*w\n" * 200_000},
    "broken CSV": {"answers.txt": "", "answers.csv": "question,answer\n\"l2-grad,g"},
    "a folder named like the file": {"answers.txt/x": "l2-grad: g"},
}


@pytest.mark.parametrize("files", HOSTILE.values(), ids=HOSTILE.keys())
def test_nothing_in_a_submission_stops_results_json_being_written(autograder, tmp_path, files):
    status, results = run_in_process(gradescope_root(autograder, tmp_path, files))
    assert status == 0 and len(results["tests"]) == 3
    for output in [results["output"], *(t["output"] for t in results["tests"])]:
        assert "<script>" not in outside_code_spans(output), output
    assert not os.path.exists("/tmp/pwned")


def test_a_grader_crash_on_one_question_costs_only_that_question(autograder, tmp_path, monkeypatch, capsys):
    from regverify.grading import grader
    original = grader.grade

    def crash_on_l2_grad(question, answer, latex=False):
        if question.id == "l2-grad":
            raise RuntimeError("planted crash")
        return original(question, answer, latex)

    monkeypatch.setattr(grader, "grade", crash_on_l2_grad)
    status, results = run_in_process(gradescope_root(autograder, tmp_path, {"answers.txt": ALL_RIGHT}))
    assert [t["status"] for t in results["tests"]] == ["failed", "passed", "passed"]
    assert "**error**" in results["tests"][0]["output"] and "planted crash" not in results["tests"][0]["output"]
    assert "planted crash" in capsys.readouterr().out   # the instructor sees it in Gradescope's stdout


def test_a_broken_assignment_still_writes_results_and_exits_2(tmp_path):
    (tmp_path / "a.json").write_text(json.dumps({**ASSIGNMENT, "questions": [{"id": "no-such-question"}]}))
    assert main(["gradescope", "run", str(tmp_path / "a.json"), "--root", str(tmp_path / "root")]) == 2
    results = json.loads((tmp_path / "root" / "results" / "results.json").read_text())
    validate(results)
    assert results["score"] == 0 and "misconfigured" in results["output"]


def test_the_root_comes_from_GRADESCOPE_ROOT(autograder, tmp_path, monkeypatch):
    root = gradescope_root(autograder, tmp_path, {"answers.txt": ALL_RIGHT})
    monkeypatch.setenv("GRADESCOPE_ROOT", str(root))
    assert main(["gradescope", "run", str(root / "source" / "assignment.json")]) == 0
    assert json.loads((root / "results" / "results.json").read_text())["score"] == 4.5


def test_an_instructor_bank_is_bundled_and_used(tmp_path):
    (tmp_path / "mybank").mkdir()
    (tmp_path / "mybank" / "q.json").write_text(json.dumps(
        [{"id": "twice", "prompt": "2x", "symbols": {"x": {}}, "key": "2*x"}]))
    (tmp_path / "hw.json").write_text(json.dumps({"title": "t", "bank": "mybank",
                                                  "questions": [{"id": "twice", "points": 3}]}))
    wheel = tmp_path / "regverify-0.0.0-py3-none-any.whl"
    wheel.write_bytes(b"not really a wheel")   # --wheel skips the build: the test is about the bank
    assert main(["gradescope", "build", str(tmp_path / "hw.json"), "--out", str(tmp_path / "a.zip"),
                 "--wheel", str(wheel)]) == 0
    assert "bank/q.json" in zipfile.ZipFile(tmp_path / "a.zip").namelist()
    root = gradescope_root(tmp_path / "a.zip", tmp_path, {"answers.txt": "twice: x + x"})
    status, results = run_in_process(root)
    assert results["score"] == 3


@pytest.mark.parametrize("change, message", [
    ({"questions": [{"id": "no-such-question"}]}, "unknown question id"),
    ({"bank": "missing-folder"}, "cannot be read"),
    ({"visibility": "public"}, "visibility"),
])
def test_build_refuses_a_bad_assignment_with_exit_2(tmp_path, capsys, change, message):
    (tmp_path / "hw.json").write_text(json.dumps({**ASSIGNMENT, **change}))
    assert main(["gradescope", "build", str(tmp_path / "hw.json"), "--out", str(tmp_path / "a.zip")]) == 2
    assert message in capsys.readouterr().err and not (tmp_path / "a.zip").exists()


def test_build_without_a_source_tree_says_so_with_exit_2(tmp_path, monkeypatch, capsys):
    from regverify.grading import gradescope
    fake = tmp_path / "site-packages" / "regverify" / "grading" / "gradescope.py"
    fake.parent.mkdir(parents=True)
    fake.write_text("")
    monkeypatch.setattr(gradescope, "__file__", str(fake))
    (tmp_path / "hw.json").write_text(json.dumps(ASSIGNMENT))
    assert main(["gradescope", "build", str(tmp_path / "hw.json"), "--out", str(tmp_path / "a.zip")]) == 2
    assert "without its source tree" in capsys.readouterr().err


def test_the_zip_follows_the_users_umask(tmp_path):
    (tmp_path / "hw.json").write_text(json.dumps(ASSIGNMENT))
    wheel = tmp_path / "regverify-0.0.0-py3-none-any.whl"
    wheel.write_bytes(b"x")
    previous = os.umask(0o027)
    try:
        assert main(["gradescope", "build", str(tmp_path / "hw.json"), "--out", str(tmp_path / "a.zip"),
                     "--wheel", str(wheel)]) == 0
    finally:
        os.umask(previous)
    assert stat.S_IMODE((tmp_path / "a.zip").stat().st_mode) == 0o640
    assert not list(tmp_path.glob("*.tmp"))


def test_gradescope_run_never_imports_sympy_or_autograd(autograder, tmp_path):
    root = gradescope_root(autograder, tmp_path, {"answers.txt": ALL_RIGHT})
    code = ("import sys\nfrom regverify.cli import main\nmain(['gradescope', 'run', %r, '--root', %r])\n"
            "print(sorted(m for m in ('sympy', 'autograd') if m in sys.modules))") % (
        str(root / "source" / "assignment.json"), str(root))
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd="/")
    assert done.stdout.strip().splitlines()[-1] == "[]", done.stdout + done.stderr


@pytest.mark.slow
def test_end_to_end_setup_sh_in_a_fresh_venv_then_run_autograder(autograder, tmp_path):
    """What Gradescope does: setup.sh once (installing the bundled wheel, dependencies from
    PyPI), then run_autograder per submission, each leaving a valid results.json."""
    env_dir = tmp_path / "venv"
    venv.EnvBuilder(with_pip=True).create(env_dir)
    env = {**os.environ, "PATH": f"{env_dir / 'bin'}{os.pathsep}{os.environ['PATH']}"}
    env.pop("PYTHONPATH", None)
    submissions = {"all right": ({"answers.txt": ALL_RIGHT}, 4.5), "some wrong": ({"answers.txt": SOME_WRONG}, 0),
                   "empty": ({}, 0), "garbage": ({"answers.txt": bytes(range(256))}, 0)}
    setup_done = False
    for label, (files, score) in submissions.items():
        root = gradescope_root(autograder, tmp_path / label.replace(" ", "-"), files)
        if not setup_done:
            done = subprocess.run(["bash", str(root / "source" / "setup.sh")], env=env, cwd=root,
                                  capture_output=True, text=True, timeout=900)
            assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
            assert f"regverify {__import__('regverify').__version__}" in done.stdout
            installed = subprocess.run([str(env_dir / "bin" / "python"), "-c",
                                        "import regverify; print(regverify.__file__)"],
                                       capture_output=True, text=True, cwd="/", env=env).stdout
            assert str(env_dir) in installed, f"Expected regverify from the fresh venv but got {installed}"
            setup_done = True
        done = subprocess.run([str(root / "run_autograder")], env={**env, "GRADESCOPE_ROOT": str(root)},
                              cwd=root, capture_output=True, text=True, timeout=300)
        assert done.returncode == 0, done.stdout + done.stderr
        results = json.loads((root / "results" / "results.json").read_text())
        validate(results)
        assert results["score"] == score, f"{label}: expected score {score} but got score={results['score']}"


def test_a_garbled_submission_shows_the_first_notes_and_counts_the_rest(autograder, tmp_path):
    junk = "".join(f"junk line {i}\n" for i in range(5000))
    status, results = run_in_process(gradescope_root(autograder, tmp_path, {"answers.txt": junk}))
    assert status == 0 and "more like these" in results["output"]
    assert len(results["output"]) < 20_000


def test_build_refuses_a_prompt_that_states_a_key(tmp_path, capsys):
    (tmp_path / "mybank").mkdir()
    (tmp_path / "mybank" / "q.json").write_text(json.dumps(
        [{"id": "twice", "prompt": "2x", "symbols": {"x": {}}, "key": "2*x"},
         {"id": "half", "prompt": "given y = 2x, x = ?", "symbols": {"y": {}}, "key": "y/2"}]))
    (tmp_path / "hw.json").write_text(json.dumps({"title": "t", "bank": "mybank",
                                                  "questions": [{"id": "twice", "points": 1}, {"id": "half", "points": 1}]}))
    wheel = tmp_path / "regverify-0.0.0-py3-none-any.whl"
    wheel.write_bytes(b"not really a wheel")
    assert main(["gradescope", "build", str(tmp_path / "hw.json"), "--out", str(tmp_path / "a.zip"),
                 "--wheel", str(wheel)]) == 2
    err = capsys.readouterr().err
    assert "give a key away" in err and "half prompt" in err and "'twice'" in err
    assert not (tmp_path / "a.zip").exists()
