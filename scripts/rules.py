"""The rule index: for every article of the regulation, what enforces it.

    .venv/bin/python scripts/rules.py            # print the index (`make rules`)
    .venv/bin/python scripts/rules.py --write    # rewrite docs/articles.md
    .venv/bin/python scripts/rules.py --check    # exit 1 with a diff when docs/articles.md is stale

Everything comes from the text and the code, nothing from a hand-kept table:

- the articles, in order, from ``../shared/seed/regulation.zh.txt`` (第一条…), each with its
  chapter and its opening words, and its topic from the section headings of
  ``../shared/design/rules.md`` that name it;
- the domain functions and classes (``services/*/*/domain/*.py``, read with ``ast``, never
  imported) whose docstrings or decorators name articles ("Art. 26", "Art. 31–32",
  "Art. 27(2), 41"), with the settings they read (``rules.<field>``);
- the rule ids: the module constants of the domain spelled ``art<N>.<name>`` (warning and
  deadline rules; a deadline rule is one built by a ``DeadlineRule(...)`` call, whose article
  and summary are read from that call) and the enum members of the domain whose line names
  an article (check-in rejection reasons);
- the settings: the fields of each service's ``RuleSettings`` class in ``domain/rules.py``,
  as ``common.rule_settings.describe_rules`` reports them (default, article, meaning).

Only the plan for what is not built yet (``PLANNED``) is written here by hand: it mirrors the
open issues that will bring the missing services.
"""

from __future__ import annotations

import argparse
import ast
import difflib
import importlib
import io
import re
import sys
import tokenize
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SHARED = ROOT.parent / "shared"
REGULATION = SHARED / "seed" / "regulation.zh.txt"
RULES_MD = SHARED / "design" / "rules.md"
INDEX = ROOT / "docs" / "articles.md"
SERVICES = ROOT / "services"


@dataclass(frozen=True)
class Planned:
    issue: str
    services: str
    what: str
    articles: str  # a citation, e.g. "Art. 8, 10–13"


# The services that do not exist yet, and the articles their issues say they implement.
PLANNED = (
    Planned("issue 9", "services/complaints, services/notification",
            "cases (complaint window, warning disposal down the four-level chain) and notifications",
            "Art. 8, 10–13, 29–30, 49"),
    Planned("issue 10", "services/scoring",
            "scoring (rule sets, ledger, annual composites, five-colour code, score feed)",
            "Art. 4, 7, 37, 39–49"),
)
# Chapters whose articles state purpose, scope and entry into force: nothing to enforce.
GENERAL_CHAPTERS = ("总则", "附则")


# --- citations ------------------------------------------------------------------------------------

_NUMBER = r"\d+(?:\(\d+\))?"
_PART = rf"{_NUMBER}(?:\s*[–-]\s*{_NUMBER})?"
CITATION = re.compile(rf"\bArt\.\s*({_PART}(?:\s*,\s*{_PART})*)")
RULE_ID = re.compile(r"^art(\d+)\.[a-z0-9][a-z0-9.-]*$")


def cited(text: str | None) -> list[int]:
    """The article numbers a text cites, in order of appearance, each once: "Art. 22–23, 45"
    gives 22, 23, 45; a paragraph "Art. 27(2)" gives 27."""
    found: list[int] = []
    for match in CITATION.finditer(text or ""):
        for part in match.group(1).split(","):
            bounds = [int(re.sub(r"\(\d+\)", "", end).strip()) for end in re.split(r"[–-]", part)]
            for number in range(bounds[0], bounds[-1] + 1):
                if number not in found:
                    found.append(number)
    return found


# --- the regulation -------------------------------------------------------------------------------

_DIGITS = {"零": 0, "一": 1, "二": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8, "九": 9}


def chinese_number(text: str) -> int:
    """一…九十九: 十 = 10, 十二 = 12, 二十 = 20, 五十二 = 52."""
    if "十" not in text:
        return _DIGITS[text]
    tens, _, units = text.partition("十")
    return (_DIGITS[tens] if tens else 1) * 10 + (_DIGITS[units] if units else 0)


