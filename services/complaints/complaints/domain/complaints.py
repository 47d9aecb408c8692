"""The public complaint window (Art. 30, 49): the categories a complaint is filed under, the
tracking code that cannot be guessed, which complaints are taken as one, and what the public sees
of a case — its progress and the replies meant for it, never who handled it inside nor who
complained."""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from complaints.domain.cases import Status


@dataclass(frozen=True)
class Category:
    code: str
    name_zh: str
    name_en: str
    description: str
    discipline: bool = False


CATEGORIES = {c.code: c for c in (
    Category("quality", "工程质量", "Construction quality", "Defects, substandard materials, skipped inspections."),
    Category("safety", "安全生产", "Site safety", "Unsafe work, missing protection, accidents."),
    Category("attendance", "人员到岗", "Key people absent", "The project manager or chief engineer not on site."),
    Category("wages", "拖欠工资", "Unpaid wages", "Workers' wages withheld or late."),
    Category("environment", "扬尘噪音", "Dust and noise", "Dust, noise or waste from the site."),
    Category("contract", "合同违约", "Contract breach", "Subcontracting, changes or payments against the contract."),
    Category("discipline", "涉纪问题", "Discipline", "Misconduct of officials (goes to discipline inspection only).",
             discipline=True),
    Category("other", "其他", "Other", "Anything else about a government or village construction project."),
)}

# The tracking code: 20 characters of an alphabet without look-alikes (no 0/O, 1/I/L), ~100 bits.
_ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"
CODE_LENGTH = 20


def new_tracking_code() -> str:
    body = "".join(secrets.choice(_ALPHABET) for _ in range(CODE_LENGTH))
    return "SY" + "-".join(body[i:i + 5] for i in range(0, CODE_LENGTH, 5))


def tracking_hash(code: str) -> str:
    """What is stored of a code: a leaked table gives no one a complainant's way in."""
    return hashlib.sha256(code.strip().upper().encode()).hexdigest()


def links_to(open_case_opened_at: datetime | None, now: datetime, window_days: int) -> bool:
    """A complaint about the same project and category as an open case opened within the window
    is linked to that case, not opened as another (Art. 30: none is lost; each complainant kept)."""
    return open_case_opened_at is not None and window_days > 0 and now - open_case_opened_at <= timedelta(
        days=window_days)


def public_status(status: str) -> str:
    """The words the public sees: received, in progress, closed."""
    if status == Status.CLOSED:
        return "closed"
    if status == Status.RECEIVED:
        return "received"
    return "in_progress"


def within_rate(filed_in_last_hour: int, limit: int) -> bool:
    return filed_in_last_hour < limit
