"""How a loader names what it kept: a count, the first three, and why."""

from __future__ import annotations

from ascc.audit.provenance import Kept, is_person


def test_kept_names_three_and_counts_the_rest():
    kept = Kept()
    assert not kept
    for i in range(5):
        kept.add(f"IDN X {2020 + i}", "approved by the Secretariat in submission 1")
    assert kept.line("values") == (
        "kept 5 as they are, not overwritten (values): IDN X 2020 (approved by the Secretariat in submission 1); "
        "IDN X 2021 (approved by the Secretariat in submission 1); IDN X 2022 (approved by the Secretariat in "
        "submission 1); and 2 more"
    )


def test_only_accounts_are_people():
    assert is_person("user:7") and not any(map(is_person, ("cli:init", "system", "seed", None, "")))