@dataclass
class Article:
    number: int
    label: str  # 第二十六条
    chapter: str  # 第五章 平台管理
    text: str
    topics: list[str] = field(default_factory=list)

    @property
    def gist(self) -> str:
        """The article's opening words: up to its first comma or full stop, at most 40 characters."""
        head = re.split(r"[，；。：]", self.text, maxsplit=1)[0].strip()
        return head if len(head) <= 40 else head[:39] + "…"

    @property
    def general(self) -> bool:
        return any(self.chapter.endswith(name) for name in GENERAL_CHAPTERS)


ARTICLE_LINE = re.compile(r"^第([零一二三四五六七八九十]+)条\s*(.*)$")
CHAPTER_LINE = re.compile(r"^第([零一二三四五六七八九十]+)章\s*(.*)$")


def read_regulation(path: Path = REGULATION) -> list[Article]:
    """Every article in order, with its chapter; the lines after an article (its paragraphs
    (一), (二)…) belong to it."""
    articles: list[Article] = []
    chapter = ""
    for raw in path.read_text(encoding="utf-8").splitlines():
        line = raw.strip()
        if not line:
            continue
        if match := CHAPTER_LINE.match(line):
            chapter = f"第{match.group(1)}章 {match.group(2).strip()}"
        elif match := ARTICLE_LINE.match(line):
            number = chinese_number(match.group(1))
            if number != len(articles) + 1:
                raise ValueError(f"{path}: {line[:12]}… follows article {len(articles)}")
            articles.append(Article(number, f"第{match.group(1)}条", chapter, match.group(2).strip()))
        elif articles:
            articles[-1].text += "\n" + line
    if not articles:
        raise ValueError(f"{path}: no article (第一条…) found")
    return articles


def read_topics(articles: list[Article], path: Path = RULES_MD) -> None:
    """Each article's topics: the rules.md sections whose heading names it, or else the sections
    whose text names it."""
    in_heading: dict[int, list[str]] = defaultdict(list)
    in_body: dict[int, list[str]] = defaultdict(list)
    title, body = None, []

    def close() -> None:
        if title is None:
            return
        heading_articles = cited(title)
        name = re.sub(r"\s*\(.*\)\s*$", "", title).strip()
        for number in heading_articles:
            in_heading[number].append(name)
        for number in cited("\n".join(body)):
            if number not in heading_articles and name not in in_body[number]:
                in_body[number].append(name)

    for line in path.read_text(encoding="utf-8").splitlines():
        if line.startswith("## "):
            close()
            title, body = line[3:].strip(), []
        elif title is not None:
            body.append(line)
    close()
    for article in articles:
        article.topics = in_heading.get(article.number) or in_body.get(article.number, [])


# --- the domain -------------------------------------------------------------------------------------


def summary(doc: str | None, limit: int = 140) -> str:
    """A docstring's first sentence, on one line."""
    if not doc:
        return ""
    first = " ".join(doc.strip().split("\n\n")[0].split())
    first = re.sub(r":(?:func|class|mod|meth|attr|data):`~?([^`]+)`", r"`\1`", first).replace("``", "`")
    match = re.search(r"(?<=[.!?])\s+(?=[A-Z(\"`])", first)
    if match:
        first = first[: match.start()]
    return first if len(first) <= limit else first[: limit - 1].rstrip() + "…"


@dataclass
class Definition:
    """A function, method or class of a domain module."""

    module: str
    qualname: str
    doc: str | None
    articles: list[int]  # named by its docstring or decorators
    body_articles: list[int]  # named anywhere else in it (messages, comments)
    settings: list[str]  # rules.<field> it reads
    refs: set[tuple[str, str]]  # (module, name) of module constants and Class.MEMBER it uses
    codes: list[str] = field(default_factory=list)  # an enum's member values
    is_class: bool = False

    @property
    def ref(self) -> str:
        return f"{self.module}:{self.qualname}"


