"""The concealed-works tables (Art. 28) and the EXIF kept for uploaded photos (issue item 10)."""

from __future__ import annotations

from datetime import date, datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from workflow.persistence.models import Base, new_id


class ConcealedWork(Base):
    """A concealed work from the contractor's application through the supervisor's inspection to
    the owner's review (Art. 28)."""

    __tablename__ = "concealed_work"

    id: Mapped[str] = mapped_column(sa.String(32), primary_key=True, default=new_id)
    project_id: Mapped[str] = mapped_column(sa.ForeignKey("project.id"), index=True)
    part: Mapped[str] = mapped_column(sa.Text)
    planned_date: Mapped[date]
    important: Mapped[bool]
    status: Mapped[str] = mapped_column(sa.String(24))
    contractor_id: Mapped[str] = mapped_column(sa.ForeignKey("unit.id"))
    applied_by: Mapped[str] = mapped_column(sa.String(32))
    applied_at: Mapped[datetime]
    file_ids: Mapped[list] = mapped_column(sa.JSON, default=list)
    supervisor_id: Mapped[str | None] = mapped_column(sa.ForeignKey("unit.id"))
    inspected_by: Mapped[str | None] = mapped_column(sa.String(32))
    inspected_at: Mapped[datetime | None]
    inspection_result: Mapped[str | None] = mapped_column(sa.String(16))
    inspection_note: Mapped[str | None] = mapped_column(sa.Text)
    photos: Mapped[dict | None] = mapped_column(sa.JSON)  # {"before": [...], "after": [...], "with_scale": [...]}
    photo_flags: Mapped[list | None] = mapped_column(sa.JSON)
    reviewed_by: Mapped[str | None] = mapped_column(sa.String(32))
    reviewed_at: Mapped[datetime | None]
    review_verdict: Mapped[str | None] = mapped_column(sa.String(16))
    review_note: Mapped[str | None] = mapped_column(sa.Text)
    owner_present: Mapped[bool | None]
    presence_photo_ids: Mapped[list | None] = mapped_column(sa.JSON)


class PhotoMetadata(Base):
    """When and where a stored photo's EXIF says it was taken; recorded once, at upload."""

    __tablename__ = "photo_metadata"

    file_id: Mapped[str] = mapped_column(sa.ForeignKey("stored_file.id"), primary_key=True)
    taken_at: Mapped[datetime | None]
    lat: Mapped[float | None]
    lng: Mapped[float | None]
