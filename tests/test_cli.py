"""The command line as a user meets it: exit codes, JSON contract, reproducibility."""
import json
import re
import subprocess
import sys

import pytest

from regverify.cli import main


def run(*args):
    return subprocess.run([sys.executable, "-m", "regverify", *args], capture_output=True, text=True)


def test_list_shows_every_design_card_derivation(capsys):
    assert main(["list"]) == 0
    out = capsys.readouterr().out
    for name in ("l2-shrinkage", "l1-soft-threshold", "kl-sparsity", "contractive", "tied-weights",
                 "early-stopping"):
        assert name in out


def test_an_unknown_id_is_a_usage_error_that_lists_the_valid_ids(capsys):
    assert main(["verify", "no-such-thing"]) == 2
    err = capsys.readouterr().err
    assert "no-such-thing" in err and "l2-shrinkage" in err


def test_a_bad_flag_is_a_usage_error():
    assert run("verify", "--seed", "x").returncode == 2


def test_verify_json_follows_the_contract(tmp_path):
    path = tmp_path / "out.json"
    assert main(["verify", "tied-weights", "--quick", "--json", str(path)]) == 0
    document = json.loads(path.read_text())
    assert document["seed"] == 0
    first = document["results"][0]
    for key in ("derivation", "claim", "kind", "expect", "symbolic", "numeric", "training", "status", "ok"):
        assert key in first
    assert first["numeric"]["verdict"] in ("passed", "failed", "skipped", "error")
    gradient = next(r for r in document["results"] if r["kind"] == "gradient")
    assert isinstance(gradient["numeric"]["tolerance"], float)
    assert isinstance(gradient["numeric"]["max_rel_error"], float)
    assert {r["status"] for r in document["results"]} <= {"verified", "refuted", "unverified", "error"}


def test_json_to_stdout_is_valid_json_and_the_table_goes_to_stderr():
    result = run("verify", "early-stopping", "--quick", "--json", "-")
    assert result.returncode == 0
    assert json.loads(result.stdout)["results"]
    assert "derivation" in result.stderr and "[1/" in result.stderr


def _stable(document):
    for r in document["results"]:
        r.pop("seconds")
        r["symbolic"].pop("seconds")
        r["training"].pop("seconds", None)
    return document


@pytest.mark.parametrize("seed", [0, 5])
def test_the_same_seed_gives_the_same_output(tmp_path, seed):
    a, b = tmp_path / "a.json", tmp_path / "b.json"
    for path in (a, b):
        main(["verify", "l1-soft-threshold", "early-stopping", "--quick", "--seed", str(seed), "--json", str(path)])
    assert _stable(json.loads(a.read_text())) == _stable(json.loads(b.read_text()))


def test_verify_reports_its_wall_time_beside_the_summed_claim_time(capsys):
    assert main(["verify", "xor", "--quick", "--jobs", "1"]) == 0
    err = capsys.readouterr().err
    assert re.search(r"; \d+\.\d s wall time \(\d+\.\d s of claim time in 1 job\)", err), err
