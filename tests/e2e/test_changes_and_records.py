"""End to end: the records kept during construction through HTTP with the manual clock —
concealed works with EXIF-checked photos (Art. 28), a supervision notice and its rectification
with the supervision log (Art. 45, 46), and the replacement of a key person with its post lock
(Art. 27)."""

import io
import time
from datetime import date, datetime, timedelta

import pytest
from PIL import ExifTags, Image

pytestmark = pytest.mark.e2e

START = datetime.fromisoformat("2027-03-01T09:00:00+08:00")
SITE = (30.1, 120.8)  # the centre of every project's geofence here
CONCEALED_INSPECTION = "art28.concealed.inspection"
PHOTO_EVIDENCE_SUSPECT = "art28.photo-evidence-suspect"
NOTICE_RECTIFICATION = "art45.notice-rectification"
NOTICE_VERIFICATION = "art45.notice-verification"


@pytest.fixture(scope="module")
def district(client):
    """A water-works district of its own, with its people, made through HTTP once for the module."""
    back_office = client.zzd_login("10001")
    client.set_clock(back_office, START.isoformat())
    people = [("authority_chief", "zzd", "61001", "authority", "chief"),
              ("supervising_chief", "zzd", "61002", "supervising", "chief"),
              ("line_head", "zzd", "61003", "line", "line_head"),
              ("owner_chief", "zzd", "61004", "owner", "chief"),
              ("lead", "zzd", "61005", "owner", "owner_project_lead"),
              ("firm_chief", "zlb", "zlb-71000", "contractor", "chief"),
              ("manager", "zlb", "zlb-71001", "contractor", "project_manager"),
              ("safety", "zlb", "zlb-71002", "contractor", "safety_officer"),
              ("safety_leaving", "zlb", "zlb-71003", "contractor", "safety_officer"),
              ("safety_coming", "zlb", "zlb-71004", "contractor", "safety_officer"),
              ("chief_engineer", "zlb", "zlb-71005", "supervisor", "chief_engineer"),
              ("inspector", "zlb", "zlb-71006", "supervisor", "inspector")]
    names = {
        "authority": "区水利局-记录",
        "supervising": "区水利工程中心-记录",
        "line": "水利条线-记录",
        "owner": "水务集团-记录",
        "contractor": "水电建设公司-记录",
        "supervisor": "水利监理公司-记录",
    }
    return client.register_district(back_office, industry="water", names=names,
                                    credit_codes=("913306049100000011", "913306049200000022"), people=people)


def register_project(client, district, name: str) -> str:
    """A project registered, assigned down the chain to the owner's lead, with its two firms."""
    ids, tokens = district["ids"], district["tokens"]
    pid = client.ok("POST", "/zzd/v1/projects", tokens["back_office"], 201, json={
        "name": name, "industry": "water", "kind": "government", "contract_amount": "8600000",
        "below_threshold": False, "geofence": {"center": list(SITE), "radius_m": 300},
        "planned_start": "2027-03-15", "planned_end": "2027-12-31"})["id"]
    chain = f"/zzd/v1/projects/{pid}/assignments"
    client.ok("POST", chain, tokens["back_office"], json={"level": "supervising_unit", "target_id": ids["supervising"]})
    client.ok("POST", chain, tokens["supervising_chief"], json={"level": "line", "target_id": ids["line"]})
    client.ok("POST", chain, tokens["line_head"], json={"level": "owner", "target_id": ids["owner"]})
    client.ok("POST", chain, tokens["owner_chief"], json={"level": "owner_project_lead", "target_id": ids["lead"]})
    contract = upload(client, tokens["lead"], "/zzd/v1/files", f"contract-{pid}.pdf")
    for firm in ("contractor", "supervisor"):
        client.ok("POST", f"/zzd/v1/projects/{pid}/participants", tokens["lead"], 201,
                  json={"unit_id": ids[firm], "role": firm, "contract_file_id": contract})
    return pid


def build_project(client, district, name: str, safety: str = "safety") -> str:
    """A project in construction with its key people on their posts."""
    ids, tokens = district["ids"], district["tokens"]
    pid = register_project(client, district, name)
    for person, post in (("manager", "project_manager"), (safety, "safety_officer"),
                         ("chief_engineer", "chief_engineer"), ("inspector", "inspector")):
        client.ok("POST", f"/zzd/v1/projects/{pid}/personnel", tokens["lead"], 201,
                  json={"user_id": ids[person], "post": post})
    assert client.ok("POST", f"/zzd/v1/projects/{pid}/construction-start", tokens["lead"])["status"] == \
        "in_construction"
    return pid


