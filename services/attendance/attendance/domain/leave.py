"""Leave (Art. 26): "因特殊情况考勤人员需请假的，应事先提出申请，须经建设单位同意，请假审批单和
证明材料由建设单位上传平台" — asked for in advance, decided by the project's owner, with the approval
form and the supporting documents on the platform.

The files are recorded by the workflow service, which opens a file to those it is shared with:
the leave's supporting documents to the owner that decides it (so that it can read what it
decides on), the approval form to the owner and to the person on leave; nobody else who sees
the project (its line, its firms) opens them. The uploader and the back office always do.
"""

from __future__ import annotations

# The audiences of the workflow's ``share_files``.
OWNER_AUDIENCE = "role:owner"


def person_audience(person_id: str) -> str:
    return f"user:{person_id}"


def document_audiences() -> list[str]:
    """Art. 26: who opens the documents a person gives with a leave request: the owner deciding it."""
    return [OWNER_AUDIENCE]


def approval_audiences(person_id: str) -> list[str]:
    """Art. 26: who opens the approval form the owner gives with its decision: the owner and the
    person."""
    return [OWNER_AUDIENCE, person_audience(person_id)]
