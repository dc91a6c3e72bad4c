"""Sign-in throttling: delays that double instead of a lock-out, the owner's usual address never
held up by guesses from elsewhere, atomic claims under parallel guesses (threads against the
service, and a real uvicorn on loopback), X-Forwarded-For only from trusted proxies, and the
password policy."""

from __future__ import annotations

import re
import threading
from concurrent.futures import ThreadPoolExecutor
from types import SimpleNamespace

import httpx
import pytest
import uvicorn
from argon2 import PasswordHasher
from sqlalchemy import select
from starlette.requests import Request
from typer.testing import CliRunner

from ascc.accounts import service as accounts_service
from ascc.accounts import throttle
from ascc.accounts.models import LoginThrottle
from ascc.accounts.schemas import UserCreate
from ascc.app import create_app
from ascc.cli import main as cli_main
from ascc.config import Settings
from ascc.db.engine import make_engine
from ascc.db.uow import unit_of_work
from ascc.http.auth import client_ip
from ascc.kit.errors import Invalid, TooManyRequests, Unauthorized
from ascc.wiring import session_factory
from tests.conftest import make_user, migrate, serving

PASSWORD = "a long enough password"
WRONG = "not the password at all"
EMAIL = "officer@asean.org"
USUAL = "203.0.113.7"


class Clock:
    """The throttle's clock, standing still unless moved: no test depends on how fast it runs."""

    def __init__(self) -> None:
        self.now = 1_900_000_000.0

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += seconds


@pytest.fixture
def clock(monkeypatch) -> Clock:
    c = Clock()
    monkeypatch.setattr(throttle, "_clock", c)
    return c


class CountingHasher:
    """The service's password hasher, counting the passwords it checks (a hash for an unknown
    address stands for a check)."""

    def __init__(self, hasher) -> None:
        self._hasher = hasher
        self._lock = threading.Lock()
        self.checks = 0

    def _count(self) -> None:
        with self._lock:
            self.checks += 1

    def verify(self, *args):
        self._count()
        return self._hasher.verify(*args)

    def hash(self, *args):
        self._count()
        return self._hasher.hash(*args)

    def check_needs_rehash(self, *args):
        return self._hasher.check_needs_rehash(*args)


@pytest.fixture(autouse=True)
def cheap_hashes(monkeypatch) -> None:
    """Real argon2 checks, at the lowest cost: these tests make hundreds of them."""
    monkeypatch.setattr(
        accounts_service, "_hasher", PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1)
    )


@pytest.fixture
def hasher(monkeypatch) -> CountingHasher:
    counting = CountingHasher(accounts_service._hasher)
    monkeypatch.setattr(accounts_service, "_hasher", counting)
    return counting


@pytest.fixture
def factory(fresh_url):
    migrate(fresh_url)
    make_user(fresh_url, email=EMAIL)
    make_user(fresh_url, email="other@asean.org")
    engine = make_engine(fresh_url)
    yield session_factory(engine)
    engine.dispose()


def attempt(factory, *, password: str = WRONG, ip: str = USUAL, email: str = EMAIL) -> tuple[int, int | None]:
    """One sign-in as the login page makes it: (200 | 401 | 429, seconds to wait)."""
    try:
        with unit_of_work(factory) as session:
            accounts_service.claim_sign_in(session, email=email, ip=ip)
        with unit_of_work(factory) as session:
            accounts_service.authenticate(session, email=email, password=password, ip=ip)
    except TooManyRequests as exc:
        return 429, exc.extra["retry_after"]
    except Unauthorized:
        return 401, None
    return 200, None


def test_delays_double_up_to_five_minutes_and_the_right_password_resets_them(factory, clock):
    assert [attempt(factory) for _ in range(5)] == [(401, None)] * 5
    waits = []
    for _ in range(12):
        status, wait = attempt(factory)
        assert status == 429
        assert attempt(factory) == (429, wait)  # a refused attempt counts nothing
        waits.append(wait)
        clock.advance(wait)
        assert attempt(factory) == (401, None)  # once waited, the password is checked again
    assert waits == [1, 2, 4, 8, 16, 32, 64, 128, 256, 300, 300, 300]
    status, wait = attempt(factory, password=PASSWORD)
    assert status == 429 and wait == 300  # a wait, never a lock-out
    clock.advance(wait)
    assert attempt(factory, password=PASSWORD) == (200, None)
    assert [attempt(factory) for _ in range(5)] == [(401, None)] * 5  # counted from zero again


