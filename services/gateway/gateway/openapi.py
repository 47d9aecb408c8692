"""The API reference at /docs: routes grouped by face and by process, named in Chinese and
English (the users are Chinese staff), each group naming the regulation's articles; and the
route class that passes a service's answer on in its own shape."""

from __future__ import annotations

from fastapi.routing import APIRoute

# The government face (浙政钉 ZZD)
ZZD_ORGANISATION = "组织 Organisation (ZZD)"
ZZD_PROJECTS = "项目登记 Project registry (ZZD)"
ZZD_ATTENDANCE = "考勤 Attendance (ZZD)"
ZZD_ACCEPTANCE = "竣工验收 Completion acceptance (ZZD)"
ZZD_SETTLEMENT = "结算审计 Settlement audit (ZZD)"
ZZD_DEADLINES = "期限 Deadlines (ZZD)"
ZZD_CHANGES = "变更 Changes (ZZD)"
ZZD_TERMINATION = "终止与补登记 Termination and supplementary registration (ZZD)"
ZZD_CONCEALED = "隐蔽工程 Concealed works (ZZD)"
ZZD_SUPERVISION = "监理记录 Supervision records (ZZD)"
ZZD_FILES = "文件 Files (ZZD)"
ZZD_SCORING = "评分 Scoring (ZZD)"
ZZD_CASES = "案件 Cases: warnings, complaints, clues (ZZD)"
ZZD_CASE_STATS = "案件统计 Case statistics (ZZD)"
# The enterprise face (浙里办 ZLB)
ZLB_ME = "我的项目 My projects (ZLB)"
ZLB_ATTENDANCE = "考勤 Attendance (ZLB)"
ZLB_ACCEPTANCE = "竣工验收 Completion acceptance (ZLB)"
ZLB_CHANGES = "变更 Changes (ZLB)"
ZLB_CONCEALED = "隐蔽工程 Concealed works (ZLB)"
ZLB_SUPERVISION = "监理记录 Supervision records (ZLB)"
ZLB_FILES = "文件 Files (ZLB)"
ZLB_SCORING = "评分 Scoring (ZLB)"
ZLB_CASES = "我的案件 Cases about my firm (ZLB)"
# The other faces
PUBLIC = "公众窗口 Public window"
COMPLAINT_WINDOW = "投诉窗口 Complaint window"
OPEN311 = "Open311 接口 Open311 GeoReport v2"
BACK_OFFICE = "后台 Back office"
BACK_OFFICE_NOTIFICATIONS = "通知投递 Notification deliveries (back office)"
PARTNER = "外部系统 Partner systems"
LOGIN = "登录 Login"
OPERATIONS = "运维 Operations"

_ZZD = "Government face (浙政钉 ZZD), a ZZD token: "
_ZLB = "Enterprise face (浙里办 ZLB), a ZLB token: "