@dataclass
class Rule:
    rule_id: str
    kind: str  # "warning", "deadline", or "code" (an enum member that names its article)
    module: str
    name: str  # the constant or Class.MEMBER
    articles: list[int]
    summary: str = ""
    must_act: str = ""
    settings: list[str] = field(default_factory=list)
    defined_by: list[str] = field(default_factory=list)
    used_by: list[str] = field(default_factory=list)


@dataclass
class Module:
    name: str
    path: Path
    doc: str | None
    articles: list[int]
    definitions: list[Definition]
    rules: list[Rule]
    aliases: dict[str, str]  # local name -> module, for `from x import y as z` of modules
    imported: dict[str, tuple[str, str]]  # local name -> (module, name)


def _comments(source: str) -> dict[int, str]:
    comments: dict[int, str] = {}
    for token in tokenize.generate_tokens(io.StringIO(source).readline):
        if token.type == tokenize.COMMENT:
            comments[token.start[0]] = token.string.lstrip("#").strip()
    return comments


def _strings(node: ast.AST, skip: ast.AST | None = None) -> list[str]:
    return [sub.value for sub in ast.walk(node)
            if isinstance(sub, ast.Constant) and isinstance(sub.value, str) and sub is not skip]


def _docstring_node(node: ast.AST) -> ast.AST | None:
    body = getattr(node, "body", [])
    if body and isinstance(body[0], ast.Expr) and isinstance(body[0].value, ast.Constant) \
            and isinstance(body[0].value.value, str):
        return body[0].value
    return None


def _settings_read(node: ast.AST, fields: set[str]) -> list[str]:
    found: list[str] = []
    for sub in ast.walk(node):
        if isinstance(sub, ast.Attribute) and isinstance(sub.value, ast.Name) and sub.value.id == "rules" \
                and sub.attr in fields and sub.attr not in found:
            found.append(sub.attr)
    return found


def _imports(tree: ast.Module, known_modules: set[str]) -> tuple[dict[str, str], dict[str, tuple[str, str]]]:
    aliases: dict[str, str] = {}
    imported: dict[str, tuple[str, str]] = {}
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module and not node.level:
            for alias in node.names:
                full = f"{node.module}.{alias.name}"
                if full in known_modules:
                    aliases[alias.asname or alias.name] = full
                elif node.module in known_modules:
                    imported[alias.asname or alias.name] = (node.module, alias.name)
        elif isinstance(node, ast.Import):
            for alias in node.names:
                if alias.name in known_modules and alias.asname:
                    aliases[alias.asname] = alias.name
    return aliases, imported


def _refs(node: ast.AST, module: str, aliases: dict[str, str], imported: dict[str, tuple[str, str]],
          local_classes: set[str]) -> set[tuple[str, str]]:
    refs: set[tuple[str, str]] = set()
    for sub in ast.walk(node):
        if isinstance(sub, ast.Name):
            refs.add(imported.get(sub.id, (module, sub.id)))
        elif isinstance(sub, ast.Attribute) and isinstance(sub.value, ast.Name):
            owner = sub.value.id
            if owner in aliases:
                refs.add((aliases[owner], sub.attr))
            elif owner in local_classes:
                refs.add((module, f"{owner}.{sub.attr}"))
            elif owner in imported:
                source, name = imported[owner]
                refs.add((source, f"{name}.{sub.attr}"))
    return refs


def _is_enum(node: ast.ClassDef) -> bool:
    return any((isinstance(base, ast.Name) and base.id.endswith("Enum"))
               or (isinstance(base, ast.Attribute) and base.attr.endswith("Enum")) for base in node.bases)


