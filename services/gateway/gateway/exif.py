"""When and where a photo says it was taken: its EXIF capture time and GPS position, kept at
upload so that concealed-work photos taken on another day or away from the site can be flagged
(Art. 28; issue item 10).

Only the metadata is read, never the pixels. A photo without EXIF, with partial or nonsensical
EXIF, or a file that is no image at all gives empty fields: a bad photo must not stop an upload,
and the workflow flags a photo whose time is unknown.
"""

from __future__ import annotations

import io
import math
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from pathlib import Path

from PIL import ExifTags, Image

from common.clock import DISTRICT_TZ
from common.contracts.types import EARLIEST_YEAR, LATEST_YEAR

EXIF_TIME_FORMAT = "%Y:%m:%d %H:%M:%S"


@dataclass(frozen=True)
class PhotoMetadata:
    taken_at: datetime | None = None  # aware: the EXIF offset, else the district's UTC+08:00
    lat: float | None = None
    lng: float | None = None

    def as_record(self) -> dict:
        """The body of the workflow service's ``record_photo_metadata``."""
        return {"taken_at": None if self.taken_at is None else self.taken_at.isoformat(),
                "lat": self.lat, "lng": self.lng}


def read_photo_metadata(path_or_bytes: str | Path | bytes) -> PhotoMetadata:
    """The capture time and position a photo's EXIF records. A path that cannot be opened is the
    caller's error and raises; anything wrong with the content gives empty fields."""
    content = path_or_bytes if isinstance(path_or_bytes, bytes) else Path(path_or_bytes).read_bytes()
    try:
        with Image.open(io.BytesIO(content)) as image:
            exif = image.getexif()
            details = exif.get_ifd(ExifTags.IFD.Exif)
            gps = exif.get_ifd(ExifTags.IFD.GPSInfo)
    except Exception:  # Pillow raises many kinds of error on corrupt files; a bad photo is no photo
        return PhotoMetadata()
    lat = _coordinate(gps.get(ExifTags.GPS.GPSLatitude), gps.get(ExifTags.GPS.GPSLatitudeRef), "S", 90)
    lng = _coordinate(gps.get(ExifTags.GPS.GPSLongitude), gps.get(ExifTags.GPS.GPSLongitudeRef), "W", 180)
    if lat is None or lng is None:
        lat = lng = None  # half a position places the photo nowhere
    return PhotoMetadata(
        taken_at=_taken_at(details.get(ExifTags.Base.DateTimeOriginal), details.get(ExifTags.Base.OffsetTimeOriginal)),
        lat=lat, lng=lng,
    )


def _text(value) -> str | None:
    if isinstance(value, bytes):
        value = value.decode("ascii", errors="replace")
    if not isinstance(value, str):
        return None
    return value.strip("\x00 ") or None


def _taken_at(original, offset) -> datetime | None:
    """DateTimeOriginal ("YYYY:MM:DD HH:MM:SS") in the zone of OffsetTimeOriginal ("+08:00");
    a camera that records no offset is taken to keep the district's time."""
    stamp = _text(original)
    if stamp is None:
        return None
    try:
        naive = datetime.strptime(stamp[:19], EXIF_TIME_FORMAT)  # the zone is attached below
    except ValueError:
        return None  # "0000:00:00 00:00:00" and other unset clocks
    if not EARLIEST_YEAR <= naive.year <= LATEST_YEAR:
        return None  # a camera clock never set: the platform reasons about no such years
    return naive.replace(tzinfo=_zone(_text(offset)))


def _zone(offset: str | None) -> timezone:
    if offset is None or len(offset) != 6 or offset[0] not in "+-" or offset[3] != ":":
        return DISTRICT_TZ
    try:
        hours, minutes = int(offset[1:3]), int(offset[4:6])
    except ValueError:
        return DISTRICT_TZ
    if hours > 14 or minutes > 59:
        return DISTRICT_TZ
    sign = -1 if offset[0] == "-" else 1
    return timezone(sign * timedelta(hours=hours, minutes=minutes))


def _coordinate(parts, ref, negative_ref: str, limit: float) -> float | None:
    """Degrees, minutes and seconds (EXIF rationals) to signed decimal degrees."""
    if not isinstance(parts, tuple) or not 1 <= len(parts) <= 3:
        return None
    try:
        degrees = sum(float(part) / 60 ** index for index, part in enumerate(parts))
    except (TypeError, ValueError, ZeroDivisionError):
        return None
    if not math.isfinite(degrees) or not 0 <= degrees <= limit:
        return None
    direction = _text(ref)
    if direction is None:
        return None
    return -degrees if direction.upper() == negative_ref else degrees
