"""The one shape of every error the gateway answers: ``{"error": {"code", "message", "details"}}``."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, Field


class ErrorDetail(BaseModel):
    code: str = Field(description="Stable and machine-readable: unauthenticated, forbidden, wrong_portal, not_found, "
                                  "conflict, invalid_input, too_large, service_unavailable, timeout…")
    message: str = Field(description="For people; in English.")
    details: Any = Field(None, description="For invalid_input: a list of {field, reason}; else mostly null.")


class ErrorBody(BaseModel):
    error: ErrorDetail
