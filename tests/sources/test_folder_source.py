"""Folder source over the bundled demo texts and over a hand-made folder with mistakes in it."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import pytest

from assets.partitions import STATES
from sources.folder import FolderSource, read_sidecar
from sources.records import Bill, BillVersion, FetchError
from sources.registry import DEMO_FOLDER
from tests.sources import hostile_folder


def everything(source: FolderSource, jurisdiction: str) -> list:
    records = []
    for found in source.search(jurisdiction):
        records.append(found)
        if isinstance(found, Bill):
            records.extend(source.versions(found))
    return records


def test_demo_folder_is_small_real_and_multi_version():
    files = [p for p in DEMO_FOLDER.rglob("*") if p.is_file()]
    assert sum(p.stat().st_size for p in files) < 2_000_000
    assert (DEMO_FOLDER / "README.md").is_file()
    source = FolderSource(DEMO_FOLDER)
    assert len(source.jurisdictions()) >= 6
    versions_per_bill = Counter()
    for jurisdiction in source.jurisdictions():
        for record in everything(source, jurisdiction):
            assert not isinstance(record, FetchError), record
            if isinstance(record, BillVersion):
                assert record.text and record.url.startswith("http") and record.payload_sha256
                versions_per_bill[(record.jurisdiction, record.bill_id)] += 1
    assert versions_per_bill[("TX", "HB 1994")] == 3
    assert versions_per_bill[("CA", "SB 1110")] == versions_per_bill[("TX", "SB 536")] == 2
    assert sum(1 for count in versions_per_bill.values() if count >= 2) >= 4


def test_versions_come_in_legislative_order_with_ca_markers_as_spans():
    source = FolderSource(DEMO_FOLDER)
    sb1110 = next(b for b in source.search("CA") if b.bill_id == "SB 1110")
    introduced, amended = list(source.versions(sb1110))
    assert (introduced.version_label, amended.version_label) == ("Introduced", "Amended in Senate")
    assert "begin insert" not in amended.text
    assert ("insert", "and repeal") in [(s.kind, amended.text[s.start:s.end]) for s in amended.markup]
    hb1994 = next(b for b in source.search("TX") if b.bill_id == "HB 1994")
    assert [v.version_label for v in source.versions(hb1994)] == ["Introduced", "Senate Committee Report", "Enrolled"]


def write(folder: Path, name: str, body: bytes, meta: str | None) -> None:
    (folder / name).write_bytes(body)
    if meta is not None:
        (folder / f"{name}.meta.toml").write_text(meta, encoding="utf-8")


def test_bad_sidecars_and_bad_files_are_errors_while_good_ones_load(tmp_path):
    state = tmp_path / "NM"
    state.mkdir()
    meta = 'jurisdiction = "NM"\nsession = "2025"\nbill_id = "{bill}"\nversion_label = "{label}"\nversion_date = 2025-02-01\n'
    write(state, "hb10.txt", "Pre-arrest diversion \u2014 the officer\u2019s referral.".encode("cp1252"),
          meta.format(bill="HB10", label="Introduced"))
    write(state, "hb10-amended.html", b"<p>The officer <s>may</s> <u>shall</u> refer.</p>",
          meta.format(bill="HB 10", label="Amended") + "sequence = 2\n")
    write(state, "hb11.pdf", b"<html>not a pdf</html>", meta.format(bill="HB 11", label="Introduced"))
    write(state, "hb12.txt", b"text", 'jurisdiction = "NM"\nsession = "2025"\n')
    write(state, "hb13.txt", b"text", "jurisdiction = [unclosed")
    (state / "orphan.txt.meta.toml").write_text(meta.format(bill="HB 14", label="Introduced"))
    broken_state = tmp_path / "NV"
    broken_state.mkdir()
    write(broken_state, "sb1.txt", b"text", "session = 2025")
    source = FolderSource(tmp_path)
    assert source.jurisdictions() == ["NM", "NV"]  # a state with only broken sidecars still gets its errors
    [nevada] = everything(source, "NV")
    assert isinstance(nevada, FetchError) and nevada.reason == "metadata missing jurisdiction, bill_id, version_label"
    records = everything(source, "NM")
    errors = {Path(e.item).name if e.item.endswith(".toml") else e.item: e.reason for e in records if isinstance(e, FetchError)}
    assert errors["hb12.txt.meta.toml"] == "metadata missing bill_id, version_label"
    assert errors["hb13.txt.meta.toml"].startswith("unreadable metadata")
    assert errors["orphan.txt.meta.toml"] == "document file missing: orphan.txt"
    assert errors["NM 2025 HB 11 Introduced"] == "expected pdf, got text/html"
    versions = [r for r in records if isinstance(r, BillVersion)]
    assert [(v.bill_id, v.version_label) for v in versions] == [("HB 10", "Introduced"), ("HB 10", "Amended")]
    assert "officer\u2019s referral" in versions[0].text  # cp1252 bytes decoded, not crashed
    assert [(s.kind, versions[1].text[s.start:s.end]) for s in versions[1].markup] == [("delete", "may"), ("insert", "shall")]
    assert source.stats["files_read"] == 3


def test_known_hashes_skip_unchanged_files(tmp_path):
    first = FolderSource(DEMO_FOLDER)
    versions = [r for j in first.jurisdictions() for r in everything(first, j) if isinstance(r, BillVersion)]
    hashes = {r.payload_sha256 for r in versions}  # two real versions can be byte-identical (S. 4003 IS and RS)
    assert len(first.take_payloads()) == len(versions) and first.take_payloads() == []
    again = FolderSource(DEMO_FOLDER, known_hashes=hashes)
    rerun = [r for j in again.jurisdictions() for r in everything(again, j) if isinstance(r, BillVersion)]
    assert rerun == []
    assert again.stats["unchanged"] == again.stats["files_read"] == len(versions)


def test_one_of_each_bad_input_is_recorded_while_every_good_text_loads(tmp_path):
    outside = tmp_path / "outside"
    outside.mkdir()
    expected_errors = hostile_folder.build(tmp_path / "texts", outside)
    source = FolderSource(tmp_path / "texts", known_jurisdictions=STATES, max_bytes=hostile_folder.SMALL_CAP)
    assert source.jurisdictions() == ["NM", "NV"]
    records = [r for j in source.jurisdictions() for r in everything(source, j)]
    errors = {e.item: e.reason for e in records if isinstance(e, FetchError)}
    assert errors == expected_errors
    versions = {(v.jurisdiction, v.bill_id): v for v in records if isinstance(v, BillVersion)}
    assert set(versions) == hostile_folder.GOOD_BILLS
    assert all(v.text.endswith("program \u00a7 12.") for v in versions.values())  # UTF-16 and stray byte decoded
    assert "officer\u2019s" in versions[("NM", "HB 3")].text
    assert not any("root:x" in v.text for v in versions.values())
    inferred = versions[("NV", "SB 7")]
    assert (inferred.session, inferred.version_label, str(inferred.version_date)) == ("2025", "introduced", "2025-03-01")
    assert source.inferred == ["NV/SB7_2025/2025-03-01_introduced.txt"]


def test_sidecar_says_whether_the_text_is_complete(tmp_path):
    (tmp_path / "a.txt").write_text("Section 1. Diversion.", encoding="utf-8")
    sidecar = tmp_path / "a.txt.meta.toml"
    base = 'jurisdiction = "MO"\nsession = "2024"\nbill_id = "HB 1"\nversion_label = "Introduced"\n'
    sidecar.write_text(base + "complete = false\n", encoding="utf-8")
    assert read_sidecar(sidecar, tmp_path).complete is False
    sidecar.write_text(base, encoding="utf-8")
    assert read_sidecar(sidecar, tmp_path).complete is None
    sidecar.write_text(base + 'complete = "yes"\n', encoding="utf-8")
    with pytest.raises(ValueError, match="complete must be true or false"):
        read_sidecar(sidecar, tmp_path)