# In this order in /docs: the government face, the enterprise face, then the others.
OPENAPI_TAGS = [
    {"name": ZZD_ORGANISATION, "description": _ZZD + "units, users and their posts in the organisation tree "
                                              "(Art. 16–20)."},
    {"name": ZZD_PROJECTS, "description": _ZZD + "a project registered after award by the back office (Art. 12) or "
                                          "entered by the owner (Art. 21); the four-level assignment chain (Art. "
                                          "18–20); firms with their contracts and key people (Art. 21, 24, 26); "
                                          "construction start (Art. 24–25); suspension and resumption (Art. 35)."},
    {"name": ZZD_ATTENDANCE, "description": _ZZD + "the project's month (Art. 26, 42), leave decisions (Art. 26), "
                                            "the owner's patrols (Art. 26), phases, non-working days, the spoofing "
                                            "policy and device changes (Art. 26, 47)."},
    {"name": ZZD_ACCEPTANCE, "description": _ZZD + "the owner's completion acceptance within 20 or 60 days, a "
                                            "village's within 15 and the township's re-acceptance (Art. 31); "
                                            "returns and extensions."},
    {"name": ZZD_SETTLEMENT, "description": _ZZD + "the settlement audit's records within 60 or 180 days (Art. 32), "
                                            "then payment and the quality deposit (Art. 25)."},
    {"name": ZZD_DEADLINES, "description": _ZZD + "every deadline of a project with its reminders and warnings "
                                           "(Art. 23–24, 28, 31–32, 45–46)."},
    {"name": ZZD_CHANGES, "description": _ZZD + "the owner's decision on engineering changes and each step of "
                                         "personnel changes, the approval form and the penalty (Art. 27)."},
    {"name": ZZD_TERMINATION, "description": _ZZD + "termination with the written report (Art. 34); supplementary "
                                             "registration of works never on the platform (Art. 33)."},
    {"name": ZZD_CONCEALED, "description": _ZZD + "the owner's review of concealed works (Art. 28)."},
    {"name": ZZD_SUPERVISION, "description": _ZZD + "a project's supervision logs, stand-by records and notices "
                                             "(Art. 22–23, 45–46) and subcontracts (Art. 36)."},
    {"name": ZZD_FILES, "description": _ZZD + "contracts, photos and documents, uploaded and then named by id."},
    {"name": ZZD_CASES, "description": _ZZD + "one list of platform warnings, public complaints and problem clues "
                                       "(Art. 8, 29–30), each disposed of down the four-level chain: triage, "
                                       "dispatch, accept or not ours, handle, report, verify or return, escalate, "
                                       "close (Art. 10–13); a discipline complaint goes to discipline inspection "
                                       "only (Art. 30); who complained is for the intake and discipline inspection "
                                       "only, every reading audited."},
    {"name": ZZD_CASE_STATS, "description": _ZZD + "cases by kind, status, level, unit, industry and month; overdue "
                                            "cases; median time per step; each unit's on-time share (Art. 37(1)); "
                                            "warnings by rule and month (Art. 8), within the caller's scope."},
    {"name": ZZD_SCORING, "description": _ZZD + "rule sets of the industry authorities with their versions and "
                                         "preview (Art. 7, 39), scores with the five-colour code, ledgers and "
                                         "objections to decide (Art. 37, 40–49)."},
    {"name": ZLB_ME, "description": _ZLB + "the caller and the projects the caller's firm takes part in."},
    {"name": ZLB_ATTENDANCE, "description": _ZLB + "check-ins (Art. 26, 47), one's own month (Art. 42) and leave "
                                            "requests (Art. 26)."},
    {"name": ZLB_ACCEPTANCE, "description": _ZLB + "the contractor starts the completion acceptance, the "
                                            "supervisor checks the works (Art. 31)."},
    {"name": ZLB_CHANGES, "description": _ZLB + "engineering and personnel changes raised by the firms (Art. 27)."},
    {"name": ZLB_CONCEALED, "description": _ZLB + "the contractor's application and the supervisor's stand-by "
                                           "inspection with photos (Art. 28)."},
    {"name": ZLB_SUPERVISION, "description": _ZLB + "logs, stand-by records, notices and their rectification, "
                                             "verification and escalation (Art. 22–23, 45–46); subcontracts "
                                             "(Art. 36)."},
    {"name": ZLB_FILES, "description": _ZLB + "photos and documents, uploaded and then named by id."},
    {"name": ZLB_CASES, "description": _ZLB + "the warnings and complaints about the caller's firm and how they "
                                       "were disposed of (Art. 29–30, 49), without who complained or who handled "
                                       "them."},
    {"name": ZLB_SCORING, "description": _ZLB + "one's own scores and ledger, objections to file (Art. 37)."},
    {"name": PUBLIC, "description": "No login: find a project to complain about (Art. 49); nothing about people."},
    {"name": COMPLAINT_WINDOW, "description": "No login: file a complaint about a project or a place, anonymous or "
                                              "with a name and phone (Art. 30, 49), and follow it by its tracking "
                                              "code; nothing about who complained or who handles it."},
    {"name": OPEN311, "description": "No login: the complaint window in Open311 GeoReport v2 for existing clients "
                                     "(JSON only). Not supported: jurisdiction_id (one district, ignored), listing "
                                     "requests by date or status (only by service_request_id), media upload "
                                     "(media_url only), service attributes (metadata false), api_key, account_id "
                                     "and email (ignored). Errors come in the platform's error shape."},
    {"name": BACK_OFFICE, "description": "The leading group (a ZZD token and a leading-group post): the manual "
                                         "platform clock, the rule settings with their articles (Art. 8), the "
                                         "audit trail."},
    {"name": BACK_OFFICE_NOTIFICATIONS, "description": "The leading group: every message to a person — ZZD work "
                                                       "notice, ZLB message, SMS — with its status and attempts "
                                                       "(Art. 8, 29–30); a parked one resent. Ids and the "
                                                       "channel's recipient id only, never a phone number."},
    {"name": PARTNER, "description": "The audit, credit-code and tender systems with their own API key (X-API-Key): "
                                     "read-only scores, colours, ledgers, bid bans and the feed's changes after a "
                                     "cursor (Art. 37(3)); the same changes are on the exchange supervision.scores."},
    {"name": LOGIN, "description": "A portal's one-time proof (ZZD auth code, ZLB ticket) for the gateway's token."},
    {"name": OPERATIONS, "description": "Health and readiness, for the orchestrator."},
]


class ContractRoute(APIRoute):
    """A route whose answer keeps the service's shape: the response model validates it and
    leaves out what the model does not describe, never adds a field the service left out."""

    def __init__(self, path: str, endpoint, **kwargs) -> None:
        kwargs["response_model_exclude_unset"] = True
        super().__init__(path, endpoint, **kwargs)
