"""Every metric an alert, a recording rule or the dashboard names is one the platform exports.

The platform is started once (the e2e ``platform`` fixture), each service's ``/metrics`` and the
gateway's are scraped, and the metric names of every expression in deploy/prometheus/rules and
deploy/grafana/dashboards are looked up among them: a histogram by its ``_bucket``/``_sum``/
``_count``, a counter by ``_total``; what a recording rule records counts as defined. A metric is
exported from the process's start (its ``# TYPE`` line), before anything has been counted.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import httpx
import pytest
import yaml
from prometheus_client.parser import text_string_to_metric_families

pytestmark = pytest.mark.e2e

ROOT = Path(__file__).resolve().parents[2]
RULE_FILES = sorted((ROOT / "deploy" / "prometheus" / "rules").glob("*.yml"))
DASHBOARDS = sorted((ROOT / "deploy" / "grafana" / "dashboards").glob("*.json"))
# Series Prometheus makes itself for every target.
PROMETHEUS_OWN = {"up", "scrape_duration_seconds", "scrape_samples_scraped", "scrape_samples_post_metric_relabeling",
                  "scrape_series_added"}
KEYWORDS = {"by", "without", "on", "ignoring", "group_left", "group_right", "and", "or", "unless", "offset", "bool",
            "inf", "nan", "atan2"}
SUFFIXES = {
    "counter": ("_total", "_created"),
    "histogram": ("_bucket", "_sum", "_count", "_created"),
    "summary": ("", "_sum", "_count", "_created"),
    "gauge": ("",),
    "info": ("_info",),
    "unknown": ("",),
}


def metric_names(expr: str) -> set[str]:
    """The metric names a PromQL expression reads."""
    text = re.sub(r'"(?:[^"\\]|\\.)*"', '""', expr)  # label values and strings
    text = re.sub(r"\{[^}]*\}", " ", text)  # label matchers
    text = re.sub(r"\[[^\]]*\]", " ", text)  # ranges and subqueries
    text = re.sub(r"\b(?:by|without|on|ignoring|group_left|group_right)\s*\([^)]*\)", " ", text)  # label lists
    text = re.sub(r"\boffset\s+-?\w+", " ", text)
    names = set()
    for match in re.finditer(r"(?<![\w:$.])([a-zA-Z_:][a-zA-Z0-9_:]*)", text):
        name = match.group(1)
        following = text[match.end():].lstrip()
        if following.startswith("(") or name.lower() in KEYWORDS:
            continue  # a function or an operator
        names.add(name)
    return names


def rule_expressions() -> tuple[dict[str, str], set[str]]:
    """``{where: expr}`` of every rule, and the names the recording rules define."""
    exprs, recorded = {}, set()
    for path in RULE_FILES:
        for group in yaml.safe_load(path.read_text(encoding="utf-8"))["groups"]:
            for rule in group["rules"]:
                name = rule.get("alert") or rule.get("record")
                exprs[f"{path.name}: {name}"] = rule["expr"]
                if "record" in rule:
                    recorded.add(rule["record"])
    return exprs, recorded


def dashboard_expressions() -> dict[str, str]:
    exprs = {}
    for path in DASHBOARDS:
        for panel in json.loads(path.read_text(encoding="utf-8"))["panels"]:
            for target in panel.get("targets", []):
                exprs[f"{path.name}: {panel['title']} ({target['refId']})"] = target["expr"]
    return exprs


def exported_names(text: str) -> set[str]:
    names = set()
    for family in text_string_to_metric_families(text):
        names |= {family.name + suffix for suffix in SUFFIXES.get(family.type, ("",))}
        names |= {sample.name for sample in family.samples}
    return names


def test_the_name_finder_reads_promql():
    assert metric_names('sum by (service) (rate(a_total{outcome=~"x|y"}[5m] offset 1w)) / ignoring(x) b:c:rate5m'
                        ' > 0 and on (le) histogram_quantile(0.9, d_bucket) or vector(0) - time()') == {
        "a_total", "b:c:rate5m", "d_bucket"}
    assert metric_names("absent(up{job=\"workflow\"}) or max(x_seconds) > 1e3") == {"up", "x_seconds"}


def test_every_metric_named_by_a_rule_or_the_dashboard_is_exported(platform):
    urls = {**platform["metrics_urls"], "gateway": f"{platform['base_url']}/metrics"}
    assert len(urls) >= 6, urls
    exported: dict[str, set[str]] = {}
    for service, url in urls.items():
        answer = httpx.get(url, timeout=10)
        assert answer.status_code == 200, f"{service}: GET {url} answered {answer.status_code}"
        exported[service] = exported_names(answer.text)
    everywhere = set().union(*exported.values())

    exprs, recorded = rule_expressions()
    exprs.update(dashboard_expressions())
    assert exprs and recorded
    known = everywhere | recorded | PROMETHEUS_OWN
    unknown = {where: sorted(metric_names(expr) - known) for where, expr in exprs.items()}
    unknown = {where: names for where, names in unknown.items() if names}
    assert not unknown, "no service exports these metrics:\n" + "\n".join(
        f"  {where}: {', '.join(names)}" for where, names in sorted(unknown.items()))
    # The checker itself: a name nobody exports is caught.
    assert metric_names('rate(supervision_no_such_thing_total{service="x"}[5m])') - known == {
        "supervision_no_such_thing_total"}
