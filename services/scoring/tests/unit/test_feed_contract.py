"""The score feed's documents: the AsyncAPI 3.0 document is well-formed and names the exchange, and the
JSON Schemas it refers to are those of the pydantic models (scripts/scoring_schemas.py --write)."""

import importlib.util
import json
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[4]
FOLDER = ROOT / "docs" / "asyncapi"


def _schemas_module():
    spec = importlib.util.spec_from_file_location("scoring_schemas", ROOT / "scripts" / "scoring_schemas.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_the_asyncapi_document_is_well_formed_and_names_the_exchange():
    document = yaml.safe_load((FOLDER / "scoring.yaml").read_text())
    assert document["asyncapi"] == "3.0.0"
    for channel in document["channels"].values():
        assert channel["bindings"]["amqp"]["exchange"] == {"name": "supervision.scores", "type": "topic",
                                                          "durable": True, "autoDelete": False, "vhost": "/"}
    for operation in document["operations"].values():
        assert operation["channel"]["$ref"].split("/")[-1] in document["channels"]
    for message in document["components"]["messages"].values():
        assert (FOLDER / message["payload"]["$ref"]).exists()


def test_the_payload_schemas_match_the_models():
    for name, text in _schemas_module().schemas().items():
        assert json.loads((FOLDER / name).read_text()) == json.loads(text), f"{name} is stale: run --write"
