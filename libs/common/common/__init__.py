"""Shared ground of the Shangyu construction-supervision platform."""
