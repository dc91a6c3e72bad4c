"""Which committed changes notify whom, and what the notification says in English and Indonesian.

``derive`` is called by the audited session's ``before_flush`` hook (``ascc.wiring``) with the
pending changes; the notification rows and queued e-mails it adds are flushed, audited and
committed with the change that caused them, or rolled back with it. It reads the changed rows'
classes and attribute history only; it never changes them.

Events and recipients:

- a new proposal text on a decision item (``position_requested`` for the first text,
  ``text_reset`` for a later one, which resets the positions): every active focal point of a member
  state whose sectors cover the item's sector (or who is not limited to sectors);
- a silence procedure starts (``silence_started``) and ends, adopted or broken (``silence_ended``):
  the same focal points, and the Secretariat when it ends;
- a submission is returned with the reviewer's comment (``submission_returned``) or approved
  (``submission_approved``): the active focal points of the submission's member state;
- a situation report is issued (``sitrep_published``): the Secretariat and the focal points of the
  affected member states who cover disaster management;
- an offer of assistance is made on a request (``assistance_offered``): the requesting member
  state's focal points who cover disaster management;
- a data call opens (``data_call_opened``): the active focal points of every member state it asks.
  The call's number is known only once it is written, so these are made after the flush that writes
  it (``derive_after``, the session's ``after_flush_postexec``) and written with the same commit;
- a national plan's draft goes to consultation (``national_consultation_opened``): the active focal
  points of the plan's member state;
- a fund call opens (``fund_call_opened``): the active focal points of every member state; a fund
  proposal is submitted (``fund_proposal_submitted``): the chairs of the fund's owner body and the
  Secretariat (both after the flush, as data calls); the decision item of a fund proposal's
  recommendation is adopted (``fund_proposal_decided``): the submitting member state's focal points.

Time-based reminders (a data call's deadline nears, a meeting's paper deadline nears) are not
derived from a change but by the notify job: ``ascc.notifications.reminders``.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import inspect, select
from sqlalchemy.orm import Session

from ascc.accounts.models import User
from ascc.accounts.permissions import DISASTER_SECTOR
from ascc.accounts.schemas import Role
from ascc.decisions.models import DecisionItem, ProposalVersion, SilenceProcedure
from ascc.disasters.models import (
    AssistanceOffer,
    AssistanceRequest,
    Event,
    SituationReport,
    SituationReportVersion,
)
from ascc.funds.models import Fund, FundCall, Proposal
from ascc.kit import clock
from ascc.monitoring.models import DataCall, Submission
from ascc.national.models import NationalPlan
from ascc.notifications.models import Notification, NotificationPreference, OutboxMessage

#: subject and body per kind and language; ``{…}`` fields are filled from the event
TEXTS: dict[str, dict[str, tuple[str, str]]] = {
    "position_requested": {
        "en": (
            "Position requested: {title}",
            "A proposal text (version {number}) on “{title}” waits for your member state's position.",
        ),
        "id": (
            "Posisi diminta: {title}",
            "Teks usulan (versi {number}) tentang “{title}” menunggu posisi negara anggota Anda.",
        ),
    },
    "text_reset": {
        "en": (
            "New text, positions reset: {title}",
            "A new proposal text (version {number}) on “{title}” replaces the previous one; positions "
            "on the earlier text no longer count. Please record your member state's position again.",
        ),
        "id": (
            "Teks baru, posisi diatur ulang: {title}",
            "Teks usulan baru (versi {number}) tentang “{title}” menggantikan yang sebelumnya; posisi atas "
            "teks sebelumnya tidak berlaku lagi. Mohon catat kembali posisi negara anggota Anda.",
        ),
    },
    "silence_started": {
        "en": (
            "Silence procedure started: {title}",
            "A silence procedure on version {number} of “{title}” runs until {deadline}. Without an "
            "objection by then the text is adopted.",
        ),
        "id": (
            "Prosedur diam dimulai: {title}",
            "Prosedur diam atas versi {number} dari “{title}” berlangsung hingga {deadline}. Tanpa "
            "keberatan hingga saat itu, teks diadopsi.",
        ),
    },
    "silence_adopted": {
        "en": (
            "Silence procedure ended, adopted: {title}",
            "The silence procedure on “{title}” ended without objection; the text is adopted.",
        ),
        "id": (
            "Prosedur diam berakhir, diadopsi: {title}",
            "Prosedur diam atas “{title}” berakhir tanpa keberatan; teks diadopsi.",
        ),
    },
    "silence_broken": {
        "en": (
            "Silence procedure broken: {title}",
            "The silence procedure on “{title}” ended: {member_state} objected.",
        ),
        "id": (
            "Prosedur diam terputus: {title}",
            "Prosedur diam atas “{title}” berakhir: {member_state} menyatakan keberatan.",
        ),
    },
    "submission_returned": {
        "en": (
            "Submission {id} returned",
            "The Secretariat returned submission {id} of {member_state}. Reviewer's comment: {comment}",
        ),
        "id": (
            "Pengajuan {id} dikembalikan",
            "Sekretariat mengembalikan pengajuan {id} dari {member_state}. Komentar peninjau: {comment}",
        ),
    },
    "submission_approved": {
        "en": (
            "Submission {id} approved",
            "The Secretariat approved submission {id} of {member_state}; its values are published.",
        ),
        "id": (
            "Pengajuan {id} disetujui",
            "Sekretariat menyetujui pengajuan {id} dari {member_state}; nilainya telah dipublikasikan.",
        ),
    },
    "assistance_offered": {
        "en": (
            "Assistance offered: {title}",
            "{offered_by} offered assistance on the request “{title}”. Accept or decline it on the request's page.",
        ),
        "id": (
            "Bantuan ditawarkan: {title}",
            "{offered_by} menawarkan bantuan atas permintaan “{title}”. Terima atau tolak di halaman permintaan.",
        ),
    },
    "sitrep_published": {
        "en": (
            "Situation report {number}: {title}",
            "The AHA Centre issued situation report {number} on {event} (as of {as_of}): {title}",
        ),
        "id": (
            "Laporan situasi {number}: {title}",
            "AHA Centre menerbitkan laporan situasi {number} tentang {event} (per {as_of}): {title}",
        ),
    },
}
TEXTS |= {
    "data_call_opened": {
        "en": (
            "Data call: {title}",
            "The ASEAN Secretariat asks {member_state} for {expected} values by {deadline}: indicators "
            "{indicators}; periods {periods}. Download the pre-filled template on the call's page, fill "
            "in the values and submit them.{message}",
        ),
        "id": (
            "Permintaan data: {title}",
            "Sekretariat ASEAN meminta {member_state} mengirimkan {expected} nilai paling lambat "
            "{deadline}: indikator {indicators}; periode {periods}. Unduh templat yang sudah terisi di "
            "halaman permintaan, isi nilainya, lalu ajukan.{message}",
        ),
    },
    "data_call_reminder": {
        "en": (
            "Reminder: data call “{title}” due {deadline}",
            "The deadline of the data call “{title}” is {deadline} ({when}). {missing} of {expected} "
            "values from {member_state} are still missing (neither submitted nor approved): {details}.",
        ),
        "id": (
            "Pengingat: permintaan data “{title}” jatuh tempo {deadline}",
            "Batas waktu permintaan data “{title}” adalah {deadline} ({when}). {missing} dari {expected} "
            "nilai dari {member_state} masih belum ada (belum diajukan atau disetujui): {details}.",
        ),
    },
    "papers_due_reminder": {
        "en": (
            "Papers due {due}: {title}",
            "Papers for “{title}” ({date}) are due on {due} ({when}).",
        ),
        "id": (
            "Dokumen jatuh tempo {due}: {title}",
            "Dokumen untuk “{title}” ({date}) harus masuk paling lambat {due} ({when}).",
        ),
    },
}
TEXTS |= {
    "national_consultation_opened": {
        "en": (
            "Consultation opened: {title}",
            "The draft national plan “{title}” of {member_state} circulates to {ministries} for comments by "
            "{deadline}. Record each ministry's comments, by section, on the plan's page.",
        ),
        "id": (
            "Konsultasi dibuka: {title}",
            "Rancangan rencana nasional “{title}” dari {member_state} diedarkan kepada {ministries} untuk "
            "dimintai komentar paling lambat {deadline}. Catat komentar setiap kementerian, per bagian, di "
            "halaman rencana.",
        ),
    },
}
TEXTS |= {
    "fund_call_opened": {
        "en": (
            "Call for proposals: {title}",
            "{fund} opened the call “{title}”. Proposals of up to {ceiling} {currency} are submitted by "
            "member states' focal points until {deadline}.",
        ),
        "id": (
            "Panggilan proposal: {title}",
            "{fund} membuka panggilan “{title}”. Proposal hingga {ceiling} {currency} diajukan oleh focal "
            "point negara anggota paling lambat {deadline}.",
        ),
    },
    "fund_proposal_submitted": {
        "en": (
            "Fund proposal from {member_state}: {title}",
            "{member_state} submitted the proposal “{title}” ({requested} {currency}) to the call “{call}”. "
            "It waits for the eligibility check and the review.",
        ),
        "id": (
            "Proposal dana dari {member_state}: {title}",
            "{member_state} mengajukan proposal “{title}” ({requested} {currency}) pada panggilan “{call}”. "
            "Proposal menunggu pemeriksaan kelayakan dan peninjauan.",
        ),
    },
    "fund_proposal_decided": {
        "en": (
            "Fund proposal decided: {title}",
            "The decision on the proposal “{title}” of {member_state} is adopted: {outcome}.",
        ),
        "id": (
            "Proposal dana diputuskan: {title}",
            "Keputusan atas proposal “{title}” dari {member_state} telah diadopsi: {outcome}.",
        ),
    },
}
FUND_OUTCOMES = {
    "fund": ("funded with {amount} {currency}", "didanai sebesar {amount} {currency}"),
    "do_not_fund": ("not funded", "tidak didanai"),
}
#: the kinds as the silence procedure's end names them
SILENCE_ENDED = {"adopted": "silence_adopted", "broken": "silence_broken"}


def _changed(obj: Any, key: str) -> tuple[Any, Any] | None:
    """``(old, new)`` when the attribute changed in this flush, else None."""
    hist = inspect(obj).attrs[key].history
    if not hist.added:
        return None
    return (hist.deleted[0] if hist.deleted else None), hist.added[0]


def _users(session: Session, *conditions: Any) -> list[tuple[User, NotificationPreference | None]]:
    stmt = (
        select(User, NotificationPreference)
        .outerjoin(NotificationPreference, NotificationPreference.user_id == User.id)
        .where(User.active.is_(True), *conditions)
        .order_by(User.id)
    )
    return [(u, p) for u, p in session.execute(stmt).all()]


def _focal_points(session: Session, *, member_state: str | None = None, sector: str | None = None):
    conditions = [User.role == Role.focal_point.value, User.member_state.is_not(None)]
    if member_state is not None:
        conditions.append(User.member_state == member_state)
    return [
        (u, p)
        for u, p in _users(session, *conditions)
        if sector is None or not u.sectors or sector in u.sectors
    ]


def _secretariat(session: Session):
    return _users(session, User.role == Role.secretariat.value)


def _item_fields(session: Session, item_id: int) -> tuple[DecisionItem | None, dict[str, dict[str, Any]]]:
    item = session.get(DecisionItem, item_id)
    if item is None:
        return None, {}
    return item, {"en": {"title": item.title_en}, "id": {"title": item.title_id or item.title_en}}


def _notify(
    session: Session,
    recipients: list[tuple[User, NotificationPreference | None]],
    *,
    kind: str,
    link: str,
    fields: dict[str, dict[str, Any]],
    now: dt.datetime,
) -> list[Notification]:
    """One notification per recipient (and its e-mail, as each prefers); returns the notifications."""
    made: list[Notification] = []
    seen: set[int] = set()
    for user, pref in recipients:
        if user.id in seen:
            continue
        seen.add(user.id)
        lang = pref.language if pref is not None else "en"
        subject, body = TEXTS[kind][lang]
        values = {**fields.get("en", {}), **fields.get(lang, {})}
        subject = " ".join(subject.format(**values).split())[:300]  # one header line
        body = body.format(**values)
        note = Notification(user_id=user.id, kind=kind, subject=subject, body=body, link=link, created_at=now)
        session.add(note)
        made.append(note)
        if pref is not None and pref.email == "digest":
            note.digest_pending = True
        elif pref is None or pref.email == "immediate":
            session.add(
                OutboxMessage(
                    notification=note,
                    to_addr=user.email,
                    subject=subject,
                    body=body,
                    link=link,
                    status="queued",
                    attempts=0,
                    next_attempt_at=now,
                    created_at=now,
                )
            )
    return made


#: ``session.info`` key: the data calls written by the flush under way (``derive_after`` tells)
OPENED_CALLS = "ascc_opened_data_calls"


def derive(session: Session) -> None:
    """Add the notifications (and queued e-mails) that the pending changes of ``session`` cause."""
    session.info[OPENED_CALLS] = [
        obj for obj in session.new if isinstance(obj, DataCall | FundCall | Proposal)
    ]
    if not (session.new or session.dirty):
        return
    now = clock.now()
    with session.no_autoflush:
        for obj in list(session.new):
            if isinstance(obj, ProposalVersion):
                item, fields = _item_fields(session, obj.item_id)
                if item is not None:
                    for f in fields.values():
                        f["number"] = obj.number
                    kind = "position_requested" if obj.number == 1 else "text_reset"
                    _notify(
                        session,
                        _focal_points(session, sector=item.sector_id),
                        kind=kind,
                        link=f"/decisions/{item.id}",
                        fields=fields,
                        now=now,
                    )
            elif isinstance(obj, SilenceProcedure):
                item, fields = _item_fields(session, obj.item_id)
                if item is not None:
                    deadline = obj.deadline.strftime("%Y-%m-%d %H:%M UTC")
                    for f in fields.values():
                        f.update(number=obj.version, deadline=deadline)
                    _notify(
                        session,
                        _focal_points(session, sector=item.sector_id),
                        kind="silence_started",
                        link=f"/decisions/{item.id}",
                        fields=fields,
                        now=now,
                    )
            elif isinstance(obj, SituationReportVersion) and obj.version == 1:
                _sitrep(session, obj, now)
            elif isinstance(obj, AssistanceOffer):
                request = session.get(AssistanceRequest, obj.request_id)
                if request is not None:
                    fields = {"en": {"title": request.title, "offered_by": obj.offered_by}}
                    recipients = _focal_points(
                        session, member_state=request.member_state, sector=DISASTER_SECTOR
                    )
                    _notify(
                        session,
                        recipients,
                        kind="assistance_offered",
                        link=f"/disasters/requests/{request.id}",
                        fields=fields,
                        now=now,
                    )
        for obj in list(session.dirty):
            if isinstance(obj, SilenceProcedure):
                change = _changed(obj, "status")
                if change and change[0] == "running" and change[1] in SILENCE_ENDED:
                    item, fields = _item_fields(session, obj.item_id)
                    if item is not None:
                        for f in fields.values():
                            f["member_state"] = obj.broken_by or ""
                        recipients = _focal_points(session, sector=item.sector_id) + _secretariat(session)
                        _notify(
                            session,
                            recipients,
                            kind=SILENCE_ENDED[change[1]],
                            link=f"/decisions/{item.id}",
                            fields=fields,
                            now=now,
                        )
            elif isinstance(obj, NationalPlan):
                change = _changed(obj, "status")
                if change and change[1] == "in_consultation":
                    _consultation_opened(session, obj, now)
            elif isinstance(obj, DecisionItem):
                change = _changed(obj, "status")
                if change and change[1] == "adopted" and change[0] != "adopted":
                    _fund_decided(session, obj, now=now)
            elif isinstance(obj, Submission):
                change = _changed(obj, "state")
                if change and change[1] in ("approved", "rejected"):
                    kind = "submission_approved" if change[1] == "approved" else "submission_returned"
                    fields = {
                        "en": {"id": obj.id, "member_state": obj.member_state, "comment": obj.comment or ""}
                    }
                    _notify(
                        session,
                        _focal_points(session, member_state=obj.member_state),
                        kind=kind,
                        link=f"/submissions/{obj.id}",
                        fields=fields,
                        now=now,
                    )


def _consultation_opened(session: Session, plan: NationalPlan, now: dt.datetime) -> None:
    common = {
        "member_state": plan.member_state,
        "ministries": ", ".join(plan.consultation_ministries or []),
        "deadline": plan.consultation_deadline.isoformat() if plan.consultation_deadline else "",
    }
    fields = {
        "en": {**common, "title": plan.title_en or plan.title_id},
        "id": {**common, "title": plan.title_id or plan.title_en},
    }
    _notify(
        session,
        _focal_points(session, member_state=plan.member_state),
        kind="national_consultation_opened",
        link=f"/national-plans/{plan.id}",
        fields=fields,
        now=now,
    )


def _sitrep(session: Session, version: SituationReportVersion, now: dt.datetime) -> None:
    report = session.get(SituationReport, version.sitrep_id)
    if report is None:
        return
    event = session.get(Event, report.event_id)
    if event is None:
        return
    name = event.name or f"{event.hazard} {event.start_date.isoformat()}"
    common = {"number": report.number, "event": name, "as_of": version.as_of.isoformat()}
    fields = {
        "en": {**common, "title": version.title_en},
        "id": {**common, "title": version.title_id or version.title_en},
    }
    recipients = list(_secretariat(session))
    for code in event.member_states or []:
        recipients += _focal_points(session, member_state=code, sector=DISASTER_SECTOR)
    _notify(
        session,
        recipients,
        kind="sitrep_published",
        link=f"/disasters/sitreps/{report.id}",
        fields=fields,
        now=now,
    )


def derive_after(session: Session) -> None:
    """After a flush: notify the focal points of the member states asked by the data calls it wrote
    (their numbers are known now); the next flush (at the latest the commit's) writes these."""
    calls = session.info.pop(OPENED_CALLS, None)
    if not calls:
        return
    now = clock.now()
    with session.no_autoflush:
        for call in calls:
            if call.id is None:
                continue
            if isinstance(call, DataCall):
                data_call_opened(session, call, now=now)
            elif isinstance(call, FundCall):
                fund_call_opened(session, call, now=now)
            else:
                fund_proposal_submitted(session, call, now=now)


def data_call_opened(session: Session, call: DataCall, *, now: dt.datetime) -> list[Notification]:
    made: list[Notification] = []
    common = {
        "title": call.title,
        "deadline": call.deadline.isoformat(),
        "expected": len(call.indicators) * len(call.periods),
        "indicators": ", ".join(call.indicators),
        "periods": ", ".join(call.periods),
    }
    message_en = f"\n\n{call.message_en}" if call.message_en else ""
    message_id = f"\n\n{call.message_id}" if call.message_id else message_en
    for code in call.member_states:
        fields = {
            "en": {**common, "member_state": code, "message": message_en},
            "id": {**common, "member_state": code, "message": message_id},
        }
        made += _notify(
            session,
            _focal_points(session, member_state=code),
            kind="data_call_opened",
            link=f"/data-calls/{call.id}",
            fields=fields,
            now=now,
        )
    return made


def fund_call_opened(session: Session, call: FundCall, *, now: dt.datetime) -> list[Notification]:
    fund = session.get(Fund, call.fund_id)
    if fund is None:
        return []
    common = {
        "ceiling": call.ceiling,
        "currency": call.currency,
        "deadline": call.deadline.strftime("%Y-%m-%d %H:%M UTC"),
    }
    fields = {
        "en": {**common, "title": call.title_en, "fund": fund.name_en},
        "id": {**common, "title": call.title_id or call.title_en, "fund": fund.name_id or fund.name_en},
    }
    return _notify(
        session,
        _focal_points(session),
        kind="fund_call_opened",
        link=f"/funds/calls/{call.id}",
        fields=fields,
        now=now,
    )


def _chairs(session: Session, body_id: str):
    return _users(session, User.role == Role.chair.value, User.body_id == body_id)


def fund_proposal_submitted(session: Session, proposal: Proposal, *, now: dt.datetime) -> list[Notification]:
    call = session.get(FundCall, proposal.call_id)
    fund = session.get(Fund, call.fund_id) if call is not None else None
    if call is None or fund is None:
        return []
    common = {
        "member_state": proposal.member_state,
        "requested": proposal.requested,
        "currency": call.currency,
    }
    fields = {
        "en": {**common, "title": proposal.title_en, "call": call.title_en},
        "id": {
            **common,
            "title": proposal.title_id or proposal.title_en,
            "call": call.title_id or call.title_en,
        },
    }
    return _notify(
        session,
        _chairs(session, fund.owner_body) + _secretariat(session),
        kind="fund_proposal_submitted",
        link=f"/funds/proposals/{proposal.id}",
        fields=fields,
        now=now,
    )


def _fund_decided(session: Session, item: DecisionItem, *, now: dt.datetime) -> None:
    proposal = session.scalar(select(Proposal).where(Proposal.decision_item_id == item.id))
    if proposal is None or proposal.recommendation not in FUND_OUTCOMES:
        return
    call = session.get(FundCall, proposal.call_id)
    currency = call.currency if call is not None else ""
    en, id_ = (
        t.format(amount=proposal.recommended_amount, currency=currency)
        for t in FUND_OUTCOMES[proposal.recommendation]
    )
    common = {"member_state": proposal.member_state}
    fields = {
        "en": {**common, "title": proposal.title_en, "outcome": en},
        "id": {**common, "title": proposal.title_id or proposal.title_en, "outcome": id_},
    }
    _notify(
        session,
        _focal_points(session, member_state=proposal.member_state),
        kind="fund_proposal_decided",
        link=f"/funds/proposals/{proposal.id}",
        fields=fields,
        now=now,
    )
