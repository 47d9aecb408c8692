"""Shared FastAPI dependencies of the routes."""

from __future__ import annotations

from fastapi import Request

from gateway.rpc import ServiceClient


def services(request: Request) -> ServiceClient:
    return request.app.state.services
