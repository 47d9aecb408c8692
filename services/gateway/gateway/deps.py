"""Shared FastAPI dependencies of the routes."""

from __future__ import annotations

from fastapi import Request

from gateway.rpc import ServiceClient


def services(request: Request) -> ServiceClient:
    return request.app.state.services


def payload(model) -> dict:
    """What a validated request sends on to its service: the fields the caller gave."""
    return model.model_dump(mode="json", exclude_unset=True)
