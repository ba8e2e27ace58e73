"""One installable package that starts fast and keeps its speed on a busy machine."""
import json
import os
import stat
import subprocess
import sys

import pytest

import regverify
from regverify.cli import main


def python(code: str, cwd="/"):
    """Run ``code`` in a fresh interpreter outside the checkout, as an installed user would."""
    return subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=cwd)


@pytest.mark.parametrize("generic_name", ["grading", "numerics", "derivations"])
def test_the_generic_folder_names_are_not_top_level_packages(generic_name):
    done = python(f"import {generic_name}")
    assert done.returncode != 0 and "ModuleNotFoundError" in done.stderr


@pytest.mark.parametrize("name", ["regverify.grading.grader", "regverify.numerics.sampling",
                                  "regverify.derivations.l2_shrinkage", "regverify.verifier"])
def test_every_part_imports_under_the_regverify_namespace(name):
    assert python(f"import {name}").returncode == 0


def test_the_engine_does_not_live_among_the_lecture_pages_and_each_derivation_is_one_folder():
    from regverify.figures import figures_for
    from regverify.registry import all_derivations
    import regverify.derivations as key
    root = os.path.dirname(key.__file__)
    entries = {name for name in os.listdir(root) if not name.startswith("__")}
    derivations = all_derivations()
    pages = {d.module.rsplit(".", 1)[-1] for d in derivations}
    assert entries == pages, f"expected only derivation folders in {root}, got {sorted(entries - pages)}"
    assert all(os.path.isfile(os.path.join(root, page, "__init__.py")) for page in pages)
    for derivation in derivations:       # its figures are drawn by its own folder, nowhere else
        for spec in figures_for(derivation.id):
            assert spec.draw.__module__ == f"{derivation.module}.figures", (derivation.id, spec.name)


@pytest.mark.parametrize("argv", [["--help"], ["report", "--help"], ["questions"], ["show", "l2-grad"],
                                  ["grade", "l2-grad", "g + alpha*w"]])
def test_commands_that_need_no_proofs_never_import_sympy_or_autograd(argv):
    code = ("import sys\nfrom regverify.cli import main\ntry:\n    main(%r)\nexcept SystemExit:\n    pass\n"
            "print(sorted(m for m in ('sympy', 'autograd', 'matplotlib') if m in sys.modules))") % (argv,)
    done = python(code)
    assert done.stdout.strip().splitlines()[-1] == "[]", done.stdout + done.stderr


def test_version_names_the_installed_version(capsys):
    with pytest.raises(SystemExit) as exit_:
        main(["--version"])
    assert exit_.value.code == 0
    assert capsys.readouterr().out.strip() == f"regverify {regverify.__version__}"


def test_verify_runs_its_checks_on_one_blas_thread(monkeypatch):
    from threadpoolctl import threadpool_info
    from regverify import verifier
    from regverify.registry import get
    seen = []
    original = verifier.verify_claim

    def spy(*args, **kwargs):
        seen.extend(pool["num_threads"] for pool in threadpool_info() if pool["user_api"] == "blas")
        return original(*args, **kwargs)

    monkeypatch.setattr(verifier, "verify_claim", spy)
    verifier.verify([get("l1-soft-threshold")], quick=True, jobs=1)
    assert seen and set(seen) == {1}


def test_two_jobs_give_the_same_results_in_catalog_order_as_one(tmp_path):
    def without_timing(document):
        if isinstance(document, dict):
            return {k: without_timing(v) for k, v in document.items() if k != "seconds"}
        if isinstance(document, list):
            return [without_timing(v) for v in document]
        return document

    documents = []
    for jobs in ("1", "2"):
        path = tmp_path / f"jobs{jobs}.json"
        assert main(["verify", "early-stopping", "l1-soft-threshold", "--quick", "--jobs", jobs,
                     "--json", str(path)]) == 0
        documents.append(without_timing(json.loads(path.read_text())))
    assert documents[0] == documents[1]
    assert [r["derivation"] for r in documents[0]["results"]][0] == "early-stopping"


@pytest.mark.parametrize("bad", ["0", "-1", "two"])
def test_jobs_must_be_a_positive_whole_number(bad, capsys):
    with pytest.raises(SystemExit) as exit_:
        main(["verify", "--jobs", bad])
    assert exit_.value.code == 2


def test_output_files_follow_the_users_umask(tmp_path):
    path = tmp_path / "out.json"
    previous = os.umask(0o022)
    try:
        assert main(["verify", "l1-soft-threshold", "--quick", "--json", str(path)]) == 0
    finally:
        os.umask(previous)
    assert stat.S_IMODE(path.stat().st_mode) == 0o644


def test_an_unwritable_json_path_is_refused_before_any_work(tmp_path, capsys):
    assert main(["verify", "--json", str(tmp_path / "missing" / "out.json")]) == 2
    assert "does not exist" in capsys.readouterr().err


def test_ctrl_c_stops_the_workers_and_leaves_no_process_behind():
    import signal
    import time
    command = subprocess.Popen([sys.executable, "-m", "regverify", "verify", "--jobs", "2"],
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                               start_new_session=True)
    deadline = time.monotonic() + 60
    while "[1/" not in command.stderr.readline() and time.monotonic() < deadline:
        pass   # wait until the workers are busy
    workers = subprocess.run(["pgrep", "-P", str(command.pid)], capture_output=True, text=True).stdout.split()
    assert workers, "Expected worker processes but found none"
    os.killpg(command.pid, signal.SIGINT)    # what the terminal sends on Ctrl-C
    assert command.wait(timeout=20) == 130
    assert "interrupted" in command.stderr.read()
    time.sleep(0.5)
    alive = [pid for pid in workers if os.path.exists(f"/proc/{pid}")
             and open(f"/proc/{pid}/stat").read().split()[2] != "Z"]
    assert alive == []


@pytest.mark.parametrize("argv", [["verify", "--seed", "-1"], ["report", "--seed", "x"]])
def test_a_negative_or_unreadable_seed_is_a_usage_error(argv):
    with pytest.raises(SystemExit) as exit_:
        main(argv)
    assert exit_.value.code == 2


def unlisted_packages(root, setup) -> set:
    """The package folders under the mapped roots that pyproject's ``packages`` does not list."""
    folders = {"regverify": root / "regverify", **{name: root / path for name, path in setup["package-dir"].items()}}
    found = set()
    for name, folder in folders.items():
        for init in folder.rglob("__init__.py"):
            if "__pycache__" not in init.parts:
                found.add(".".join([name, *init.parent.relative_to(folder).parts]))
    return found - set(setup["packages"])


def test_pyproject_lists_every_package_folder_so_that_an_installed_copy_has_them_all():
    import tomllib
    from pathlib import Path
    root = Path(__file__).parent.parent
    setup = tomllib.loads((root / "pyproject.toml").read_text(encoding="utf-8"))["tool"]["setuptools"]
    assert unlisted_packages(root, setup) == set()
    dropped = {**setup, "packages": [p for p in setup["packages"] if p != "regverify.report"]}
    assert unlisted_packages(root, dropped) == {"regverify.report"}      # a missing one is found
