"""What the first bytes of a file of each accepted type are: an upload must be what it says it
is (a PDF starts with ``%PDF-``, a JPEG with FF D8 FF, …), or it is refused."""

from __future__ import annotations

from collections.abc import Callable

from gateway.errors import ApiError


def _is_mp4(head: bytes) -> bool:
    # ISO base media: the first box is "ftyp" (size, then the type at bytes 4-8).
    return head[4:8] == b"ftyp"


def _is_webp(head: bytes) -> bool:
    return head[:4] == b"RIFF" and head[8:12] == b"WEBP"


# What the first bytes of a file of each type are; a type the gateway accepts must be here
# (the settings refuse any other), so that no upload is taken on its declared type alone.
SIGNATURES: dict[str, tuple[str, Callable[[bytes], bool]]] = {
    "application/pdf": ("a PDF starts with %PDF-", lambda head: head.startswith(b"%PDF-")),
    "image/jpeg": ("a JPEG starts with FF D8 FF", lambda head: head.startswith(b"\xff\xd8\xff")),
    "image/png": ("a PNG starts with 89 50 4E 47 0D 0A 1A 0A", lambda head: head.startswith(b"\x89PNG\r\n\x1a\n")),
    "image/gif": ("a GIF starts with GIF87a or GIF89a", lambda head: head[:6] in (b"GIF87a", b"GIF89a")),
    "image/webp": ("a WebP starts with RIFF, a size and WEBP", _is_webp),
    "video/mp4": ("an MP4 starts with an ftyp box", _is_mp4),
}


def check_signature(content_type: str, head: bytes) -> None:
    """Refuse a file whose first bytes are not those of its declared type (422 naming ``file``)."""
    expected, matches = SIGNATURES[content_type]
    if not matches(head):
        raise ApiError(422, "invalid_input", f"the file's content is not {content_type}",
                       [{"field": "file", "reason": f"the content does not match the declared type {content_type} "
                                                   f"({expected})"}])
