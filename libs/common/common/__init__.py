"""Shared ground of the Shangyu construction-supervision platform."""

import warnings

# nameko runs on eventlet, which warns on import that it is in maintenance mode; expected here.
warnings.filterwarnings("ignore", message=r"\s*Eventlet is deprecated")