def upload(client, token, route: str, name: str, content: bytes | None = None,
           content_type: str = "application/pdf") -> str:
    content = content if content is not None else f"%PDF-1.4 {name}".encode()
    return client.ok("POST", route, token, 201, files={"file": (name, content, content_type)})["id"]


def jpeg(taken: datetime, position: tuple[float, float], label: str) -> bytes:
    """A real JPEG whose EXIF says when (DateTimeOriginal with its offset) and where (GPS) it was taken."""
    shade = sum(label.encode()) % 256
    image = Image.new("RGB", (24, 16), (shade, 255 - shade, 90))
    exif = Image.Exif()
    exif[ExifTags.Base.ImageDescription] = label
    details = exif.get_ifd(ExifTags.IFD.Exif)
    details[ExifTags.Base.DateTimeOriginal] = taken.strftime("%Y:%m:%d %H:%M:%S")
    details[ExifTags.Base.OffsetTimeOriginal] = "+08:00"
    gps = exif.get_ifd(ExifTags.IFD.GPSInfo)

    def dms(value: float) -> tuple[float, float, float]:
        return float(int(value)), round((value - int(value)) * 60, 4), 0.0

    gps[ExifTags.GPS.GPSLatitudeRef], gps[ExifTags.GPS.GPSLatitude] = "N", dms(position[0])
    gps[ExifTags.GPS.GPSLongitudeRef], gps[ExifTags.GPS.GPSLongitude] = "E", dms(position[1])
    out = io.BytesIO()
    image.save(out, "JPEG", exif=exif)
    return out.getvalue()


def photo(client, token, taken: datetime, label: str) -> str:
    return upload(client, token, "/zlb/v1/files", f"{label}.jpg", jpeg(taken, SITE, label), "image/jpeg")


def deadlines_of(client, token, pid, rule_id: str) -> dict[str, dict]:
    """The project's deadlines of one rule, by their subject."""
    return {d["subject_id"]: d for d in client.ok("GET", f"/zzd/v1/projects/{pid}/deadlines", token)
            if d["rule_id"] == rule_id}


def events_matching(published, predicate, seconds: float = 15, settle: float = 1.0) -> list[dict]:
    """The published bodies for which ``predicate(kind, body)`` holds, waiting for the outbox to
    relay at least one, then a little longer so that a duplicate would show."""
    deadline = time.monotonic() + seconds
    while True:
        found = [body for kind, body in published([], seconds=0.2) if predicate(kind, body)]
        if found or time.monotonic() > deadline:
            break
        time.sleep(0.1)
    time.sleep(settle)
    return [body for kind, body in published([], seconds=0.2) if predicate(kind, body)]