def scan_module(path: Path, name: str, fields: set[str], known_modules: set[str]) -> Module:
    source = path.read_text(encoding="utf-8")
    tree = ast.parse(source, filename=str(path))
    comments = _comments(source)
    aliases, imported = _imports(tree, known_modules)
    local_classes = {node.name for node in tree.body if isinstance(node, ast.ClassDef)}
    definitions: list[Definition] = []
    rules: list[Rule] = []

    def define(node: ast.AST, qualname: str) -> Definition:
        doc = ast.get_docstring(node)
        decorators = " ".join(" ".join(_strings(item)) for item in getattr(node, "decorator_list", []))
        articles = cited(doc) + [n for n in cited(decorators) if n not in cited(doc)]
        doc_node = _docstring_node(node)
        inside = [*_strings(node, doc_node)]
        end = getattr(node, "end_lineno", node.lineno)
        inside += [text for line, text in comments.items() if node.lineno <= line <= end]
        body_articles = [n for n in cited("\n".join(inside)) if n not in articles]
        return Definition(name, qualname, doc, articles, body_articles, _settings_read(node, fields),
                          _refs(node, name, aliases, imported, local_classes), is_class=isinstance(node, ast.ClassDef))

    for node in tree.body:
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
            definitions.append(define(node, node.name))
        elif isinstance(node, ast.ClassDef):
            cls = define(node, node.name)
            definitions.append(cls)
            label = summary(cls.doc) or node.name
            for item in node.body:
                if isinstance(item, ast.FunctionDef | ast.AsyncFunctionDef):
                    definitions.append(define(item, f"{node.name}.{item.name}"))
                elif (_is_enum(node) and isinstance(item, ast.Assign) and len(item.targets) == 1
                      and isinstance(item.targets[0], ast.Name) and isinstance(item.value, ast.Constant)
                      and isinstance(item.value.value, str)):
                    cls.codes.append(item.value.value)
                    own = cited(comments.get(item.lineno))
                    if own:
                        rules.append(Rule(item.value.value, "code", name,
                                          f"{node.name}.{item.targets[0].id}", own, summary=label))
        elif isinstance(node, ast.Assign) and len(node.targets) == 1 and isinstance(node.targets[0], ast.Name) \
                and isinstance(node.value, ast.Constant) and isinstance(node.value.value, str):
            match = RULE_ID.match(node.value.value)
            if match:
                above = []
                line = node.lineno - 1
                while line in comments and source.splitlines()[line - 1].lstrip().startswith("#"):
                    above.insert(0, comments[line])
                    line -= 1
                text = " ".join(above)
                rules.append(Rule(node.value.value, "warning", name, node.targets[0].id, [int(match.group(1))],
                                  summary=summary(re.sub(r"^Art\.[^:]*:\s*", "", text)) if text else ""))

    # A rule constant given to a call (a catalogue entry, a warning) takes that call's articles,
    # its summary and role, and the settings its figures come from.
    by_constant = {rule.name: rule for rule in rules if "." not in rule.name}
    for function in (node for node in tree.body if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef)):
        for call in (sub for sub in ast.walk(function) if isinstance(sub, ast.Call)):
            arguments = [*call.args, *(keyword.value for keyword in call.keywords)]
            named = [by_constant[arg.id] for arg in arguments if isinstance(arg, ast.Name) and arg.id in by_constant]
            if len(named) != 1:
                continue
            rule = named[0]
            texts = [arg.value for arg in arguments if isinstance(arg, ast.Constant) and isinstance(arg.value, str)]
            for text in texts:
                rule.articles += [n for n in cited(text) if n not in rule.articles]
            plain = [text for text in texts if not cited(text)]
            callee = call.func.id if isinstance(call.func, ast.Name) else getattr(call.func, "attr", "")
            if callee == "DeadlineRule":
                rule.kind = "deadline"
                if len(plain) >= 2:
                    rule.summary, rule.must_act = plain[0], plain[1]
            rule.settings += [s for s in _settings_read(call, fields) if s not in rule.settings]
            if function.name not in rule.defined_by:
                rule.defined_by.append(function.name)
    doc = ast.get_docstring(tree)
    return Module(name, path, doc, cited(doc), definitions, rules, aliases, imported)


# --- the settings -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Setting:
    service: str
    cls: str
    name: str
    default: object
    article: str | None
    articles: tuple[int, ...]
    description: str


