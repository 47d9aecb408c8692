"""Reading a photo's EXIF capture time and GPS position (Art. 28; issue item 10), on real JPEGs
written by Pillow."""

from __future__ import annotations

import io
from datetime import UTC, datetime, timedelta, timezone

import pytest
from PIL import ExifTags, Image

from gateway.exif import PhotoMetadata, read_photo_metadata

CST = timezone(timedelta(hours=8))


def jpeg(*, taken: str | None = None, offset: str | None = None, gps: dict | None = None,
         image_format: str = "JPEG", size: int = 16) -> bytes:
    exif = Image.Exif()
    exif[ExifTags.Base.Make] = "test camera"  # PNG writes no EXIF whose first directory is empty
    details = exif.get_ifd(ExifTags.IFD.Exif)
    if taken is not None:
        details[ExifTags.Base.DateTimeOriginal] = taken
    if offset is not None:
        details[ExifTags.Base.OffsetTimeOriginal] = offset
    if gps is not None:
        exif.get_ifd(ExifTags.IFD.GPSInfo).update(gps)
    buffer = io.BytesIO()
    Image.effect_noise((size, size), 64).convert("RGB").save(buffer, image_format, exif=exif)
    return buffer.getvalue()


# 30°01'48" N, 120°52'12" E: a site in Shangyu
SHANGYU = {ExifTags.GPS.GPSLatitudeRef: "N", ExifTags.GPS.GPSLatitude: (30.0, 1.0, 48.0),
           ExifTags.GPS.GPSLongitudeRef: "E", ExifTags.GPS.GPSLongitude: (120.0, 52.0, 12.0)}


def test_time_and_position_of_a_phone_photo():
    metadata = read_photo_metadata(jpeg(taken="2026:12:03 10:15:30", offset="+08:00", gps=SHANGYU))

    assert metadata.taken_at == datetime(2026, 12, 3, 10, 15, 30, tzinfo=CST)
    assert metadata.taken_at.utcoffset() == timedelta(hours=8)
    assert metadata.lat == pytest.approx(30.03)
    assert metadata.lng == pytest.approx(120.87)


def test_the_recorded_offset_is_used():
    metadata = read_photo_metadata(jpeg(taken="2026:12:03 02:15:30", offset="-05:00"))

    assert metadata.taken_at == datetime(2026, 12, 3, 7, 15, 30, tzinfo=UTC)


def test_without_an_offset_the_district_time_is_assumed():
    metadata = read_photo_metadata(jpeg(taken="2026:12:03 23:30:00"))

    assert metadata.taken_at == datetime(2026, 12, 3, 15, 30, tzinfo=UTC)
    assert metadata.taken_at.utcoffset() == timedelta(hours=8)


def test_a_malformed_offset_falls_back_to_the_district_time():
    metadata = read_photo_metadata(jpeg(taken="2026:12:03 23:30:00", offset="+99:99"))

    assert metadata.taken_at.utcoffset() == timedelta(hours=8)


def test_south_and_west_are_negative():
    gps = {ExifTags.GPS.GPSLatitudeRef: "S", ExifTags.GPS.GPSLatitude: (33.0, 52.0, 0.0),
           ExifTags.GPS.GPSLongitudeRef: "W", ExifTags.GPS.GPSLongitude: (70.0, 30.0, 0.0)}

    metadata = read_photo_metadata(jpeg(gps=gps))

    assert metadata.lat == pytest.approx(-33.0 - 52 / 60)
    assert metadata.lng == pytest.approx(-70.5)
    assert metadata.taken_at is None


def test_a_photo_without_exif_has_empty_fields():
    buffer = io.BytesIO()
    Image.new("RGB", (16, 16)).save(buffer, "JPEG")

    assert read_photo_metadata(buffer.getvalue()) == PhotoMetadata(None, None, None)


@pytest.mark.filterwarnings("ignore:Corrupt EXIF data")  # Pillow's own note on the broken case
@pytest.mark.parametrize("content", [
    b"",
    b"not an image at all",
    b"\xff\xd8\xff\xe1\x00\x10Exif\x00\x00MM\x00*\xff\xff\xff\xff",  # a JPEG whose EXIF points nowhere
], ids=["empty", "text", "broken-exif"])
def test_a_corrupt_file_gives_empty_fields_and_no_exception(content):
    assert read_photo_metadata(content) == PhotoMetadata()


def test_a_truncated_jpeg_still_gives_what_its_header_says():
    whole = jpeg(taken="2026:12:03 10:15:30", offset="+08:00", gps=SHANGYU, size=256)

    metadata = read_photo_metadata(whole[: len(whole) // 2])

    assert metadata.taken_at == datetime(2026, 12, 3, 10, 15, 30, tzinfo=CST)


@pytest.mark.parametrize("taken", ["0000:00:00 00:00:00", "    :  :     :  :  ", "2026-12-03T10:15:30",
                                   "1980:01:01 00:00:00"])
def test_an_unset_or_unreadable_clock_is_no_time(taken):
    assert read_photo_metadata(jpeg(taken=taken)).taken_at is None


def test_half_a_position_or_a_position_without_its_reference_is_no_position():
    only_latitude = {ExifTags.GPS.GPSLatitudeRef: "N", ExifTags.GPS.GPSLatitude: (30.0, 1.0, 48.0)}
    no_reference = {ExifTags.GPS.GPSLatitude: (30.0, 1.0, 48.0), ExifTags.GPS.GPSLongitude: (120.0, 52.0, 12.0)}
    out_of_range = {**SHANGYU, ExifTags.GPS.GPSLatitude: (95.0, 0.0, 0.0)}

    for gps in (only_latitude, no_reference, out_of_range):
        metadata = read_photo_metadata(jpeg(gps=gps))
        assert (metadata.lat, metadata.lng) == (None, None)


def test_a_path_is_read_like_bytes(tmp_path):
    photo = tmp_path / "site.jpg"
    photo.write_bytes(jpeg(taken="2026:12:03 10:15:30", gps=SHANGYU))

    assert read_photo_metadata(photo) == read_photo_metadata(str(photo)) == read_photo_metadata(photo.read_bytes())
    assert read_photo_metadata(photo).lat == pytest.approx(30.03)


def test_a_png_with_exif_is_read_too():
    metadata = read_photo_metadata(jpeg(taken="2026:12:03 10:15:30", image_format="PNG"))

    assert metadata.taken_at == datetime(2026, 12, 3, 10, 15, 30, tzinfo=CST)


def test_the_record_sent_to_the_workflow_service():
    metadata = read_photo_metadata(jpeg(taken="2026:12:03 10:15:30", offset="+08:00", gps=SHANGYU))

    record = metadata.as_record()

    assert record["taken_at"] == "2026-12-03T10:15:30+08:00"
    assert record["lat"] == pytest.approx(30.03) and record["lng"] == pytest.approx(120.87)
    assert PhotoMetadata().as_record() == {"taken_at": None, "lat": None, "lng": None}
