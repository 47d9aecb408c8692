"""The Prometheus configuration, alert and recording rules of deploy/prometheus, checked by
promtool (Debian's ``prometheus`` package; ``.ci/run`` installs it where it is missing):

- ``promtool check config`` on prometheus.yml with the rule files it loads in a container;
- ``promtool check rules`` on every rule file, and a broken one shown to fail;
- ``promtool test rules`` on deploy/prometheus/tests/*.yml, the alerts' unit tests;
- every alert has a severity, a summary and a runbook section in docs/runbook.md, and unit tests
  in which it fires and in which it must not.

Without promtool these tests fail. Only ``SUPERVISION_SKIP_PROMTOOL=1`` turns them into skips,
for a machine that cannot install it; CI never sets it.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[2]
PROMETHEUS_DIR = ROOT / "deploy" / "prometheus"
PROMETHEUS_CONFIG = PROMETHEUS_DIR / "prometheus.yml"
RULE_FILES = sorted((PROMETHEUS_DIR / "rules").glob("*.yml"))
RULE_TESTS = sorted((PROMETHEUS_DIR / "tests").glob("*.yml"))
RUNBOOK = ROOT / "docs" / "runbook.md"
SEVERITIES = {"critical", "warning", "info"}
SKIP_VARIABLE = "SUPERVISION_SKIP_PROMTOOL"


def promtool() -> str:
    found = shutil.which("promtool")
    if found is not None:
        return found
    message = ("promtool is missing: it comes with Debian's prometheus package "
               "(apt-get install --no-install-recommends prometheus; .ci/run installs it)")
    if os.environ.get(SKIP_VARIABLE) == "1":
        pytest.skip(f"{message}; skipped because {SKIP_VARIABLE}=1")
    pytest.fail(f"{message}. Set {SKIP_VARIABLE}=1 to skip these checks on a machine without it.")


def run(args: list, **kwargs) -> subprocess.CompletedProcess:
    return subprocess.run([str(arg) for arg in args], capture_output=True, text=True, timeout=120, check=False,
                          **kwargs)


def alerts() -> dict[str, dict]:
    found: dict[str, dict] = {}
    for path in RULE_FILES:
        for group in yaml.safe_load(path.read_text(encoding="utf-8"))["groups"]:
            for rule in group["rules"]:
                if "alert" in rule:
                    assert rule["alert"] not in found, f"{rule['alert']} is defined twice"
                    found[rule["alert"]] = rule
    return found


def test_there_are_rule_files_and_unit_tests():
    assert {path.name for path in RULE_FILES} >= {"alerts.yml", "recording.yml"}
    assert RULE_TESTS, "deploy/prometheus/tests/ has no unit tests of the rules"


def test_promtool_checks_the_config_with_its_rule_files(tmp_path):
    config = yaml.safe_load(PROMETHEUS_CONFIG.read_text(encoding="utf-8"))
    assert config["rule_files"] == ["/etc/prometheus/rules/*.yml"], "docker-compose.yml mounts the rules there"
    config["rule_files"] = [str(PROMETHEUS_DIR / "rules" / "*.yml")]
    (tmp_path / "prometheus.yml").write_text(yaml.safe_dump(config), encoding="utf-8")
    result = run([promtool(), "check", "config", tmp_path / "prometheus.yml"])
    assert result.returncode == 0, result.stdout + result.stderr
    for path in RULE_FILES:
        assert path.name in result.stdout + result.stderr, f"promtool did not check {path.name}"


def test_promtool_checks_the_rules():
    result = run([promtool(), "check", "rules", *RULE_FILES])
    assert result.returncode == 0, result.stdout + result.stderr


def test_promtool_rejects_a_broken_rule(tmp_path):
    text = (PROMETHEUS_DIR / "rules" / "alerts.yml").read_text(encoding="utf-8")
    broken = text.replace("== 0", "== = 0", 1)
    assert broken != text
    (tmp_path / "alerts.yml").write_text(broken, encoding="utf-8")
    result = run([promtool(), "check", "rules", tmp_path / "alerts.yml"])
    assert result.returncode != 0


def test_the_alerts_unit_tests_pass():
    result = run([promtool(), "test", "rules", *RULE_TESTS], cwd=PROMETHEUS_DIR)
    assert result.returncode == 0, result.stdout + result.stderr


def test_a_failing_alert_unit_test_fails(tmp_path):
    """The unit tests can fail: an expectation no series meets is reported."""
    test = {
        "rule_files": [str(PROMETHEUS_DIR / "rules" / "alerts.yml")],
        "evaluation_interval": "1m",
        "tests": [{
            "interval": "1m",
            "input_series": [{"series": 'up{job="workflow", instance="w"}', "values": "1x10"}],
            "alert_rule_test": [{"eval_time": "8m", "alertname": "ServiceDown",
                                 "exp_alerts": [{"exp_labels": {"severity": "critical", "job": "workflow",
                                                                "instance": "w"}}]}],
        }],
    }
    (tmp_path / "failing_test.yml").write_text(yaml.safe_dump(test), encoding="utf-8")
    result = run([promtool(), "test", "rules", tmp_path / "failing_test.yml"])
    assert result.returncode != 0 and "FAILED" in result.stdout + result.stderr


def _anchor(heading: str) -> str:
    """GitHub's anchor of a Markdown heading."""
    return re.sub(r"[^\w\- ]", "", heading.strip().lower()).replace(" ", "-")


def test_every_alert_has_a_severity_a_summary_and_a_runbook_section():
    runbook = RUNBOOK.read_text(encoding="utf-8")
    anchors = {_anchor(line.lstrip("#")) for line in runbook.splitlines() if line.startswith("#")}
    for name, rule in alerts().items():
        assert rule.get("labels", {}).get("severity") in SEVERITIES, f"{name}: severity one of {sorted(SEVERITIES)}"
        annotations = rule.get("annotations", {})
        assert annotations.get("summary"), f"{name} has no summary"
        runbook_url = annotations.get("runbook_url", "")
        assert runbook_url == f"docs/runbook.md#{name.lower()}", f"{name}: runbook_url docs/runbook.md#{name.lower()}"
        assert name.lower() in anchors, f"docs/runbook.md has no section '## {name}'"


def test_every_alert_has_unit_tests_where_it_fires_and_where_it_must_not():
    fires: set[str] = set()
    stays_quiet: set[str] = set()
    for path in RULE_TESTS:
        for test in yaml.safe_load(path.read_text(encoding="utf-8"))["tests"]:
            for case in test.get("alert_rule_test", []):
                (fires if case.get("exp_alerts") else stays_quiet).add(case["alertname"])
    names = set(alerts())
    assert not names - fires, f"no unit test where these alerts fire: {sorted(names - fires)}"
    assert not names - stays_quiet, f"no unit test where these alerts must stay quiet: {sorted(names - stays_quiet)}"