def settings_classes() -> list[tuple[str, type]]:
    """Each service's RuleSettings subclasses, from its domain/rules.py."""
    for service in sorted(SERVICES.iterdir()):
        if (service / service.name / "domain" / "rules.py").exists() and str(service) not in sys.path:
            sys.path.insert(0, str(service))
    if str(ROOT / "libs" / "common") not in sys.path:
        sys.path.insert(0, str(ROOT / "libs" / "common"))
    from common.rule_settings import RuleSettings

    found = []
    for path in sorted(SERVICES.glob("*/*/domain/rules.py")):
        module = importlib.import_module(f"{path.parent.parent.name}.domain.rules")
        for value in vars(module).values():
            if isinstance(value, type) and issubclass(value, RuleSettings) and value is not RuleSettings \
                    and value.__module__ == module.__name__:
                found.append((path.parent.parent.name, value))
    return found


def read_settings() -> list[Setting]:
    from common.rule_settings import describe_rules

    settings = []
    for service, cls in settings_classes():
        for name, described in describe_rules(cls()).items():
            settings.append(Setting(service, cls.__name__, name, described["default"], described["article"],
                                    tuple(cited(described["article"])), described["description"] or ""))
    return settings


# --- the index --------------------------------------------------------------------------------------


@dataclass
class Index:
    articles: list[Article]
    modules: list[Module]
    settings: list[Setting]

    @property
    def rules(self) -> list[Rule]:
        return [rule for module in self.modules for rule in module.rules]

    @property
    def definitions(self) -> list[Definition]:
        return [definition for module in self.modules for definition in module.definitions]


def domain_modules() -> list[tuple[str, Path]]:
    return [(f"{path.parent.parent.name}.domain.{path.stem}", path)
            for path in sorted(SERVICES.glob("*/*/domain/*.py")) if path.stem != "__init__"]


def build(regulation: Path = REGULATION, rules_md: Path = RULES_MD) -> Index:
    articles = read_regulation(regulation)
    read_topics(articles, rules_md)
    settings = read_settings()
    fields_of: dict[str, set[str]] = defaultdict(set)
    for setting in settings:
        fields_of[setting.service].add(setting.name)
    found = domain_modules()
    known = {name for name, _ in found}
    modules = [scan_module(path, name, fields_of[name.split(".")[0]], known) for name, path in found]
    # Who uses each rule: the functions whose code refers to it, or whose docstring names a
    # warning or deadline rule by its id or its constant.
    definitions = [definition for module in modules for definition in module.definitions]
    for rule in (rule for module in modules for rule in module.rules):
        named = re.compile(rf"(?<![\w.-])({re.escape(rule.rule_id)}|{re.escape(rule.name)})(?![\w-])")
        for definition in definitions:
            if definition.codes or definition.ref in rule.used_by or (
                    definition.module == rule.module and definition.qualname in rule.defined_by):
                continue
            if (rule.module, rule.name) in definition.refs or (
                    rule.kind in ("warning", "deadline") and named.search(definition.doc or "")):
                rule.used_by.append(definition.ref)
    return Index(articles, modules, settings)


def _value(value: object) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


HEADER = """\
# The regulation, article by article, and what enforces it

Generated by `scripts/rules.py`; do not edit. `make rules` prints it, `.venv/bin/python
scripts/rules.py --write` rewrites it, and `tests/test_rule_index.py` fails when it is stale.
The articles come from the regulation (`../shared/seed/regulation.zh.txt`, topics from the
headings of `../shared/design/rules.md`); what enforces them from the code: the docstrings of
`services/*/*/domain/*.py`, the rule ids defined there, and each service's `RuleSettings`
(`domain/rules.py`).

- **Rules**: the rule ids of `warning.raised` (a warning) and of the deadline engine (a
  deadline, which warns when its time runs out), and the codes a domain function answers with
  (a check-in's rejection reason).
- **Domain**: `module:function` (or a class); `workflow.domain.acceptance` is
  `services/workflow/workflow/domain/acceptance.py`. "Settings" are the ones it reads.
- **Settings**: `service.field` = default, changed through `PUT /admin/v1/settings/{service}`
  (Art. 8).
"""


def _plural(n: int, word: str) -> str:
    return f"{n} {word}" if n == 1 else f"{n} {word}s"


def _planned(number: int) -> list[Planned]:
    return [plan for plan in PLANNED if number in cited(plan.articles)]


