"""How the platform's own components reach a person: the phone number the notification service's
SMS channel needs at send time (Art. 29–30). Phones are stored encrypted (architecture: "Data")
and never travel in events or snapshots; this answers one user's, to a service caller only."""

from __future__ import annotations

from sqlalchemy.orm import Session

from common.crypto import decrypt_field
from workflow.persistence import repository as repo


def user_phone(session: Session, user_id: str) -> dict:
    """The user's phone number in clear (None when none is registered)."""
    user = repo.require_user(session, user_id)
    return {"user_id": user.id, "phone": decrypt_field(user.phone_encrypted)}