def test_guesses_from_other_addresses_never_hold_up_the_owner_at_the_usual_address(factory, clock):
    assert attempt(factory, password=PASSWORD) == (200, None)  # the usual address
    # many addresses guessing: ten guesses on the account from addresses it never used, then waits
    results = [attempt(factory, ip=f"198.51.100.{i}") for i in range(60)]
    assert [s for s, _ in results].count(401) == 10
    # one address guessing on and on
    for _ in range(20):
        status, wait = attempt(factory, ip="192.0.2.66")
        if status == 429:
            clock.advance(wait)
    attempt(factory, ip="192.0.2.67")  # the account from elsewhere is held up now
    assert attempt(factory, password=PASSWORD) == (200, None)  # no wait at the usual address
    assert attempt(factory) == (401, None) and attempt(factory, password=PASSWORD) == (200, None)
    # a new address waits while the guessing goes on, but not for long
    status, wait = attempt(factory, password=PASSWORD, ip="192.0.2.200")
    assert status == 429 and wait <= throttle.ACCOUNT.cap
    clock.advance(wait)
    assert attempt(factory, password=PASSWORD, ip="192.0.2.200") == (200, None)


def test_one_address_trying_many_accounts_waits(factory, clock):
    results = [attempt(factory, email=f"user{i}@asean.org", ip="192.0.2.9") for i in range(40)]
    assert [s for s, _ in results].count(401) == throttle.ADDRESS.free
    # an account that has not signed in from there waits too; once it has, that is its usual address
    status, wait = attempt(factory, email="other@asean.org", password=PASSWORD, ip="192.0.2.9")
    assert status == 429
    clock.advance(wait)
    assert attempt(factory, email="other@asean.org", password=PASSWORD, ip="192.0.2.9") == (200, None)
    for i in range(40):
        attempt(factory, email=f"user{i}@asean.org", ip="192.0.2.9")
    assert attempt(factory, email="other@asean.org", password=PASSWORD, ip="192.0.2.9") == (200, None)


def test_many_people_signing_in_from_one_office_address_never_wait(factory, clock):
    with unit_of_work(factory) as session:
        for i in range(40):
            data = UserCreate(
                email=f"officer{i}@asean.org", name=f"Officer {i}", role="secretariat", password=PASSWORD
            )
            accounts_service.create_user(session, data=data)
    results = [
        attempt(factory, email=f"officer{i}@asean.org", password=PASSWORD, ip="192.0.2.1") for i in range(40)
    ]
    assert results == [(200, None)] * 40  # only failures build up the address's count


def test_quiet_rows_are_removed_and_usual_addresses_kept(factory, clock):
    assert attempt(factory, password=PASSWORD) == (200, None)
    attempt(factory, ip="198.51.100.1")
    clock.advance(throttle.FORGET_AFTER + 1)
    assert attempt(factory, email="other@asean.org", password=PASSWORD) == (200, None)
    with factory() as session:
        keys = set(session.scalars(select(LoginThrottle.key)))
    assert f"pair:{EMAIL}|{USUAL}" in keys  # its usual address is remembered
    assert f"pair:{EMAIL}|198.51.100.1" not in keys and f"account:{EMAIL}" not in keys
    assert attempt(factory, password=PASSWORD) == (200, None)


def _parallel(n: int, call) -> list:
    barrier = threading.Barrier(n)

    def run(i: int):
        barrier.wait()
        return call(i)

    with ThreadPoolExecutor(max_workers=n) as pool:
        return list(pool.map(run, range(n)))


def test_parallel_guesses_check_no_more_passwords_than_allowed(factory, clock, hasher):
    results = _parallel(40, lambda i: attempt(factory)[0])
    assert hasher.checks == throttle.PAIR.free
    assert sorted(results) == [401] * throttle.PAIR.free + [429] * (40 - throttle.PAIR.free)
    hasher.checks = 0
    results = _parallel(40, lambda i: attempt(factory, email="x@asean.org", ip=f"198.51.100.{i}")[0])
    assert hasher.checks == throttle.ACCOUNT.free == results.count(401)


def _serve(settings: Settings):
    """A real uvicorn on loopback in this process, with the proxy options ``ascc serve`` uses."""
    return serving(create_app(settings), **cli_main.proxy_options(settings))


def _guess_in_parallel(base: str, email: str) -> list[int]:
    with httpx.Client(base_url=base) as c:
        page = c.get("/login")
        csrf = re.search(r'name="csrf" value="([^"]+)"', page.text).group(1)
        cookies = dict(c.cookies)

    def guess(i: int) -> int:
        r = httpx.post(
            base + "/login",
            data={"email": email, "password": WRONG, "csrf": csrf},
            cookies=cookies,
            headers={"X-Forwarded-For": f"198.51.100.{i}"},
            timeout=60,
        )
        return r.status_code

    return _parallel(40, guess)


def test_parallel_guesses_over_http_and_forged_forwarded_for(fresh_url, clock, hasher):
    migrate(fresh_url)
    make_user(fresh_url, email=EMAIL)
    make_user(fresh_url, email="chair@asean.org")
    hasher.checks = 0
    # no trusted proxy (the default): X-Forwarded-For is ignored, every guess comes from 127.0.0.1
    with _serve(Settings(database_url=fresh_url)) as base:
        statuses = _guess_in_parallel(base, EMAIL)
    assert hasher.checks == throttle.PAIR.free == statuses.count(401)
    assert statuses.count(429) == 40 - throttle.PAIR.free
    # behind a trusted proxy on 127.0.0.1 each guess comes from its forwarded address: the account's
    # own limit holds them
    hasher.checks = 0
    with _serve(Settings(database_url=fresh_url, trusted_proxies="127.0.0.1")) as base:
        statuses = _guess_in_parallel(base, "chair@asean.org")
    assert hasher.checks == throttle.ACCOUNT.free == statuses.count(401)


