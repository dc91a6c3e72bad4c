"""Sign-in throttling: delays that double, per account, per account and address, per address.

Every attempt to sign in is *claimed* before its password is checked, in a transaction of its own
that the caller commits at once (``claim``). The claim counts the attempt in one row per key with
one statement (``INSERT … ON CONFLICT DO UPDATE … WHERE not_before <= now RETURNING``), so the check
("may this attempt go ahead?") and the count are one atomic step on SQLite and PostgreSQL: however
many guesses arrive at once, no more passwords are checked than the keys allow.

The keys, and how many attempts each allows before delays begin:

- ``pair:EMAIL|IP`` — the account from one client address: 5 attempts, then 1 s, 2 s, 4 s, …
  A successful sign-in starts it again from zero and marks the address as the account's usual one
  (for 90 days).
- ``account:EMAIL`` — the account from addresses it has not signed in from: 10 attempts, then
  delays that double. Attempts from the account's usual addresses skip it, so guesses from
  elsewhere never delay the owner at their usual address, and never by more than ``Limit.cap``
  anywhere else.
- ``ip:IP`` — one client address trying accounts it has not signed in to (password spraying): 30
  attempts, then delays that double.

Delays stop doubling at five minutes. A refused attempt is not counted and checks no password; a
successful one is given back on the ``account`` and ``ip`` keys, so only failures build them up. A
key with no attempt for a day starts again from zero. IPv6 addresses count per /64 network (one
subscriber's).
"""

from __future__ import annotations

import dataclasses
import ipaddress
import math
import time
from typing import NoReturn

from sqlalchemy import Float, case, delete, literal, or_, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from ascc.accounts.models import LoginThrottle
from ascc.kit.errors import TooManyRequests


@dataclasses.dataclass(frozen=True)
class Limit:
    #: attempts allowed one after another before the delays begin (at least 2)
    free: int
    #: the longest delay, in seconds
    cap: int


PAIR = Limit(free=5, cap=300)
ACCOUNT = Limit(free=10, cap=300)
ADDRESS = Limit(free=30, cap=300)
#: a key with no attempt for this long starts again from zero
FORGET_AFTER = 24 * 3600.0
#: an address the account signed in from within this long is one of its usual addresses
USUAL_FOR = 90 * 24 * 3600.0
#: rows removed after one successful sign-in, at most
PRUNE_AT_ONCE = 500

_T = LoginThrottle.__table__


def _clock() -> float:
    return time.time()


def client_key(ip: str) -> str:
    """The address as throttles count it: IPv4 as is, IPv6 by its /64 network."""
    try:
        address = ipaddress.ip_address(ip.strip())
    except ValueError:
        return ip.strip()[:64]
    if isinstance(address, ipaddress.IPv6Address):
        if address.ipv4_mapped is not None:
            return str(address.ipv4_mapped)
        return str(ipaddress.IPv6Network((address, 64), strict=False))
    return str(address)


def _keys(email: str, ip: str) -> tuple[str, str, str]:
    email = email.strip().lower()[:254]
    address = client_key(ip)
    return f"pair:{email}|{address}", f"account:{email}", f"ip:{address}"


def _insert(session: Session):
    dialect = session.get_bind().dialect.name
    return (postgresql.insert if dialect == "postgresql" else sqlite.insert)(LoginThrottle)


def _count(session: Session, key: str, limit: Limit, now: float) -> tuple[int, float | None] | None:
    """Count one attempt on ``key`` unless it must wait: ``(attempts, signed_in_at)``, or ``None``
    when the key's next attempt is not due yet (nothing is counted then)."""
    stale = _T.c.last_at < now - FORGET_AFTER
    counted = _T.c.attempts + 1
    delay = case(
        (stale, 0),
        (counted < limit.free, 0),
        (_T.c.delay == 0, 1),
        (_T.c.delay * 2 > limit.cap, limit.cap),
        else_=_T.c.delay * 2,
    )
    stmt = (
        _insert(session)
        .values(key=key, attempts=1, delay=0, not_before=now, last_at=now, signed_in_at=None)
        .on_conflict_do_update(
            index_elements=[_T.c.key],
            set_={
                "attempts": case((stale, 1), else_=counted),
                "delay": delay,
                "not_before": literal(now, Float) + delay,
                "last_at": now,
            },
            where=_T.c.not_before <= now,
        )
        .returning(_T.c.attempts, _T.c.signed_in_at)
    )
    row = session.execute(stmt).first()
    return None if row is None else (row[0], row[1])


def _wait(session: Session, key: str, now: float) -> int:
    not_before = session.scalar(select(_T.c.not_before).where(_T.c.key == key))
    return max(1, math.ceil((not_before or now) - now))


def claim(session: Session, *, email: str, ip: str) -> None:
    """Count a sign-in attempt before its password is checked, or refuse it while it must wait.

    Raises ``TooManyRequests`` (``retry_after``: seconds) when a key's next attempt is not due; the
    caller's unit of work then rolls back, so a refused attempt counts on no key. The caller commits
    a successful claim at once, in its own transaction, before checking the password."""
    now = _clock()
    pair, account, address = _keys(email, ip)
    counted = _count(session, pair, PAIR, now)
    if counted is None:
        _refuse(session, pair, now)
    signed_in_at = counted[1]
    if signed_in_at is not None and signed_in_at >= now - USUAL_FOR:
        return  # the account's usual address: guesses from elsewhere do not hold it up
    for key, limit in ((account, ACCOUNT), (address, ADDRESS)):
        if _count(session, key, limit, now) is None:
            _refuse(session, key, now)


def _refuse(session: Session, key: str, now: float) -> NoReturn:
    wait = _wait(session, key, now)
    raise TooManyRequests(
        f"too many failed sign-ins; try again in {wait} second{'s' if wait != 1 else ''}", retry_after=wait
    )


def succeeded(session: Session, *, email: str, ip: str) -> None:
    """After the right password: the address becomes one of the account's usual ones, its ``pair``
    key starts again from zero, and the attempt is given back on the ``account`` and ``ip`` keys if
    it was counted there. Rows quiet for longer than they matter are removed."""
    now = _clock()
    pair, account, address = _keys(email, ip)
    signed_in_at = session.scalar(select(_T.c.signed_in_at).where(_T.c.key == pair))
    # rows are locked in the claim's order (pair, account, address): two transactions never wait
    # for each other in a circle
    fresh = {"attempts": 0, "delay": 0, "not_before": now, "last_at": now, "signed_in_at": now}
    session.execute(
        _insert(session)
        .values(key=pair, **fresh)
        .on_conflict_do_update(index_elements=[_T.c.key], set_=fresh)
    )
    if signed_in_at is None or signed_in_at < now - USUAL_FOR:
        for key, limit in ((account, ACCOUNT), (address, ADDRESS)):
            left = _T.c.attempts - 1
            delay = case((left < limit.free, 0), else_=_T.c.delay // 2)
            session.execute(
                update(_T)
                .where(_T.c.key == key, _T.c.attempts > 0)
                .values(attempts=left, delay=delay, not_before=literal(now, Float) + delay)
            )
    # last, and without waiting for rows other sign-ins hold (PostgreSQL; SQLite locks the file)
    stale = (
        select(_T.c.key)
        .where(
            _T.c.last_at < now - FORGET_AFTER,
            or_(_T.c.signed_in_at.is_(None), _T.c.signed_in_at < now - USUAL_FOR),
        )
        .limit(PRUNE_AT_ONCE)
        .with_for_update(skip_locked=True)
    )
    session.execute(delete(_T).where(_T.c.key.in_(stale)))
