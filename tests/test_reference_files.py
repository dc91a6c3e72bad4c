"""Bad reference data is reported with file, line and field, and nothing is loaded."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
import yaml

from ascc.reference.files import DATA_DIR, ReferenceDataError, find_cycles, read_reference


@pytest.fixture
def data_dir(tmp_path: Path) -> Path:
    target = tmp_path / "data"
    shutil.copytree(DATA_DIR, target)
    return target


def edit(data_dir: Path, name: str, change) -> None:
    path = data_dir / f"{name}.yaml"
    records = yaml.safe_load(path.read_text(encoding="utf-8"))
    change(records)
    path.write_text(yaml.safe_dump(records, allow_unicode=True, sort_keys=False), encoding="utf-8")


def problems(data_dir: Path) -> list[str]:
    with pytest.raises(ReferenceDataError) as info:
        read_reference(data_dir)
    return [str(p) for p in info.value.problems]


def test_the_shipped_data_is_clean():
    ref = read_reference()
    assert len(ref["member_states"]) == 11
    assert len(ref["bodies"]) > 80


def test_unknown_reporting_target_is_named_with_line(data_dir):
    edit(data_dir, "bodies", lambda rs: rs[0].update(reports_to=["no-such-body"]))
    found = problems(data_dir)
    assert any(p.startswith("bodies.yaml:") and "[reports_to]" in p and "no-such-body" in p for p in found), (
        found
    )


def test_reporting_cycle_is_found(data_dir):
    def make_cycle(rs):
        by_id = {r["id"]: r for r in rs}
        by_id["ammswd"]["reports_to"] = ["somswd"]  # SOMSWD already reports to AMMSWD

    edit(data_dir, "bodies", make_cycle)
    assert any("reporting cycle" in p and "somswd" in p and "ammswd" in p for p in problems(data_dir))


def test_record_without_source_is_rejected(data_dir):
    edit(data_dir, "sectors", lambda rs: rs[2].update(sources=[]))
    assert any(p.startswith("sectors.yaml:") and "[sources]" in p for p in problems(data_dir))


def test_source_needs_quote_or_url(data_dir):
    edit(data_dir, "plans", lambda rs: rs[0].update(sources=[{"file": "003_7591d795653bab0c.txt"}]))
    assert any("plans.yaml" in p and "needs `file` and `quote`" in p for p in problems(data_dir))


def test_duplicate_identifier(data_dir):
    edit(data_dir, "partners", lambda rs: rs.append(dict(rs[0])))
    assert any("partners.yaml" in p and "duplicate" in p for p in problems(data_dir))


def test_bad_value_names_file_line_and_field(data_dir):
    path = data_dir / "member_states.yaml"
    text = path.read_text(encoding="utf-8")
    path.write_text(text.replace("2025-10-26", "2025-13-45"), encoding="utf-8")
    found = problems(data_dir)
    assert any(p.startswith("member_states.yaml:") and "[joined]" in p for p in found), found
    line = int(next(p for p in found if "[joined]" in p).split(":")[1].split(" ")[0])
    assert "joined" in text.splitlines()[line - 1]


def test_broken_yaml_is_reported(data_dir):
    (data_dir / "statistics.yaml").write_text("- id: x\n  value: [unclosed\n", encoding="utf-8")
    assert any(p.startswith("statistics.yaml:") and "not valid YAML" in p for p in problems(data_dir))


def test_find_cycles():
    assert find_cycles({"a": ["b"], "b": ["c"], "c": ["a"], "d": ["a"]}) == [["a", "b", "c"]]
    assert find_cycles({"a": ["b"], "b": []}) == []


def test_a_date_without_a_url_or_seed_quote_is_rejected(data_dir):
    def undated(records):
        aathp = next(r for r in records if r["id"] == "aathp")
        aathp["dates"] = [{"event": "signed", "date": "2002-06-10", "place": "Kuala Lumpur"}]

    edit(data_dir, "programmes", undated)
    assert any("programmes.yaml" in p and "a date needs" in p for p in problems(data_dir))


def test_an_inference_must_name_the_bodys_own_line_and_other_sectors_must_exist(data_dir):
    def bad(records):
        somhd = next(r for r in records if r["id"] == "somhd")
        somhd["inferences"] = [{"field": "reports_to", "value": "amme", "reasoning": "not its line"}]
        coci = next(r for r in records if r["id"] == "coci")
        coci["other_sectors"] = ["no-such-sector"]

    edit(data_dir, "bodies", bad)
    found = problems(data_dir)
    assert any("inferred reports_to 'amme'" in p for p in found)
    assert any("other_sectors" in p and "no-such-sector" in p for p in found)


def test_a_meeting_date_needs_a_url_or_a_seed_quote(data_dir):
    def undated(records):
        ninth = next(r for r in records if r["id"] == "ammswd-9")
        ninth["date_start"] = "2016-09-01"  # no date_url, and no seed quote names 2016

    edit(data_dir, "meetings", undated)
    found = problems(data_dir)
    assert any("meetings.yaml" in p and "[date_start]" in p and "date_url" in p for p in found), found


def test_a_meeting_ending_before_it_starts_is_refused(data_dir):
    edit(
        data_dir,
        "meetings",
        lambda rs: next(r for r in rs if r["id"] == "almm-1").update(date_end="1975-03-01"),
    )
    assert any("meetings.yaml" in p and "date_end" in p for p in problems(data_dir))


def test_a_summit_ending_before_it_starts_is_refused(data_dir):
    def bad(records):
        year = next(r for r in records if r["year"] == 2009)
        year["summits"][0]["date_end"] = "2009-02-01"

    edit(data_dir, "asean_chairs", bad)
    assert any("asean_chairs.yaml" in p and "date_end" in p for p in problems(data_dir))
