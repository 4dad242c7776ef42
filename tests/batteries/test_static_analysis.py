"""Static analysis battery: bandit over our code, pip-audit over the pinned dependencies.

Rerun by hand:
    .venv/bin/bandit -r advocacy analytics content_library control draws guidelines leaderboard \\
        metrics notifications sharing sso -ll -x '*/migrations/*'
    .venv/bin/pip-audit -r requirements/base.txt -r requirements/dev.txt --no-deps --disable-pip
pip-audit asks a vulnerability service (PyPI's JSON API by default, or OSV with -s osv); without
one it cannot say anything, so that test skips and says why.
"""

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

BASE_DIR = Path(__file__).resolve().parents[2]
BIN = Path(sys.executable).parent
OUR_CODE = (
    "advocacy",
    "analytics",
    "content_library",
    "control",
    "draws",
    "guidelines",
    "leaderboard",
    "metrics",
    "notifications",
    "sharing",
    "sso",
)


def _tool(name: str) -> str:
    path = BIN / name
    if path.exists():
        return str(path)
    found = shutil.which(name)
    if not found:
        pytest.fail(f"{name} is not installed: .venv/bin/pip install -r requirements/dev.txt", pytrace=False)
    return found


def test_bandit_finds_nothing_of_medium_or_high_severity(tmp_path):
    report = tmp_path / "bandit.json"
    subprocess.run(
        [_tool("bandit"), "-r", *OUR_CODE, "-ll", "-x", "*/migrations/*", "-q", "-f", "json", "-o", str(report)],
        cwd=BASE_DIR,
        capture_output=True,
        text=True,
        timeout=300,
    )
    results = json.loads(report.read_text())
    assert results["metrics"]["_totals"]["loc"] > 10_000, "bandit scanned far less code than the project has"
    findings = [
        f"{item['filename']}:{item['line_number']} {item['test_id']} {item['issue_severity']}: {item['issue_text']}"
        for item in results["results"]
    ]
    assert findings == [], "\n".join(findings)


def test_bandit_would_catch_an_obvious_problem(tmp_path):
    # The run above is only worth something if bandit, as configured, reports this.
    (tmp_path / "bad.py").write_text("import subprocess\nsubprocess.call(input(), shell=True)\n")
    result = subprocess.run(
        [_tool("bandit"), "-r", str(tmp_path), "-ll", "-q", "-f", "json"],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert [item["test_id"] for item in json.loads(result.stdout)["results"]] == ["B602"]


def test_pip_audit_knows_of_no_vulnerability_in_the_pinned_dependencies():
    command = [
        _tool("pip-audit"),
        *("-r", "requirements/base.txt", "-r", "requirements/dev.txt"),
        *("--no-deps", "--disable-pip", "--progress-spinner", "off", "-f", "json"),
    ]
    result = subprocess.run(command, cwd=BASE_DIR, capture_output=True, text=True, timeout=300)
    try:
        report = json.loads(result.stdout)
    except json.JSONDecodeError:
        if "ConnectionError" in result.stderr or "Failed to resolve" in result.stderr:
            pytest.skip("pip-audit could not reach a vulnerability service (no internet); see the module docstring")
        raise AssertionError(f"pip-audit failed:\n{result.stderr[-3000:]}") from None
    dependencies = report["dependencies"]
    audited = [dep for dep in dependencies if "skip_reason" not in dep]
    if not audited:
        pytest.skip(
            "pip-audit reached no advisory database: every dependency came back unaudited "
            f"({dependencies[0].get('skip_reason', '')!r} …); run it where PyPI's JSON API or OSV is reachable"
        )
    vulnerable = [
        f"{dep['name']} {dep['version']}: {[v['id'] for v in dep['vulns']]}" for dep in audited if dep["vulns"]
    ]
    assert vulnerable == [], "\n".join(vulnerable)
