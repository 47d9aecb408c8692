"""Every service keeps the shape of docs/architecture.md (scripts/check_shape.py, also run by
`make lint`), and the checker finds what it is there to find."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
CHECKER = ROOT / "scripts" / "check_shape.py"


def run_checker(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, str(CHECKER), *args], capture_output=True, text=True, timeout=60)


def test_every_service_keeps_its_shape():
    result = run_checker()
    assert result.returncode == 0, result.stdout + result.stderr


def _service(root: Path, files: dict[str, str]) -> None:
    package = root / "demo" / "demo"
    for room in ("entrypoints", "usecases", "domain", "persistence", "migrations"):
        (package / room).mkdir(parents=True, exist_ok=True)
    for path, text in {"service.py": "", "entrypoints/__init__.py": "", "usecases/__init__.py": "",
                       "usecases/common.py": "", "domain/__init__.py": "", "persistence/__init__.py": "",
                       **files}.items():
        (package / path).write_text(text, encoding="utf-8")


def test_a_well_shaped_service_passes(tmp_path):
    _service(tmp_path, {"usecases/alpha.py": "from demo.usecases.common import x\n",
                        "domain/alpha.py": '"""Art. 1."""\nimport datetime\n'})
    assert run_checker("--root", str(tmp_path)).returncode == 0


def test_a_circle_a_sibling_import_and_a_domain_with_io_are_each_reported(tmp_path):
    _service(tmp_path, {
        "usecases/alpha.py": "from demo.usecases import beta\n",
        "usecases/beta.py": "def later():\n    from . import alpha\n",
        "domain/rules.py": "import sqlalchemy as sa\n",
    })
    result = run_checker("--root", str(tmp_path))
    assert result.returncode == 1
    lines = result.stdout.splitlines()
    assert any("circle" in line and "demo.usecases.alpha" in line and "demo.usecases.beta" in line for line in lines)
    assert any("demo.usecases.alpha imports the sibling process module demo.usecases.beta" in line for line in lines)
    assert any("demo.domain.rules imports sqlalchemy" in line for line in lines)


def test_a_second_deadline_engine_is_reported(tmp_path):
    _service(tmp_path, {"usecases/deadline_engine.py": "import sqlalchemy\n\ndef sweep(session, now):\n    pass\n"})
    result = run_checker("--root", str(tmp_path))
    assert result.returncode == 1
    assert "demo.usecases.deadline_engine does not bind common.deadline_engine" in result.stdout
    _service(tmp_path, {"usecases/deadline_engine.py": "from common.deadline_engine import DeadlineEngine\n"})
    assert run_checker("--root", str(tmp_path)).returncode == 0


def test_a_missing_room_is_reported(tmp_path):
    _service(tmp_path, {})
    (tmp_path / "demo" / "demo" / "usecases" / "common.py").unlink()
    result = run_checker("--root", str(tmp_path))
    assert result.returncode == 1
    assert "no usecases/common.py" in result.stdout
