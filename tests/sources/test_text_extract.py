"""Text extraction keeps amendment markup as offsets and paragraph structure, from HTML, XML, PDF and marked text."""

from __future__ import annotations

import pytest

from sources.extract import (
    SearchTerms,
    decode_bytes,
    document_to_text,
    html_to_text,
    marked_text_to_spans,
    normalize_bill_id,
    pdf_to_text,
)
from sources.http import FetchFailed
from tests.sources.source_helpers import FIXTURES, fixture_bytes, make_pdf


def marked(text: str, spans) -> list[tuple[str, str]]:
    return [(span.kind, text[span.start:span.end]) for span in spans]


def test_california_leginfo_font_classes_become_spans():
    page = (
        "<html><body><div id='bill'><p>(a) The board <font color='#B30000' class='red_text'><strike>shall approve three"
        "</strike></font> <font color='blue' class='blue_text'><i>may approve up to five</i></font> counties.</p>"
        "<p>(b) <span class='cl_insert'>Each county</span> shall report.</p></div></body></html>"
    )
    text, spans = html_to_text(page)
    assert text == "(a) The board shall approve three may approve up to five counties.\n\n(b) Each county shall report."
    assert marked(text, spans) == [("delete", "shall approve three"), ("insert", "may approve up to five"),
                                   ("insert", "Each county")]


def test_washington_htm_underline_and_strike(tmp_path):
    text, spans = html_to_text(fixture_bytes("wa/2402-S.htm"))
    assert not text.startswith("\ufeff") and text.endswith("--- END ---")
    assert marked(text, spans) == [("delete", "is authorized and encouraged to"), ("insert", "shall")]
    assert text.count("\n\n") >= 4  # one paragraph per subsection


def test_texas_ins_del_and_bracketed_strike():
    text, spans = html_to_text(fixture_bytes("openstates/HB01994F.htm").replace(b"program", b"<u>program</u>", 1))
    assert ("insert", "program") in marked(text, spans)
    text, spans = html_to_text("<p>fees <del>of $1,000</del><ins>of $500</ins> [<s>prostitution prevention</s>]</p>")
    assert marked(text, spans) == [("delete", "of $1,000"), ("insert", "of $500"), ("delete", "prostitution prevention")]


def test_caml_strike_and_ins_in_an_amended_version():
    text, spans = document_to_text((FIXTURES / "ca/BILL_VERSION_TBL_2.lob").read_bytes(), "xml")
    kinds = marked(text, spans)
    assert kinds[0][0] == "delete" and kinds[0][1].startswith("while reducing costs")
    assert kinds[1] == ("insert", "by diverting people away from arrest and prosecution.")


def test_california_plain_text_markers():
    raw = "An act to addbegin insert and repealend insert Chapter 2.92.\n\nbegin delete\n\nOld digest.\n\nend delete"
    text, spans = marked_text_to_spans(raw)
    assert text.startswith("An act to add and repeal Chapter 2.92.")
    assert marked(text, spans) == [("insert", "and repeal"), ("delete", "Old digest.")]


def test_a_marker_left_open_by_a_cut_copy_runs_to_the_end():
    raw = "Digest.\n\nbegin delete\n\nOld rule.\n\nend delete\nbegin insert\n\nThis bill, until January 1, 2020, would"
    text, spans = marked_text_to_spans(raw)
    assert marked(text, spans) == [("delete", "Old rule."), ("insert", "This bill, until January 1, 2020, would")]


def test_pdf_text_drops_margin_line_numbers():
    lines = [f"{n} {words}" for n, words in enumerate(
        ["AN ACT relating to a first offender", "prostitution prevention program.", "SECTION 1. Chapter 169 is added."], 1)]
    text, spans = pdf_to_text(make_pdf(lines))
    assert "AN ACT relating to a first offender" in text and "prostitution prevention program." in text
    assert not any(line.strip()[:1].isdigit() for line in text.splitlines()[:2])
    assert spans == ()


def test_html_or_garbage_where_pdf_expected():
    with pytest.raises(FetchFailed, match="expected pdf, got text/html"):
        pdf_to_text(b"<!DOCTYPE html><html><title>Just a moment...</title></html>", "https://example.test/x.pdf")
    with pytest.raises(FetchFailed, match="unreadable PDF|no text layer"):
        pdf_to_text(b"%PDF-1.4\n garbage that is not a pdf body")


def test_identifiers_and_terms():
    assert normalize_bill_id("SB1110") == normalize_bill_id("sb 01110") == "SB 1110"
    assert normalize_bill_id("RCW 10.31.110") == "RCW 10.31.110"
    terms = SearchTerms(("pre-arrest diversion", "law enforcement assisted diversion"), (("prostitution", "diversion"),))
    assert terms.matches("A PRE-ARREST  Diversion program")
    assert terms.matches("offers diversion to people arrested for prostitution")
    assert not terms.matches("prostitution offenses")
    assert terms.queries()[-1] == "prostitution diversion"


def test_encodings_are_detected_per_document_and_binary_is_refused():
    text = "Sec. 1. The officer\u2019s referral under \u00a7 12."
    assert decode_bytes(text.encode("utf-16-le")) == text  # no BOM: charset-normalizer recognises it
    assert decode_bytes(text.encode("utf-32")) == text
    one_stray_byte = text.encode("utf-8").replace("\u2019".encode("utf-8"), b"\x92")
    assert decode_bytes(one_stray_byte) == text  # the \u00a7 stays \u00a7, not \u00c2\u00a7
    assert decode_bytes(text.encode("cp1252")) == text
    with pytest.raises(FetchFailed, match="binary file"):
        decode_bytes(b"\x89PNG\r\n\x1a\n" + bytes([7, 200, 3, 1, 0]) * 400)


def test_documents_nested_too_deep_are_errors_not_crashes_or_empty_text():
    with pytest.raises(FetchFailed, match="nested deeper"):
        document_to_text(b"<a>" * 1200 + b"x" + b"</a>" * 1200, "xml")
    with pytest.raises(FetchFailed, match="nested deeper"):
        document_to_text(b"<html><body>" + b"<div>" * 260 + b"Sec. 1." + b"</div>" * 260 + b"</body></html>", "html")
