"""Accounts and who may do what.

Roles, in ASEAN terms:

- ``secretariat``: an ASEAN Secretariat officer; administers everything.
- ``focal_point``: speaks for one member state (``member_state``), optionally only in some
  sectors (``sectors``; empty = all). Never acts for another member state.
- ``chair``: the chair of one body (``body_id``); runs that body's meetings and items.
- ``partner``: a dialogue-partner observer (``partner_id``); reads what is shared with partners,
  may comment, never takes a position.
- ``aha_centre``: an officer of the AHA Centre (ASEAN Coordinating Centre for Humanitarian
  Assistance on disaster management); writes the situation reports on disaster events.
- the public: no account; reads what is public.

Every record has an audience: ``member_states`` (member states only), ``partners`` (member states
and partners) or ``public``.
"""
