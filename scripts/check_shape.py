"""Check that every service keeps the one shape of docs/architecture.md.

    python scripts/check_shape.py [--root services]

Fails (exit 1, one line per problem) when a service lacks one of its rooms, when its modules
import each other in a circle, when a use-case module imports a sibling process module, when
a domain module imports nameko, SQLAlchemy or an HTTP library, or when a service's
usecases/deadline_engine.py is a second deadline engine rather than the platform's
(common.deadline_engine) bound to the service. `make lint` runs it.
"""

from __future__ import annotations

import argparse
import ast
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
ROOMS = ("service.py", "entrypoints/__init__.py", "usecases/__init__.py", "usecases/common.py",
         "domain/__init__.py", "persistence/__init__.py", "migrations")
# Use-case modules every process may import: common.py, and the deadline engine (start, hold, close a
# deadline), which every process with a time limit uses and which imports no process module.
SHARED_USECASES = {"__init__", "common", "deadline_engine"}
# The one deadline engine of the platform, which a service's usecases/deadline_engine.py binds.
PLATFORM_DEADLINE_ENGINE = "common.deadline_engine"
FORBIDDEN_IN_DOMAIN = ("nameko", "sqlalchemy", "httpx", "fastapi", "kombu", "amqp", "requests", "starlette")
NOT_A_SERVICE = {"gateway"}


def module_name(package_root: Path, path: Path) -> str:
    parts = list(path.relative_to(package_root.parent).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def imports_of(path: Path, name: str) -> set[str]:
    """Every module ``path`` imports, at any depth of the file (a lazy import is still an edge),
    with relative imports made absolute."""
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    package = name if path.name == "__init__.py" else name.rsplit(".", 1)[0]
    found: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")
                base = base[: len(base) - (node.level - 1)] if node.level > 1 else base
                prefix = ".".join(base + ([node.module] if node.module else []))
            else:
                prefix = node.module or ""
            found.add(prefix)
            found.update(f"{prefix}.{alias.name}" for alias in node.names)
    return found


def cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """The strongly connected components with more than one module (Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []
    counter = [0]

    def visit(node: str) -> None:
        index[node] = low[node] = counter[0]
        counter[0] += 1
        stack.append(node)
        on_stack.add(node)
        for target in graph.get(node, ()):
            if target not in index:
                visit(target)
                low[node] = min(low[node], low[target])
            elif target in on_stack:
                low[node] = min(low[node], index[target])
        if low[node] == index[node]:
            component = []
            while True:
                member = stack.pop()
                on_stack.discard(member)
                component.append(member)
                if member == node:
                    break
            if len(component) > 1:
                found.append(sorted(component))

    for node in sorted(graph):
        if node not in index:
            visit(node)
    return found


def check_service(package_root: Path) -> list[str]:
    where = package_root.relative_to(ROOT) if package_root.is_relative_to(ROOT) else package_root
    problems = [f"{where}: no {room}" for room in ROOMS if not (package_root / room).exists()]
    modules = {module_name(package_root, path): path for path in package_root.rglob("*.py")
               if "migrations" not in path.relative_to(package_root).parts}
    graph: dict[str, set[str]] = {}
    for name, path in modules.items():
        graph[name] = {target for target in imports_of(path, name) if target in modules and target != name}
    for component in cycles(graph):
        problems.append(f"{package_root.name}: modules import each other in a circle: {' -> '.join(component)}")
    usecases = f"{package_root.name}.usecases"
    for name, targets in graph.items():
        if not name.startswith(usecases + "."):
            continue
        own = name.rsplit(".", 1)[1]
        for target in sorted(targets):
            if target.startswith(usecases + ".") and target.rsplit(".", 1)[1] not in SHARED_USECASES | {own}:
                problems.append(f"{name} imports the sibling process module {target}; "
                                "move what they share to usecases/common.py")
    engine = f"{usecases}.deadline_engine"
    if engine in modules and PLATFORM_DEADLINE_ENGINE not in imports_of(modules[engine], engine):
        problems.append(f"{engine} does not bind {PLATFORM_DEADLINE_ENGINE}: the platform has one deadline "
                        "engine; give it the service's rules and pauses rather than writing a second")
    for name, path in modules.items():
        if not name.startswith(f"{package_root.name}.domain."):
            continue
        for target in sorted(imports_of(path, name)):
            if target.split(".")[0] in FORBIDDEN_IN_DOMAIN:
                problems.append(f"{name} imports {target}: the domain is plain Python (no I/O frameworks)")
    return problems


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--root", type=Path, default=ROOT / "services", help="the folder of the services")
    args = parser.parse_args(argv)
    problems: list[str] = []
    services = sorted(path for path in args.root.iterdir() if path.is_dir() and path.name not in NOT_A_SERVICE
                      and (path / path.name).is_dir())
    for service in services:
        problems.extend(check_service(service / service.name))
    for problem in problems:
        print(problem)
    if problems:
        print(f"{len(problems)} problem(s) with the shape of a service: see docs/architecture.md", file=sys.stderr)
        return 1
    print(f"services keep their shape: {', '.join(s.name for s in services)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