def test_concealed_works_with_exif_checked_photos_and_the_missed_inspection(client, district, published):
    ids, tokens = district["ids"], district["tokens"]
    clock = client.clock(tokens["back_office"], START)
    clock.set(START)
    pid = build_project(client, district, "渠道衬砌工程-隐蔽")
    work_day = START.date() + timedelta(days=1)
    application = {"project_id": pid, "part": "K1+200 渠底钢筋", "important": False}
    refused = client.refused("POST", "/zlb/v1/concealed-works", tokens["manager"], 422,
                             json={**application, "planned_date": (START.date() + timedelta(days=3)).isoformat()})
    assert [d["field"] for d in refused["details"]] == ["planned_date"]
    work = client.ok("POST", "/zlb/v1/concealed-works", tokens["manager"], 201,
                     json={**application, "planned_date": work_day.isoformat()})
    assert (work["status"], work["planned_date"], work["application"]["contractor_id"]) == (
        "awaiting_inspection", work_day.isoformat(), ids["contractor"])
    forgotten = client.ok("POST", "/zlb/v1/concealed-works", tokens["manager"], 201,
                          json={**application, "part": "K1+400 涵管基础", "planned_date": work_day.isoformat()})

    on_the_day = datetime.combine(work_day, datetime.min.time(), tzinfo=START.tzinfo) + timedelta(hours=10)
    clock.set(on_the_day)
    inspector = tokens["inspector"]
    before = [photo(client, inspector, on_the_day - timedelta(hours=2, minutes=m), f"before-{m}") for m in (0, 5)]
    after = [photo(client, inspector, on_the_day - timedelta(minutes=20), "after")]
    scale = photo(client, inspector, on_the_day - timedelta(minutes=10), "scale")
    yesterday = photo(client, inspector, on_the_day - timedelta(days=1), "scale-yesterday")
    inspection = {"result": "passed", "note": "钢筋间距、保护层厚度符合设计"}
    refused = client.refused("POST", f"/zlb/v1/concealed-works/{work['id']}/inspection", inspector, 422,
                             json={**inspection, "photos": {"before": before, "after": after, "with_scale": []}})
    assert [d["field"] for d in refused["details"]] == ["photos.with_scale"]
    inspected = client.ok("POST", f"/zlb/v1/concealed-works/{work['id']}/inspection", inspector,
                          json={**inspection, "photos": {"before": before, "after": after,
                                                         "with_scale": [scale, yesterday]}})
    assert inspected["status"] == "awaiting_review"
    assert inspected["inspection"]["supervisor_id"] == ids["supervisor"]
    assert inspected["inspection"]["photos"] == {"before": before, "after": after, "with_scale": [scale, yesterday]}
    assert [(f["file_id"], f["kind"], f["reasons"]) for f in inspected["inspection"]["photo_flags"]] == [
        (yesterday, "with_scale", ["other_day"])]
    suspect = events_matching(published, lambda kind, body: kind == "warning.raised" and body["project_id"] == pid
                              and body["rule_id"] == PHOTO_EVIDENCE_SUSPECT)
    assert len(suspect) == 1
    assert (suspect[0]["article"], suspect[0]["firm_id"], suspect[0]["must_act"]) == (
        "Art. 28", ids["supervisor"], ids["owner"])
    assert suspect[0]["detail"]["concealed_work_id"] == work["id"]
    assert [f["file_id"] for f in suspect[0]["detail"]["photo_flags"]] == [yesterday]

    reviewed = client.ok("POST", f"/zzd/v1/concealed-works/{work['id']}/review", tokens["owner_chief"],
                         json={"verdict": "accepted", "note": "照片齐全，已核对"})
    assert reviewed["status"] == "reviewed"
    assert (reviewed["review"]["by"], reviewed["review"]["verdict"]) == (ids["owner_chief"], "accepted")

    end_of_day = on_the_day.replace(hour=23, minute=59)
    clock.set(end_of_day)
    assert deadlines_of(client, tokens["owner_chief"], pid, CONCEALED_INSPECTION)[forgotten["id"]]["fired"] == []
    clock.set(end_of_day + timedelta(hours=8))
    inspections = deadlines_of(client, tokens["owner_chief"], pid, CONCEALED_INSPECTION)
    assert (inspections[forgotten["id"]]["status"], inspections[forgotten["id"]]["fired"]) == ("open", ["warning"])
    assert (inspections[work["id"]]["status"], inspections[work["id"]]["fired"]) == ("satisfied", [])
    missed = events_matching(published, lambda kind, body: kind == "warning.raised" and body["project_id"] == pid
                             and body["rule_id"] == CONCEALED_INSPECTION)
    assert [(w["must_act"], w["detail"]["subject_id"]) for w in missed] == [(ids["supervisor"], forgotten["id"])]
    listed = client.ok("GET", f"/zzd/v1/projects/{pid}/concealed-works", tokens["owner_chief"])
    # Both applied at the same platform time: their order is their ids', so compare them as a set.
    assert {(w["id"], w["status"]) for w in listed} == {(work["id"], "reviewed"),
                                                         (forgotten["id"], "awaiting_inspection")}


