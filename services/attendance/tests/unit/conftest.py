"""Shared helpers of the attendance domain tests; puts the service on the path until it is installed."""

import importlib.util
import sys
from pathlib import Path

SERVICE_DIR = Path(__file__).resolve().parents[2]
if importlib.util.find_spec("attendance") is None:
    sys.path.insert(0, str(SERVICE_DIR))
