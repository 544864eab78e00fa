"""Bill text reaches the page only escaped; redline markup wraps escaped words."""

from __future__ import annotations

import json

from dashboard.render import direction_badge, md_escape, redline_html


def test_redline_wraps_escaped_words() -> None:
    body = redline_html(json.dumps([["equal", "a <b>"], ["delete", "shall"], ["insert", "may & <i>"]]))
    assert "a &lt;b&gt; <del>shall</del> <ins>may &amp; &lt;i&gt;</ins>" in body
    assert "<b>" not in body and "<i>" not in body


def test_without_a_redline_old_text_is_deleted_and_new_inserted() -> None:
    body = redline_html(None, "<old>", "new")
    assert "<del>&lt;old&gt;</del> <ins>new</ins>" in body
    assert "<ins>" not in redline_html("not json", "gone", None)


def test_markdown_syntax_in_labels_is_literal() -> None:
    assert md_escape("**bold** [x](javascript:1)") == r"\*\*bold\*\* \[x\]\(javascript:1\)"


def test_first_version_has_no_direction() -> None:
    assert direction_badge(None) == direction_badge(float("nan")) == "— first version"
    assert "drift-away" in direction_badge("drift-away")