def test_a_supervision_notice_rectified_late_and_one_log_a_day(client, district, published):
    ids, tokens = district["ids"], district["tokens"]
    clock = client.clock(tokens["back_office"], START)
    clock.set(START)
    pid = build_project(client, district, "泵站改造工程-监理通知")
    notice = client.ok("POST", "/zlb/v1/supervision-notices", tokens["chief_engineer"], 201, json={
        "project_id": pid, "subject": "模板支撑间距超标", "requirement": "按方案加密立杆并复测",
        "rectify_within_days": 3})
    assert (notice["status"], notice["contractor_unit_id"], notice["supervisor_unit_id"]) == (
        "awaiting_rectification", ids["contractor"], ids["supervisor"])

    clock.days_later(2, START)
    assert deadlines_of(client, tokens["owner_chief"], pid, NOTICE_RECTIFICATION)[notice["id"]]["fired"] == []
    clock.days_later(3, START)
    assert deadlines_of(client, tokens["owner_chief"], pid, NOTICE_RECTIFICATION)[notice["id"]]["fired"] == [
        "warning"]
    late = START + timedelta(days=3, hours=5)
    clock.set(late)
    watched = deadlines_of(client, tokens["owner_chief"], pid, NOTICE_RECTIFICATION)[notice["id"]]
    assert (watched["status"], watched["fired"]) == ("open", ["warning"])
    warned = events_matching(published, lambda kind, body: kind == "warning.raised" and body["project_id"] == pid
                             and body["rule_id"] == NOTICE_RECTIFICATION)
    assert [(w["must_act"], w["detail"]["subject_id"]) for w in warned] == [(ids["contractor"], notice["id"])]

    evidence = upload(client, tokens["manager"], "/zlb/v1/files", "rectified.pdf")
    answered = client.ok("POST", f"/zlb/v1/supervision-notices/{notice['id']}/rectification", tokens["manager"],
                         json={"description": "立杆已加密至 0.9 m，复测合格", "file_ids": [evidence]})
    assert answered["status"] == "awaiting_verification"
    verified = client.ok("POST", f"/zlb/v1/supervision-notices/{notice['id']}/verification",
                         tokens["chief_engineer"], json={"verdict": "accepted", "note": "现场复核合格"})
    assert verified["status"] == "rectified" and verified["closed_at"] is not None
    assert [(r["file_ids"], r["verdict"]) for r in verified["rectifications"]] == [([evidence], "accepted")]
    watched = deadlines_of(client, tokens["owner_chief"], pid, NOTICE_RECTIFICATION)[notice["id"]]
    assert (watched["status"], watched["fired"]) == ("satisfied", ["warning"])

    log = {"project_id": pid, "log_date": late.date().isoformat(), "weather": "晴",
           "content": "泵房模板复查，混凝土浇筑"}
    recorded = client.ok("POST", "/zlb/v1/supervision-logs", tokens["inspector"], 201, json=log)
    assert (recorded["kind"], recorded["supervisor_unit_id"]) == ("log", ids["supervisor"])
    client.refused("POST", "/zlb/v1/supervision-logs", tokens["chief_engineer"], 409,
                   json={**log, "content": "同日第二份日志"})
    records = client.ok("GET", f"/zzd/v1/projects/{pid}/supervision-records", tokens["owner_chief"])
    assert [r["id"] for r in records["logs"]] == [recorded["id"]]
    assert [n["status"] for n in records["notices"]] == ["rectified"]


def notice_warnings(published, pid, seconds: float = 15) -> list[tuple[str, str, str | None, str]]:
    """The notices' warnings published for the project: (rule, must act, firm, notice)."""
    return [(w["rule_id"], w["must_act"], w["firm_id"], w["detail"]["subject_id"]) for w in events_matching(
        published, lambda kind, body: kind == "warning.raised" and body["project_id"] == pid
        and body["rule_id"] in (NOTICE_RECTIFICATION, NOTICE_VERIFICATION), seconds=seconds)]


