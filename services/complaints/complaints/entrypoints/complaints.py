"""RPC entrypoints of the public complaint window (Art. 30, 49)."""

from __future__ import annotations

from common.service import command, query
from complaints.usecases import complaints


class ComplaintEntrypoints:
    @command
    def file_complaint(self, call, data: dict, client_key: str) -> dict:
        return complaints.file_complaint(call.session, call.now, call.rules(), data, client_key)

    @command
    def record_complaint_photo(self, call, data: dict, client_key: str) -> dict:
        return complaints.record_complaint_photo(call.session, call.now, call.rules(), data, client_key)

    @query
    def case_photos(self, call, case_id: str, limit: int = 50, offset: int = 0) -> list[dict]:
        return complaints.case_photos(call, case_id, limit, offset)

    @query
    def case_photo(self, call, case_id: str, photo_id: str) -> dict:
        return complaints.case_photo(call, case_id, photo_id)

    @query
    def follow_complaint(self, call, tracking_code: str) -> dict:
        return complaints.follow_complaint(call.session, tracking_code)

    @query
    def complaint_categories(self, call) -> list[dict]:
        return complaints.complaint_categories()

    @command
    def complainants(self, call, case_id: str) -> list[dict]:
        """A command, not a query: every reading is written to the audit trail."""
        return complaints.complainants(call, case_id)