def _request(peer: str, forwarded: list[str], trusted: str = "") -> Request:
    app = SimpleNamespace(state=SimpleNamespace(settings=Settings(trusted_proxies=trusted)))
    headers = [(b"x-forwarded-for", value.encode()) for value in forwarded]
    return Request({"type": "http", "headers": headers, "client": (peer, 40000), "app": app})


def test_forwarded_for_only_from_trusted_proxies():
    assert client_ip(_request("127.0.0.1", ["198.51.100.1"])) == "127.0.0.1"  # nothing trusted by default
    assert client_ip(_request("192.0.2.5", ["198.51.100.1"], "10.0.0.0/8")) == "192.0.2.5"
    proxy = "10.0.0.0/8, 127.0.0.1"
    assert client_ip(_request("10.0.0.2", ["198.51.100.1"], proxy)) == "198.51.100.1"
    # the client may send its own header: only what the trusted proxies appended counts
    assert client_ip(_request("10.0.0.2", ["1.1.1.1, 198.51.100.1, 10.0.0.3"], proxy)) == "198.51.100.1"
    assert client_ip(_request("10.0.0.2", ["1.1.1.1", "198.51.100.1"], proxy)) == "198.51.100.1"
    assert client_ip(_request("10.0.0.2", ["not an address"], proxy)) == "10.0.0.2"
    assert client_ip(_request("10.0.0.2", [], proxy)) == "10.0.0.2"
    assert client_ip(_request("::ffff:10.0.0.2", ["2001:db8::1"], proxy)) == "2001:db8::1"


def test_throttles_count_ipv6_per_network():
    assert throttle.client_key("2001:db8:1:2:aaaa::1") == throttle.client_key("2001:db8:1:2:bbbb::9")
    assert throttle.client_key("2001:db8:1:3::1") != throttle.client_key("2001:db8:1:2::1")
    assert throttle.client_key("::ffff:192.0.2.1") == "192.0.2.1"


def test_serve_honours_forwarded_headers_only_from_trusted_proxies(db_url, monkeypatch):
    seen = {}
    monkeypatch.setattr(uvicorn, "run", lambda *args, **kwargs: seen.update(kwargs))
    monkeypatch.setenv("DATABASE_URL", db_url)
    monkeypatch.delenv("ASCC_TRUSTED_PROXIES", raising=False)
    assert CliRunner().invoke(cli_main.app, ["serve"]).exit_code == 0
    assert seen["proxy_headers"] is False  # uvicorn's default would trust 127.0.0.1
    monkeypatch.setenv("ASCC_TRUSTED_PROXIES", "10.0.0.0/8,192.0.2.1")
    assert CliRunner().invoke(cli_main.app, ["serve"]).exit_code == 0
    assert seen["proxy_headers"] is True and seen["forwarded_allow_ips"] == ["10.0.0.0/8", "192.0.2.1/32"]


def test_a_bad_trusted_proxy_setting_is_refused(monkeypatch):
    monkeypatch.setenv("ASCC_TRUSTED_PROXIES", "proxy.internal")
    with pytest.raises(ValueError, match="ASCC_TRUSTED_PROXIES"):
        Settings()


@pytest.mark.parametrize(
    "password, reason",
    [
        ("aaaaaaaaaaaa", "one character"),
        ("password1234", "common or breached"),
        ("Password1234", "common or breached"),
        ("QWERTYUIOP123", "common or breached"),
        ("secretariat.officer", "e-mail"),
        ("correct horse battery staple", None),
    ],
)
def test_password_policy(password, reason):
    if reason is None:
        accounts_service.check_password_policy(password, email="Secretariat.Officer@asean.org")
        return
    with pytest.raises(Invalid, match=reason) as caught:
        accounts_service.check_password_policy(password, email="Secretariat.Officer@asean.org")
    assert caught.value.extra["parameter"] == "password" and caught.value.detail.startswith("password:")


def test_every_new_account_passes_the_policy(db_url, monkeypatch):
    engine = make_engine(db_url)
    try:
        with session_factory(engine)() as session:
            with pytest.raises(Invalid, match="password"):
                accounts_service.create_user(
                    session,
                    data=UserCreate(
                        email="policy-1@asean.org", name="New", role="secretariat", password="iloveyou123"
                    ),
                )
            session.rollback()
    finally:
        engine.dispose()
    monkeypatch.setenv("DATABASE_URL", db_url)
    r = CliRunner().invoke(
        cli_main.app,
        [
            "user",
            "create",
            "--email",
            "policy-2@asean.org",
            "--name",
            "New",
            "--role",
            "secretariat",
            "--password",
            "1111111111",
        ],
    )
    assert r.exit_code == 1 and "password" in r.output