def _status(article: Article, counts: dict[str, int], named_only: list[str]) -> str:
    """The index table's last column."""
    waiting = "; ".join(f"{plan.issue} ({plan.services})" for plan in _planned(article.number))
    if any(counts.values()):
        text = ", ".join(_plural(n, kind) for kind, n in counts.items() if n)
        return text + (f"; the rest waits for {waiting}" if waiting else "")
    if waiting:
        return f"**not yet**: waits for {waiting}"
    if article.general and not named_only:
        return f"general provision ({article.chapter}): nothing to enforce"
    return "**not enforced**; no open issue takes it"


def _rule_line(rule: Rule) -> str:
    if rule.kind not in ("warning", "deadline"):
        text = f"- `{rule.rule_id}` — code `{rule.module}:{rule.name}`"
        if rule.used_by:
            text += "; answered by " + ", ".join(f"`{ref}`" for ref in rule.used_by)
        return text
    text = f"- `{rule.rule_id}` — {rule.kind}"
    if rule.summary:
        text += f": {rule.summary.rstrip('.')}"
    if rule.must_act:
        text += f"; the {rule.must_act.replace('_', ' ')} acts"
    if rule.defined_by:
        text += "; defined in " + ", ".join(f"`{rule.module}:{name}`" for name in rule.defined_by)
    else:
        text += f"; defined as `{rule.module}:{rule.name}`"
    if rule.used_by:
        text += "; used by " + ", ".join(f"`{ref}`" for ref in rule.used_by)
    if rule.settings:
        text += "; settings " + ", ".join(f"`{name}`" for name in rule.settings)
    return text


def _definition_line(definition: Definition, number: int, setting_articles: dict[tuple[str, str], tuple]) -> str:
    text = f"- `{definition.ref}`"
    if definition.doc:
        text += f" — {summary(definition.doc)}"
    if definition.codes:
        text += " Codes: " + ", ".join(f"`{code}`" for code in definition.codes) + "."
    service = definition.module.split(".")[0]
    carried = [name for name in definition.settings if number in setting_articles.get((service, name), ())]
    if carried:
        text += " Settings: " + ", ".join(f"`{name}`" for name in carried) + "."
    return text


def render(index: Index) -> str:
    rules_of: dict[int, list[Rule]] = defaultdict(list)
    for rule in sorted(index.rules, key=lambda rule: (rule.kind not in ("warning", "deadline"), rule.rule_id)):
        for number in rule.articles:
            rules_of[number].append(rule)
    definitions_of: dict[int, list[Definition]] = defaultdict(list)
    for definition in index.definitions:
        for number in definition.articles:
            definitions_of[number].append(definition)
    settings_of: dict[int, list[Setting]] = defaultdict(list)
    for setting in index.settings:
        for number in setting.articles:
            settings_of[number].append(setting)
    setting_articles = {(setting.service, setting.name): setting.articles for setting in index.settings}
    modules_of: dict[int, list[str]] = defaultdict(list)
    for module in index.modules:
        for number in module.articles:
            modules_of[number].append(module.name)

    table = ["", "| Art. | 条 | topic | enforced by |", "|---|---|---|---|"]
    details: list[str] = []
    for article in index.articles:
        number = article.number
        rules, definitions, settings = rules_of[number], definitions_of[number], settings_of[number]
        named_only = [name for name in modules_of[number] if name not in {d.module for d in definitions}]
        counts = {"rule": len(rules), "function": len(definitions), "setting": len(settings)}
        status = _status(article, counts, named_only)
        table.append(f"| {number} | {article.label} | {'; '.join(article.topics) or article.chapter} | {status} |")

        title = f"Art. {number} · {article.label}" + (f" · {'; '.join(article.topics)}" if article.topics else "")
        details += ["", f"## {title}", "", f"{article.chapter} — {article.gist}"]
        if not any(counts.values()):
            if _planned(number):
                details += ["", "Not enforced yet."]
            else:
                plain = status.replace("**", "")
                details += ["", plain[0].upper() + plain[1:] + "."]
        if rules:
            details += ["", "Rules:", "", *(_rule_line(rule) for rule in rules)]
        if definitions:
            details += ["", "Domain:", "",
                        *(_definition_line(definition, number, setting_articles) for definition in definitions)]
        if named_only:
            details += ["", "Named by the module docstring of " + ", ".join(f"`{m}`" for m in named_only) + "."]
        if settings:
            details += ["", "Settings:", ""]
            details += [f"- `{setting.service}.{setting.name}` = {_value(setting.default)} — "
                        f"{summary(setting.description, 160)}" for setting in settings]
        for plan in _planned(number):
            details += ["", f"Still to come with {plan.issue} ({plan.services}): {plan.what}."]
    return HEADER + "\n".join(table + details) + "\n"


