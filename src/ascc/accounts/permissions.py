"""Who may do what. Each check raises ``Unauthorized`` (no account) or ``Forbidden`` (wrong one)."""

from __future__ import annotations

from ascc.accounts.schemas import Audience, Principal, Role
from ascc.kit.errors import Forbidden, Unauthorized


def can_read(principal: Principal, audience: str) -> bool:
    if audience == Audience.public:
        return True
    if principal.role is None:
        return False
    if audience == Audience.partners:
        return True
    return principal.role is not Role.partner  # member states only


def visible_audiences(principal: Principal) -> tuple[str, ...]:
    return tuple(a.value for a in Audience if can_read(principal, a.value))


def require_signed_in(principal: Principal) -> None:
    if not principal.is_authenticated:
        raise Unauthorized("sign in first")


def require_secretariat(principal: Principal) -> None:
    require_signed_in(principal)
    if principal.role is not Role.secretariat:
        raise Forbidden("only the ASEAN Secretariat may do this")


def require_secretariat_or_chair(principal: Principal, *, body_id: str | None) -> None:
    require_signed_in(principal)
    if principal.role is Role.secretariat:
        return
    if principal.role is Role.chair and body_id is not None and principal.body_id == body_id:
        return
    raise Forbidden("only the ASEAN Secretariat or this body's chair may do this")


def require_acts_for(principal: Principal, *, member_state: str, sector: str | None) -> None:
    """Only the member state's own focal point (within its sectors) speaks for that member state."""
    require_signed_in(principal)
    if principal.role is not Role.focal_point:
        raise Forbidden("only a member state's focal point records its position")
    if principal.member_state != member_state:
        raise Forbidden(f"a focal point of {principal.member_state} cannot act for {member_state}")
    if principal.sectors and sector is not None and sector not in principal.sectors:
        raise Forbidden(f"this focal point does not cover the sector {sector}")


def require_member_state_side(principal: Principal) -> None:
    """Secretariat, focal points and chairs (not partners, not the public)."""
    require_signed_in(principal)
    if principal.role is Role.partner:
        raise Forbidden("dialogue-partner observers cannot do this")


def require_aha_centre(principal: Principal) -> None:
    """Situation reports are the AHA Centre's."""
    require_signed_in(principal)
    if principal.role is not Role.aha_centre:
        raise Forbidden("only the AHA Centre writes situation reports")


DISASTER_SECTOR = "disaster-management"


def require_focal_point_of(principal: Principal, *, member_state: str, sector: str | None = None) -> None:
    """A focal point of ``member_state`` (covering ``sector`` when it is limited to some sectors)."""
    require_signed_in(principal)
    if principal.role is not Role.focal_point:
        raise Forbidden(f"only a focal point of {member_state} may do this")
    if principal.member_state != member_state:
        raise Forbidden(f"a focal point of {principal.member_state} cannot act for {member_state}")
    if principal.sectors and sector is not None and sector not in principal.sectors:
        raise Forbidden(f"this focal point does not cover the sector {sector}")


def assistance_offerer(principal: Principal, *, affected: str) -> tuple[str, str]:
    """Who an offer of assistance is made for: a member state's focal point offers for its own
    member state (never the affected one), a dialogue partner's account for its partner.
    Returns ``(kind, code)``: ``("member_state", ISO3)`` or ``("partner", id)``."""
    require_signed_in(principal)
    if principal.role is Role.focal_point and principal.member_state:
        if principal.member_state == affected:
            raise Forbidden(f"{affected} is the affected member state: it requests, it does not offer")
        if principal.sectors and DISASTER_SECTOR not in principal.sectors:
            raise Forbidden(f"this focal point does not cover the sector {DISASTER_SECTOR}")
        return "member_state", principal.member_state
    if principal.role is Role.partner and principal.partner_id:
        return "partner", principal.partner_id
    raise Forbidden("only member states' focal points and dialogue partners offer assistance")


def require_offer_party(principal: Principal, *, affected: str, kind: str, code: str) -> None:
    """The affected member state or the one who made the offer (mobilisation, arrival, departure)."""
    require_signed_in(principal)
    if principal.role is Role.focal_point and principal.member_state in (
        affected,
        code if kind == "member_state" else None,
    ):
        if principal.sectors and DISASTER_SECTOR not in principal.sectors:
            raise Forbidden(f"this focal point does not cover the sector {DISASTER_SECTOR}")
        return
    if principal.role is Role.partner and kind == "partner" and principal.partner_id == code:
        return
    raise Forbidden("only the affected member state or the one who offered may record its progress")
