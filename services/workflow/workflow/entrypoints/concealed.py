"""RPC entrypoints of the concealed-works process (Art. 28) and of photo EXIF (issue item 10)."""

from __future__ import annotations

from common.service import command, query
from workflow.usecases import concealed


class ConcealedWorkEntrypoints:
    """Mixed into WorkflowService; each entrypoint is a use case of :mod:`workflow.usecases.concealed`."""

    @command
    def apply_concealed_work(self, call, data: dict) -> dict:
        return concealed.apply_concealed_work(call, data)

    @command
    def record_concealed_inspection(self, call, concealed_work_id: str, data: dict) -> dict:
        return concealed.record_concealed_inspection(call, concealed_work_id, data)

    @command
    def review_concealed_work(self, call, concealed_work_id: str, data: dict) -> dict:
        return concealed.review_concealed_work(call, concealed_work_id, data)

    @query
    def list_concealed_works(self, call, project_id: str, limit: int = 100, offset: int = 0) -> list[dict]:
        return concealed.list_concealed_works(call, project_id, limit, offset)

    @command
    def record_photo_metadata(self, call, file_id: str, data: dict) -> dict:
        return concealed.record_photo_metadata(call, file_id, data)
