"""The rule index (scripts/rules.py, docs/articles.md): current, and built on citations that hold.

It fails when docs/articles.md is stale (run `.venv/bin/python scripts/rules.py --write`), when
a setting names no article, when code cites an article the regulation does not have, and when a
domain module or function hides its articles from the index (which reads docstrings)."""

from __future__ import annotations

import difflib
import importlib.util
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


def _load_generator():
    spec = importlib.util.spec_from_file_location("supervision_rule_index", ROOT / "scripts" / "rules.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


rules = _load_generator()


@pytest.fixture(scope="module")
def index():
    if not rules.REGULATION.exists():
        pytest.fail(f"the regulation is not at {rules.REGULATION}: ../shared must lie beside the project")
    return rules.build()


def test_docs_articles_md_is_current(index):
    expected = rules.render(index).encode("utf-8")
    current = rules.INDEX.read_bytes() if rules.INDEX.exists() else b""
    if current != expected:
        diff = "".join(difflib.unified_diff(current.decode("utf-8").splitlines(keepends=True),
                                            expected.decode("utf-8").splitlines(keepends=True),
                                            "docs/articles.md", "scripts/rules.py", n=1))
        pytest.fail("docs/articles.md is stale: run `.venv/bin/python scripts/rules.py --write`\n" + diff[:6000])


def test_every_setting_names_an_article_of_the_regulation(index):
    assert index.settings, "no RuleSettings class found in services/*/*/domain/rules.py"
    assert rules.settings_without_article(index) == []


def test_every_article_cited_in_the_code_is_in_the_regulation(index):
    assert rules.unknown_citations(index) == []


def test_domain_modules_and_functions_name_their_articles_in_docstrings(index):
    assert rules.undocumented_articles(index) == []


def test_every_article_is_listed_once_in_order(index):
    text = rules.render(index)
    headings = [line for line in text.splitlines() if line.startswith("## Art. ")]
    assert [int(line.split()[2]) for line in headings] == [a.number for a in index.articles]
    assert [a.number for a in index.articles] == list(range(1, len(index.articles) + 1))


def test_every_rule_id_of_the_domain_is_in_the_index(index):
    text = rules.render(index)
    ids = {rule.rule_id for rule in index.rules if rule.kind in ("warning", "deadline")}
    assert {"art45.notice-rectification", "art42.monthly-rate", "art31.acceptance.government-small"} <= ids
    assert all(f"`{rule_id}`" in text for rule_id in ids)
    deadline = next(rule for rule in index.rules if rule.rule_id == "art45.notice-verification")
    assert (deadline.kind, deadline.articles, deadline.settings) == ("deadline", [45, 23], ["notice_verification_days"])


def test_check_fails_with_a_diff_on_a_stale_file(tmp_path, capsys):
    stale = tmp_path / "articles.md"
    stale.write_text("# an old index\n", encoding="utf-8")
    assert rules.main(["--check", "--file", str(stale)]) == 1
    captured = capsys.readouterr()
    assert "-# an old index" in captured.out and "+## Art. 1 " in captured.out
    assert "--write" in captured.err
    assert rules.main(["--write", "--file", str(stale)]) == 0
    assert rules.main(["--check", "--file", str(stale)]) == 0


@pytest.mark.parametrize(("text", "articles"), [
    ("Art. 26", [26]),
    ("(Art. 22–23, 45–46)", [22, 23, 45, 46]),
    ("Art. 27(2), 41: the penalty", [27, 41]),
    ("Art. 16-19", [16, 17, 18, 19]),
    ("Art. 31, 32 and Art. 8", [31, 32, 8]),
    ("no article here; Artefact 3", []),
])
def test_citations(text, articles):
    assert rules.cited(text) == articles


@pytest.mark.parametrize(("numeral", "number"), [("一", 1), ("十", 10), ("十二", 12), ("二十", 20), ("五十二", 52)])
def test_chinese_numbers(numeral, number):
    assert rules.chinese_number(numeral) == number