def test_an_answered_notice_holds_the_contractors_days_and_a_late_verification_warns_the_supervisor(
        client, district, published):
    ids, tokens = district["ids"], district["tokens"]
    clock = client.clock(tokens["back_office"], START)
    clock.set(START)
    pid = build_project(client, district, "泵站改造工程-核查")
    body = {"project_id": pid, "subject": "临边防护缺失", "requirement": "补设防护栏杆", "rectify_within_days": 2}
    verified_in_time, verified_late = (client.ok("POST", "/zlb/v1/supervision-notices", tokens["chief_engineer"],
                                                 201, json=body)["id"] for _ in range(2))
    clock.days_later(1, START)  # day 1 of 2: the contractor answers both
    for notice_id in (verified_in_time, verified_late):
        evidence = upload(client, tokens["manager"], "/zlb/v1/files", f"rectified-{notice_id}.pdf")
        client.ok("POST", f"/zlb/v1/supervision-notices/{notice_id}/rectification", tokens["manager"],
                  json={"description": "防护栏杆已补设", "file_ids": [evidence]})
    held = deadlines_of(client, tokens["owner_chief"], pid, NOTICE_RECTIFICATION)[verified_late]
    assert held["next_due_at"] is None and held["holds"][0]["until"] is None
    verifying = deadlines_of(client, tokens["owner_chief"], pid, NOTICE_VERIFICATION)[verified_late]
    assert (verifying["responsible_unit_id"], verifying["next_due_at"]) == (
        ids["supervisor"], (START + timedelta(days=4)).isoformat())  # three days: a platform default
    clock.days_later(3, START)  # the notices' two days are past: the answers stopped them
    client.ok("POST", f"/zlb/v1/supervision-notices/{verified_in_time}/verification", tokens["chief_engineer"],
              json={"verdict": "accepted", "note": "现场复核合格"})
    assert deadlines_of(client, tokens["owner_chief"], pid, NOTICE_RECTIFICATION)[verified_in_time]["fired"] == []
    clock.days_later(4, START)  # three days since the answer: the supervisor is late, not the contractor
    assert notice_warnings(published, pid) == [(NOTICE_VERIFICATION, ids["supervisor"], ids["supervisor"],
                                                verified_late)]
    rejected_at = START + timedelta(days=4, hours=1)
    clock.set(rejected_at)
    client.ok("POST", f"/zlb/v1/supervision-notices/{verified_late}/verification", tokens["chief_engineer"],
              json={"verdict": "rejected", "note": "栏杆高度不足"})
    # The contractor has the day it had left, from the rejection.
    resumed = deadlines_of(client, tokens["owner_chief"], pid, NOTICE_RECTIFICATION)[verified_late]
    assert resumed["next_due_at"] == (rejected_at + timedelta(days=1)).isoformat()
    clock.set(rejected_at + timedelta(days=1))
    assert notice_warnings(published, pid)[-1] == (NOTICE_RECTIFICATION, ids["contractor"], ids["contractor"],
                                                   verified_late)
    assert len(notice_warnings(published, pid, seconds=1)) == 2  # each once


def test_a_notices_warning_names_the_contractor_it_is_addressed_to(client, district, published):
    tokens = district["tokens"]
    clock = client.clock(tokens["back_office"], START)
    clock.set(START)
    pid = build_project(client, district, "泵站改造工程-二标")
    second = client.ok("POST", "/zzd/v1/units", tokens["back_office"], 201, json={
        "kind": "contractor", "name": "第二水电建设公司-记录", "credit_code": "913306049300000033"})["id"]
    contract = upload(client, tokens["lead"], "/zzd/v1/files", f"contract-second-{pid}.pdf")
    client.ok("POST", f"/zzd/v1/projects/{pid}/participants", tokens["lead"], 201,
              json={"unit_id": second, "role": "contractor", "contract_file_id": contract})
    notice = client.ok("POST", "/zlb/v1/supervision-notices", tokens["chief_engineer"], 201, json={
        "project_id": pid, "contractor_unit_id": second, "subject": "二标排水沟堵塞", "requirement": "清理疏通",
        "rectify_within_days": 1})
    # The first contractor's project manager does not answer for the second.
    evidence = upload(client, tokens["manager"], "/zlb/v1/files", f"not-ours-{pid}.pdf")
    client.refused("POST", f"/zlb/v1/supervision-notices/{notice['id']}/rectification", tokens["manager"], 403,
                   json={"description": "已清理", "file_ids": [evidence]})
    clock.days_later(1, START)
    assert notice_warnings(published, pid) == [(NOTICE_RECTIFICATION, second, second, notice["id"])]
    assert deadlines_of(client, tokens["owner_chief"], pid, NOTICE_RECTIFICATION)[notice["id"]][
        "responsible_unit_id"] == second


def insurance_months(today: date, months: int = 3) -> list[str]:
    """The full calendar months before the current one."""
    first = today.replace(day=1)
    found = []
    for _ in range(months):
        first = (first - timedelta(days=1)).replace(day=1)
        found.append(first.strftime("%Y-%m"))
    return sorted(found)


