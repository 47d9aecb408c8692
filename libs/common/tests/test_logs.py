from __future__ import annotations

import json
import logging
import sys

from common.logs import JsonFormatter, TextFormatter, configure_logging


def _record(message="project registered", *args, extra=None, level=logging.INFO, exc_info=None):
    logger = logging.getLogger("common.tests")
    return logger.makeRecord("common.tests", level, __file__, 10, message, args, exc_info, extra=extra)


def test_json_formatter_writes_one_object_with_the_extras():
    line = JsonFormatter().format(_record(extra={"project_id": "p1", "count": 3, "site": "上虞"}))
    assert "\n" not in line
    entry = json.loads(line)
    assert entry["message"] == "project registered"
    assert entry["level"] == "INFO"
    assert entry["logger"] == "common.tests"
    assert entry["project_id"] == "p1"
    assert entry["count"] == 3
    assert entry["site"] == "上虞"
    assert entry["time"].endswith("+00:00")
    assert "args" not in entry and "msg" not in entry and "levelno" not in entry


def test_json_formatter_fills_in_the_arguments_and_stringifies_odd_values():
    entry = json.loads(JsonFormatter().format(_record("%s checked in", "alice", extra={"what": {1, 2} - {1}},
                                                      level=logging.WARNING)))
    assert entry["message"] == "alice checked in"
    assert entry["level"] == "WARNING"
    assert entry["what"] == "{2}"


def test_json_formatter_adds_the_exception():
    try:
        raise RuntimeError("boom")
    except RuntimeError:
        record = _record("failed", level=logging.ERROR, exc_info=sys.exc_info())
    entry = json.loads(JsonFormatter().format(record))
    assert entry["level"] == "ERROR"
    assert "RuntimeError: boom" in entry["exception"]


def test_text_formatter_appends_key_value_pairs():
    line = TextFormatter().format(_record(extra={"project_id": "p1", "count": 3}))
    assert "INFO common.tests project registered" in line
    assert line.endswith(" project_id=p1 count=3")


def test_text_formatter_without_extras_is_just_the_line():
    line = TextFormatter().format(_record())
    assert line.endswith("INFO common.tests project registered")
    assert "=" not in line


def test_configure_logging_installs_one_handler():
    root = logging.getLogger()
    saved_handlers, saved_level = root.handlers[:], root.level
    try:
        configure_logging("WARNING", "text")
        assert len(root.handlers) == 1
        assert isinstance(root.handlers[0].formatter, TextFormatter)
        assert root.level == logging.WARNING
        configure_logging("DEBUG", "json")
        assert len(root.handlers) == 1
        assert isinstance(root.handlers[0].formatter, JsonFormatter)
        assert root.level == logging.DEBUG
    finally:
        root.handlers[:] = saved_handlers
        root.setLevel(saved_level)
