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


def test_directions_read_as_good_and_bad() -> None:
    from dashboard.charts import DIRECTION_COLOURS
    from dashboard.tables import _direction_colour

    assert "#c62828" in _direction_colour(direction_badge("drift-away"))  # red
    assert "#2e7d32" in _direction_colour(direction_badge("toward-model"))  # green
    assert _direction_colour(direction_badge(None)) == ""
    assert DIRECTION_COLOURS["Drifting away"] == "#c62828" and DIRECTION_COLOURS["Toward the model"] == "#2e7d32"


def test_chart_colours_follow_the_direction_not_the_column_order() -> None:
    import pandas as pd

    from dashboard.charts import direction_bars

    frame = pd.DataFrame({"year": [2020], "toward_model": [2], "drift_away": [1]})
    spec = direction_bars(frame, "year", {"toward_model": "Toward the model", "drift_away": "Drifting away"},
                          "year", "amendments").to_dict()
    scale = spec["encoding"]["color"]["scale"]
    assert dict(zip(scale["domain"], scale["range"])) == {"Toward the model": "#2e7d32", "Drifting away": "#c62828"}


def test_only_web_links_survive() -> None:
    from dashboard.tables import web_link

    assert web_link("https://leginfo.legislature.ca.gov/x") == "https://leginfo.legislature.ca.gov/x"
    assert web_link("javascript:alert(1)") == web_link("file:///etc/passwd") == web_link(None) == ""


def test_amendment_headings_are_coloured_by_direction() -> None:
    from dashboard.render import coloured_badge

    assert coloured_badge("drift-away") == ":red[▼ drift-away]"
    assert coloured_badge("toward-model") == ":green[▲ toward model]"
    assert coloured_badge(None) == "— first version"