def test_the_safety_officer_replaced_and_barred_from_the_post_elsewhere(client, district, published):
    ids, tokens = district["ids"], district["tokens"]
    clock = client.clock(tokens["back_office"], START)
    clock.set(START)
    pid = build_project(client, district, "水闸加固工程-人员变更", safety="safety_leaving")
    chief = tokens["firm_chief"]
    months = insurance_months(START.date())
    assert months == ["2026-12", "2027-01", "2027-02"]
    request = {
        "kind": "personnel", "project_id": pid, "post": "safety_officer", "replaced_user_id": ids["safety_leaving"],
        "replacement_user_id": ids["safety_coming"], "reason": "原安全员调往公司其他项目",
        "qualification_file_ids": [upload(client, chief, "/zlb/v1/files", "safety-c-certificate.pdf")],
        "social_insurance_records": [{"month": month, "file_id": upload(client, chief, "/zlb/v1/files",
                                                                         f"insurance-{month}.pdf")}
                                     for month in months]}
    refused = client.refused("POST", "/zlb/v1/changes", chief, 422,
                             json={**request, "social_insurance_records": request["social_insurance_records"][1:]})
    assert [d["field"] for d in refused["details"]] == ["social_insurance_records"]
    assert months[0] in refused["details"][0]["reason"]
    change = client.ok("POST", "/zlb/v1/changes", chief, 201, json=request)
    assert (change["status"], change["firm_id"], change["approval_path"], change["open_steps"]) == (
        "pending", ids["contractor"], [["owner_agreement", "supervising_unit_agreement"], ["industry_filing"]],
        ["owner_agreement", "supervising_unit_agreement"])
    decision = f"/zzd/v1/changes/{change['id']}/decision"
    agree = {"decision": "approve", "note": "同意"}

    client.refused("POST", decision, tokens["line_head"], 403, json=agree)
    client.refused("POST", decision, tokens["authority_chief"], 409, json=agree)  # filing waits for the agreements
    owner_agreed = client.ok("POST", decision, tokens["owner_chief"], json=agree)
    assert owner_agreed["open_steps"] == ["supervising_unit_agreement"]
    client.refused("POST", decision, tokens["owner_chief"], 409, json=agree)
    agreed = client.ok("POST", decision, tokens["supervising_chief"], json=agree)
    assert (agreed["status"], agreed["open_steps"]) == ("pending", ["industry_filing"])
    client.refused("POST", decision, tokens["supervising_chief"], 409, json=agree)
    filed = client.ok("POST", decision, tokens["authority_chief"], json={"decision": "approve", "note": "已备案"})
    assert filed["status"] == "approved"
    assert [(s["step"], s["decision"], s["unit_id"]) for s in filed["steps"]] == [
        ("owner_agreement", "approve", ids["owner"]),
        ("supervising_unit_agreement", "approve", ids["supervising"]),
        ("industry_filing", "approve", ids["authority"])]
    client.refused("POST", decision, tokens["authority_chief"], 409, json=agree)

    form = upload(client, tokens["lead"], "/zzd/v1/files", "change-approval-form.pdf")
    client.refused("POST", f"/zzd/v1/changes/{change['id']}/approval-form", tokens["owner_chief"], 403,
                   json={"file_id": form})
    replaced = client.ok("POST", f"/zzd/v1/changes/{change['id']}/approval-form", tokens["lead"],
                         json={"file_id": form})
    assert (replaced["status"], replaced["approval_form_file_id"], replaced["replaced_by"]) == (
        "replaced", form, ids["lead"])
    project = client.ok("GET", f"/zzd/v1/projects/{pid}", tokens["lead"])
    assert [p["user_id"] for p in project["personnel"] if p["post"] == "safety_officer"] == [ids["safety_coming"]]
    assert ids["safety_leaving"] not in {p["user_id"] for p in project["personnel"]}
    announced = events_matching(published, lambda kind, body: kind == "personnel.replaced"
                                and body["project_id"] == pid)
    assert [(e["post"], e["firm_id"], e["replaced_user_id"], e["replacement_user_id"],
             e["post_locked_until_project_completed"]) for e in announced] == [
        ("safety_officer", ids["contractor"], ids["safety_leaving"], ids["safety_coming"], True)]

    other = register_project(client, district, "排涝泵站工程-另一项目")
    locked = client.refused("POST", f"/zzd/v1/projects/{other}/personnel", tokens["lead"], 409,
                            json={"user_id": ids["safety_leaving"], "post": "safety_officer"})
    assert pid in locked["message"] and "replaced" in locked["message"]
    client.ok("POST", f"/zzd/v1/projects/{other}/personnel", tokens["lead"], 201,
              json={"user_id": ids["safety"], "post": "safety_officer"})