# --- checks the test runs ----------------------------------------------------------------------------


def source_files() -> list[Path]:
    """The project's own Python sources (not its tests): where articles are cited."""
    roots = [ROOT / "libs" / "common" / "common", ROOT / "scripts"]
    roots += [path for path in sorted(SERVICES.glob("*/*"))
              if path.is_dir() and path.name != "tests" and (path / "__init__.py").exists()]
    return sorted(path for root in roots for path in root.rglob("*.py"))


def unknown_citations(index: Index) -> list[str]:
    """Every citation in the code, a rule id or a setting of an article the regulation has not."""
    known = {article.number for article in index.articles}
    problems = []
    for path in source_files():
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            for article in cited(line):
                if article not in known:
                    problems.append(f"{path.relative_to(ROOT)}:{number}: Art. {article} is not in the regulation")
    for rule in index.rules:
        problems += [f"{rule.module}: rule {rule.rule_id} names Art. {n}, not in the regulation"
                     for n in rule.articles if n not in known]
    return problems


def settings_without_article(index: Index) -> list[str]:
    known = {article.number for article in index.articles}
    problems = []
    for setting in index.settings:
        if not setting.articles:
            problems.append(f"{setting.service}: {setting.cls}.{setting.name} names no article "
                            f"(json_schema_extra={{'article': 'Art. N'}})")
        problems += [f"{setting.service}: {setting.cls}.{setting.name} names Art. {n}, not in the regulation"
                     for n in setting.articles if n not in known]
        if not setting.description:
            problems.append(f"{setting.service}: {setting.cls}.{setting.name} has no description")
    return problems


def undocumented_articles(index: Index) -> list[str]:
    """Domain modules whose docstring names no article, and functions that cite articles in
    their code (a message, a comment) but not in their docstring: the index reads docstrings."""
    problems = []
    for module in index.modules:
        if module.name.endswith(".domain.rules"):
            continue
        if not module.articles:
            problems.append(f"{module.name}: the module docstring names no article")
        for definition in module.definitions:
            public = not any(part.startswith("_") for part in definition.qualname.split("."))
            if definition.body_articles and not definition.articles and public and not definition.is_class:
                numbers = ", ".join(str(n) for n in definition.body_articles)
                problems.append(f"{definition.ref}: cites Art. {numbers} in its code but its docstring names "
                                "no article")
    return problems


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    mode = parser.add_mutually_exclusive_group()
    mode.add_argument("--write", action="store_true", help="rewrite the index file")
    mode.add_argument("--check", action="store_true", help="exit 1 with a diff when the index file is stale")
    parser.add_argument("--file", type=Path, default=INDEX, help="the index file (default docs/articles.md)")
    args = parser.parse_args(argv)
    text = render(build())
    if args.write:
        args.file.parent.mkdir(parents=True, exist_ok=True)
        args.file.write_bytes(text.encode("utf-8"))
        print(f"wrote {args.file}")
        return 0
    if args.check:
        current = args.file.read_bytes().decode("utf-8") if args.file.exists() else ""
        if current == text:
            print(f"{args.file} is current")
            return 0
        sys.stdout.writelines(difflib.unified_diff(current.splitlines(keepends=True), text.splitlines(keepends=True),
                                                   str(args.file), "scripts/rules.py"))
        print(f"\n{args.file} is stale: run `.venv/bin/python scripts/rules.py --write`", file=sys.stderr)
        return 1
    sys.stdout.write(text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
