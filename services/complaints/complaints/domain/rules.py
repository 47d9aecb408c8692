"""The complaints service's settings (Art. 8 "warning and indicator settings"): the time limit of
each step of a case, the complaint window's limits, and which complaints are taken as one.

The regulation gives no time limit for a case's steps (Art. 29–30 say only that results are
reported online): the defaults below are the platform's, chosen so that a case goes down the
four-level chain and back within a fortnight, and the back office changes them at run time
(`PUT /admin/v1/settings/complaints`). Each names the article it serves.
"""

from __future__ import annotations

from pydantic import Field

from common.rule_settings import RuleSettings


def _figure(default, article: str, description: str, **bounds):
    return Field(default, description=description, json_schema_extra={"article": article}, **bounds)


class CaseRules(RuleSettings):
    """Time limits of a case's steps and the complaint window's limits, each naming its article."""

    # --- time limits of the steps (platform defaults; Art. 10, 29–30) ---------------------------------------
    triage_days: int = _figure(
        1, "Art. 30",
        "Days the back office has to classify a received complaint or clue (platform default).", ge=1, le=30)
    accept_days: int = _figure(
        2, "Art. 10, 29–30",
        "Days a unit has to accept a case dispatched or escalated to it, pass it down or send it back up "
        "(platform default).", ge=1, le=30)
    report_days: int = _figure(
        7, "Art. 10, 29–30",
        "Days a unit has, from accepting a case (or having it returned), to handle it and report the result "
        "with evidence (platform default).", ge=1, le=90)
    verify_days: int = _figure(
        3, "Art. 29–30",
        "Days the level above has to verify (核实) a reported result and close or return the case "
        "(platform default).", ge=1, le=30)
    reminder_share: float = _figure(
        0.5, "Art. 8",
        "Share of a step's time limit after which the unit that must act is reminded (platform default).",
        gt=0, lt=1)

    # --- the complaint window (Art. 30, 49) -----------------------------------------------------------------
    similar_complaint_days: int = _figure(
        30, "Art. 30",
        "A complaint about the same project and category as an open case opened within this many days is linked "
        "to that case instead of opening another (each complainant is kept).", ge=0, le=365)
    complaints_per_client_per_hour: int = _figure(
        5, "Art. 30",
        "Complaints one client (one address) may file in an hour; more are refused with 429.", ge=1, le=1000)
    complaint_max_photos: int = _figure(9, "Art. 30", "Photos one complaint may carry.", ge=0, le=20)
    complaint_photos_per_client_per_hour: int = _figure(
        20, "Art. 30",
        "Photos one client (one address) may upload to the complaint window in an hour; more are refused with 429.",
        ge=1, le=1000)
