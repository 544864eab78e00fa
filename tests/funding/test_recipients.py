"""Recipient typing: accuracy on a labeled sample of real recipient names, and every answer explained by a rule."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest

from analysis.money.recipients import RECIPIENT_TYPES, classify, load_rules, normalize_name
from tests.funding.helpers import FUNDING_FIXTURES

LABELED = list(csv.DictReader((FUNDING_FIXTURES / "recipients_labeled.csv").open(encoding="utf-8")))
# Collected and labeled after the rules were written, and never used to change them.
HELD_OUT = list(csv.DictReader((FUNDING_FIXTURES / "recipients_heldout.csv").open(encoding="utf-8")))


def test_labeled_sample_is_large_and_uses_known_types() -> None:
    assert len(LABELED) >= 60
    assert {row["expected_type"] for row in LABELED} <= set(RECIPIENT_TYPES)
    assert all(row["source"] for row in LABELED)


def test_accuracy_on_real_recipients_is_at_least_ninety_percent() -> None:
    right = sum(classify(row["name"]).type == row["expected_type"] for row in LABELED)
    accuracy = right / len(LABELED)
    print(f"recipient typing accuracy {right}/{len(LABELED)} = {accuracy:.3f}")
    assert accuracy >= 0.9


def test_accuracy_on_held_out_real_recipients() -> None:
    """An untyped name is an abstention (shown as unknown), not a guess: precision on typed names, and coverage."""
    typed = [(classify(row["name"]).type, row["expected_type"]) for row in HELD_OUT]
    answered = [(got, want) for got, want in typed if got != "unknown"]
    right = sum(got == want for got, want in answered)
    print(f"held-out recipient typing: {right}/{len(answered)} typed names right = {right / len(answered):.3f}; "
          f"{len(answered)}/{len(HELD_OUT)} typed; {right}/{len(HELD_OUT)} = {right / len(HELD_OUT):.3f} overall")
    assert len(HELD_OUT) >= 25 and right / len(answered) >= 0.85


@pytest.mark.parametrize(("name", "categories", "expected", "rule"), [
    ("Washington Association of Sheriffs and Police Chiefs", (), "law_enforcement", "police_association"),
    ("Snohomish County Prosecuting Attorney", (), "prosecution", "prosecutor"),
    ("Public Defender Association", (), "nonprofit_provider", "defender_association"),
    ("CONNECT", ("Nonprofit Organization",), "nonprofit_provider", "nonprofit_category"),
    ("CONNECT", (), "unknown", "no_rule_matched"),
])
def test_each_result_names_the_rule_that_fired(name: str, categories: tuple, expected: str, rule: str) -> None:
    typed = classify(name, categories)
    assert (typed.type, typed.rule) == (expected, rule)
    assert typed.matched or rule == "no_rule_matched"


def test_names_normalize_to_one_key() -> None:
    assert normalize_name("THE UNIVERSITY OF ALABAMA IN HUNTSVILLE") == normalize_name("University of Alabama in Huntsville")
    assert normalize_name("Law & Public Safety") == "law and public safety"


def test_unknown_type_in_rules_file_is_refused(tmp_path: Path) -> None:
    bad = tmp_path / "rules.toml"
    bad.write_text('[[rule]]\nid = "x"\ntype = "police"\npattern = "x"\n', encoding="utf-8")
    with pytest.raises(ValueError, match="bad recipient rule x"):
        load_rules(bad)
