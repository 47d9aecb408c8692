"""Examples of the main routes in /docs: real answers of the platform, shortened ids."""

from __future__ import annotations

PROJECT_REGISTRATION = {
    "name": "曹娥江堤防加固工程", "industry": "water", "kind": "government", "contract_amount": "9800000.00",
    "below_threshold": False, "geofence": {"center": [30.03, 120.87], "radius_m": 300},
    "planned_start": "2027-03-15", "planned_end": "2027-12-31",
}

PROJECT = {
    "id": "c9d1afc9c5794a41bc1cb42fa5c6aba0", "name": "曹娥江堤防加固工程", "industry": "water", "kind": "government",
    "contract_amount": "9800000.00", "below_threshold": False,
    "geofence": {"center": [30.03, 120.87], "radius_m": 300.0},
    "planned_start": "2027-03-15", "planned_end": "2027-12-31", "intake": "tender_award", "status": "awarded",
    "assignments": {"supervising_unit": None, "line": None, "owner": None, "owner_project_lead": None},
    "participants": [], "personnel": [], "construction_started_on": None, "suspensions": [],
    "acceptance_window_days": 20, "settlement_audit_window_days": 60,
    "registered_at": "2027-03-01T09:00:00+08:00",
}

CHECKIN = {
    "project_id": "c9d1afc9c5794a41bc1cb42fa5c6aba0", "lat": 30.0301, "lng": 120.8702, "accuracy_m": 8,
    "client_time": "2027-03-02T08:01:12+08:00", "client_request_id": "5b0e6a1e-8f1e-4c1a-9d3e-2f7a1c0b9e44",
    "device": {"id": "demo-phone-1", "platform": "android", "mock_location": False},
}

CHECKIN_ACCEPTED = {
    "id": "0b8e3f4a2c5d4e6f8a9b1c2d3e4f5a6b", "project_id": "c9d1afc9c5794a41bc1cb42fa5c6aba0",
    "outcome": "accepted", "status": "accepted", "reason": None, "flags": [],
    "recorded_at": "2027-03-02T08:01:13+08:00", "local_day": "2027-03-02", "distance_outside_m": 0.0,
}

CHECKIN_REJECTED = {**CHECKIN_ACCEPTED, "outcome": "rejected", "status": "rejected", "reason": "outside_site",
                    "distance_outside_m": 412.6}

CHECKIN_PENDING = {"id": "0b8e3f4a2c5d4e6f8a9b1c2d3e4f5a6b", "status": "pending",
                   "status_url": "/zlb/v1/checkins/0b8e3f4a2c5d4e6f8a9b1c2d3e4f5a6b",
                   "received_at": "2027-03-02T08:01:13+08:00"}

LEAVE_APPLICATION = {
    "project_id": "c9d1afc9c5794a41bc1cb42fa5c6aba0", "start_date": "2027-03-10", "end_date": "2027-03-11",
    "reason": "家中有事",
}

LEAVE = {
    "id": "2579df350baa479f873107d7d94f84d4", "project_id": "c9d1afc9c5794a41bc1cb42fa5c6aba0",
    "person_id": "a5c07e0c4104405689bc8d07e5d3e686", "start_date": "2027-03-10", "end_date": "2027-03-11",
    "reason": "家中有事", "document_file_ids": [], "status": "pending", "requested_at": "2027-03-01T09:00:00+08:00",
    "decided_by": None, "decided_at": None, "decision_note": None, "approval_file_ids": [],
}

LEAVE_DECISION = {"decision": "approve", "note": "同意", "approval_file_ids": ["6f1e2d3c4b5a69788796a5b4c3d2e1f0"]}

CLOCK_SETTING = {"now": "2027-01-04T09:00:00+08:00"}

CLOCK = {
    "now": "2027-01-04T09:00:00+08:00", "consistent": True, "caught_up": True,
    "services": {"attendance": {"now": "2027-01-04T09:00:00+08:00", "caught_up": True},
                 "workflow": {"now": "2027-01-04T09:00:00+08:00", "caught_up": True}},
}

CLOCK_CATCHING_UP = {**CLOCK, "caught_up": False,
                     "services": {**CLOCK["services"],
                                  "attendance": {"now": "2027-01-04T09:00:00+08:00", "caught_up": False}}}


def answer(status: int, example: dict, description: str | None = None) -> dict:
    """The ``responses=`` entry of a route's answer with its example."""
    entry: dict = {"content": {"application/json": {"example": example}}}
    if description:
        entry["description"] = description
    return {status: entry}
