"""Write the JSON Schemas of the score feed's messages (docs/asyncapi/*.schema.json) from their pydantic
models in common.events; a test fails when the files are stale. ``--write`` rewrites them."""

from __future__ import annotations

import json
import sys
from pathlib import Path

from common.events import BidBanImposed, ScoreChanged

FOLDER = Path(__file__).resolve().parent.parent / "docs" / "asyncapi"
MODELS = {"score-changed.schema.json": ScoreChanged, "bid-ban-imposed.schema.json": BidBanImposed}


def schemas() -> dict[str, str]:
    return {name: json.dumps(model.model_json_schema(mode="serialization"), indent=2, ensure_ascii=False) + "\n"
            for name, model in MODELS.items()}


if __name__ == "__main__":
    if "--write" in sys.argv:
        for name, text in schemas().items():
            (FOLDER / name).write_text(text)
