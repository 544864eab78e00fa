"""Every codebook drift signal is a rule, and every rule is exercised by a real-text amendment that must fire it."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from analysis.drift.engine import compare
from analysis.drift.evaluate import evaluate_signals
from analysis.clauses.engine import classify
from analysis.drift.cues import cues, find_cues, list_leadins, rules
from analysis.model import Clause
from analysis.drift.meaning import meaning_fires

AMENDMENTS = Path(__file__).parents[1] / "fixtures" / "amendments"
CORPUS = Path(__file__).parents[1] / "fixtures" / "corpus"
UNSEEN = Path(__file__).parents[1] / "fixtures" / "amendments_unseen"

AWAY = {
    "treatment_mandate_added": "H", "sanction_added": "H", "voluntariness_removed": "H", "harm_reduction_removed": "H",
    "law_enforcement_funding_added": "H", "information_sharing_added": "H", "confidentiality_removed": "H",
    "trafficking_enforcement_added": "H", "police_gatekeeping_added": "H", "prostitution_offense_added": "M",
    "exclusion_added": "M", "referral_criteria_loosened": "M", "services_funding_removed": "M", "sunset_removed": "M",
    "evaluation_removed": "M", "community_governance_removed": "M", "safeguard_weakened": "M", "model_reference_removed": "L",
}
TOWARD = {
    "harm_reduction_added", "treatment_mandate_removed", "sanction_removed",
    "sunset_added", "model_reference_added", "confidentiality_added",
}


def amendment_pairs() -> list[dict]:
    lines = (AMENDMENTS / "gold" / "pairs.jsonl").read_text(encoding="utf-8").splitlines()
    return [json.loads(line) for line in lines if line.strip()]


def test_rules_cover_exactly_the_codebook_signals():
    severities = {spec["id"]: spec["severity"] for spec in rules()["signals"]}
    assert {k: v for k, v in severities.items() if v != "toward"} == AWAY
    assert {k for k, v in severities.items() if v == "toward"} == TOWARD


def test_every_codebook_signal_has_a_test_amendment():
    exercised = {sid for pair in amendment_pairs() for sid in pair["signals"]}
    assert set(AWAY) | TOWARD <= exercised
    assert any(not pair["signals"] for pair in amendment_pairs())  # and pairs where nothing may fire


@pytest.mark.parametrize("pair", amendment_pairs(), ids=lambda pair: pair["old"].split("/")[0])
def test_amendment_fires_its_signals_with_evidence(pair):
    old = (AMENDMENTS / "texts" / pair["old"]).read_text(encoding="utf-8")
    new = (AMENDMENTS / "texts" / pair["new"]).read_text(encoding="utf-8")
    report = compare(old, new)
    assert sorted(s.id for s in report.signals) == sorted(pair["signals"])
    assert report.direction == pair["direction"]
    for signal in report.signals:
        assert signal.old_text or signal.new_text
        assert " ".join(signal.old_text.split()) in " ".join(old.split())
        assert " ".join(signal.new_text.split()) in " ".join(new.split())


def test_amendment_suite_meets_the_targets():
    scores = evaluate_signals(AMENDMENTS / "gold", AMENDMENTS / "texts")
    assert scores.overall.precision >= 0.8 and scores.overall.recall >= 0.8
    assert scores.high.recall >= 0.9
    assert scores.direction_accuracy == 1.0
    assert "overall (micro)" in scores.report()


def test_later_batches_meet_the_targets():
    """Batches written after the first tuning (the rules were then tuned on them): the project targets must hold."""
    scores = evaluate_signals(UNSEEN / "tuned" / "gold", UNSEEN / "tuned" / "texts")
    assert scores.as_dict()["pairs"] >= 100 and not scores.as_dict()["errors"]
    assert scores.overall.precision >= 0.8 and scores.overall.recall >= 0.8
    assert scores.high.recall >= 0.9
    assert scores.direction_accuracy >= 0.9


def test_first_holdout_meets_the_targets_after_tuning():
    """The first holdout (0.82 precision, 0.50 recall before any rule saw it) was then used to generalize the
    vocabularies, so it now has to meet the project targets like the other tuned batches."""
    scores = evaluate_signals(UNSEEN / "holdout" / "gold", UNSEEN / "holdout" / "texts")
    assert scores.as_dict()["pairs"] >= 15 and not scores.as_dict()["errors"]
    assert scores.overall.precision >= 0.8 and scores.overall.recall >= 0.8
    assert scores.high.recall >= 0.9
    assert scores.direction_accuracy >= 0.9


# Blind batches: each written before the rules it was first measured with and measured once on first sight
# (blind2: precision 0.94, recall 0.59, high-severity recall 0.56; blind3: 1.00, 0.57, 0.53; blind4: 0.85, 0.58, 0.62).
# blind2 and blind3 were read afterwards to generalize the word classes (README), so their floors only guard against
# regressions; blind4 is untouched and its floors sit a little under its first figures without hiding the gap.
BLIND_FLOORS = {"blind2": (0.85, 0.55, 0.5, 0.6), "blind3": (0.85, 0.5, 0.45, 0.6), "blind4": (0.8, 0.55, 0.55, 0.5)}


@pytest.mark.parametrize("batch", sorted(BLIND_FLOORS))
def test_blind_batch_keeps_its_floor(batch):
    precision, recall, high_recall, direction = BLIND_FLOORS[batch]
    scores = evaluate_signals(UNSEEN / batch / "gold", UNSEEN / batch / "texts")
    summary = scores.as_dict()
    assert summary["pairs"] >= 20 and not summary["errors"]
    assert scores.overall.precision >= precision and scores.overall.recall >= recall
    assert scores.high.recall >= high_recall
    assert scores.direction_accuracy >= direction
    benign = [p for p in scores.pairs if not p.gold_signals]
    assert len(benign) >= 3 and all(not p.predicted_signals for p in benign)


@pytest.mark.parametrize("subset", ["tuned", "holdout", "blind2", "blind3", "blind4"])
def test_fired_signals_quote_the_versions(subset):
    for pair in (json.loads(line) for line in (UNSEEN / subset / "gold" / "pairs.jsonl").read_text(encoding="utf-8").splitlines()):
        old = (UNSEEN / subset / "texts" / pair["old"]).read_text(encoding="utf-8")
        new = (UNSEEN / subset / "texts" / pair["new"]).read_text(encoding="utf-8")
        for signal in compare(old, new).signals:
            assert " ".join(signal.old_text.split()) in " ".join(old.split())
            assert " ".join(signal.new_text.split()) in " ".join(new.split())


def test_shared_gold_pairs_hold_their_training_figures():
    """A floor under the training figures on all 13 gold pairs (P 0.75, R 1.00, direction 0.769 when last measured)."""
    scores = evaluate_signals(CORPUS / "gold", CORPUS / "texts")
    summary = scores.as_dict()
    assert summary["pairs"] == 13 and not summary["errors"]
    assert scores.overall.precision >= 0.7 and scores.overall.recall >= 0.95 and scores.high.recall == 1.0
    assert scores.direction_accuracy >= 0.65


def test_unreadable_pair_is_recorded_and_the_run_goes_on(tmp_path):
    (tmp_path / "gold").mkdir()
    (tmp_path / "texts").mkdir()
    (tmp_path / "texts" / "a.txt").write_text("Participation shall be voluntary.", encoding="utf-8")
    rows = [{"old": "a.txt", "new": "missing.txt", "signals": {}, "direction": "no-change"},
            {"old": "a.txt", "new": "a.txt", "signals": {}, "direction": "no-change"}]
    (tmp_path / "gold" / "pairs.jsonl").write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")
    scores = evaluate_signals(tmp_path / "gold", tmp_path / "texts")
    assert len(scores.pairs) == 2
    assert scores.pairs[0].error.startswith("FileNotFoundError")
    assert scores.pairs[1].predicted_direction == "no-change"
    assert scores.direction_accuracy == 1.0


def test_word_classes_match_in_any_order_and_yield_to_negations():
    """A word-class cue needs every class in one sentence, whatever the order, and a negation or aggregate cancels it."""
    assert "sharing_classes" in find_cues("Each month the provider shall tell the sheriff which participants missed appointments.")
    assert "sharing_classes" in find_cues("The sheriff shall be told by the provider which participants missed appointments.")
    assert "sharing_classes" not in find_cues("The provider shall not tell the sheriff which participants missed appointments.")
    assert "sharing_classes" not in find_cues("The provider shall report aggregate counts of participants to the sheriff.")
    assert "sharing_classes" not in find_cues("The sheriff met the provider. Participants missed appointments.")


def test_word_classes_are_the_words_themselves_and_must_lie_near_each_other():
    """An amendment must touch a class word to add the cue; class words a run-on list keeps far apart do not meet."""
    sentence = "Each month the provider shall tell the sheriff which participants missed appointments."
    spans = find_cues(sentence)["sharing_classes"]
    assert sorted(sentence[a:b] for a, b in spans) == ["participants", "sheriff", "tell"]
    filler = " and ".join(["training curricula developed with community health organizations"] * 6)
    assert "sharing_classes" not in find_cues(f"The provider shall tell partners about {filler} for the sheriff, who keeps the participants.")


def test_an_enforcement_use_added_far_from_the_money_does_not_broaden_it():
    """Words inserted into another provision of a long clause do not broaden the police money it names."""
    filler = ", ".join(["including de-escalation practice with community health workers and peer counselors"] * 5)
    base = (f"Sec. 5. Grants.\n(a) The Attorney General shall make grants to law enforcement agencies for crisis intervention "
            f"training, {filler}, and for curricula.\n")
    far = base.replace("and for curricula", "and for curricula on investigations")
    near = base.replace("law enforcement agencies for crisis", "law enforcement agencies for overtime and crisis")
    assert [s.id for s in compare(base, far).signals] == []
    assert [s.id for s in compare(base, near).signals] == ["law_enforcement_funding_added"]


def test_an_item_one_version_reads_inside_a_quoted_block_is_not_new():
    """A list item the older version holds inside a block read whole, reworded slightly, adds no police money."""
    folder = CORPUS / "texts" / "US" / "s-4003-117"
    old, new = ((folder / name).read_text(encoding="utf-8") for name in ("2022-06-14_RS_junxit-bills117.txt", "2022-08-01_ES_junxit-bills117.txt"))
    assert new.count("pay for the costs of overtime") == old.count("pay for the costs of overtime") == 1
    assert all("overtime" not in signal.new_text for signal in compare(old, new).signals)


def test_a_dropped_bench_warrant_is_a_sanction_removed_and_reworded_prosecution_stays_a_sanction():
    folder = CORPUS / "texts" / "FL" / "SB618-2016"
    filed, first, second = ((folder / f"2016_{name}_flsenate.txt").read_text(encoding="utf-8") for name in ("filed", "c1", "c2"))
    removed = [s for s in compare(filed, first).signals if s.id == "sanction_removed"]
    assert removed and "bench warrant" in removed[0].old_text
    assert "sanction_added" not in {s.id for s in compare(filed, first).signals}
    assert "criminal prosecution of 17 adults who fail" in second
    assert "sanction_removed" not in {s.id for s in compare(first, second).signals}


def test_an_anti_trafficking_provider_written_into_a_relief_clause_is_trafficking_enforcement_quoted_by_its_item():
    folder = CORPUS / "texts" / "US" / "hr-7137-118"
    old, new = ((folder / name).read_text(encoding="utf-8") for name in ("2024-01-30_IH_junxit-bills118.txt", "2024-12-11_RH_junxit-bills118.txt"))
    added = [s for s in compare(old, new).signals if s.id == "trafficking_enforcement_added"]
    assert added and "anti-human trafficking service provider" in added[0].new_text
    # the amendment rewrites one item of a quoted block read as one clause: the alert quotes that item, not the block
    assert "\n" not in added[0].new_text and len(added[0].new_text) < 400


def test_a_new_recipient_of_what_is_shared_adds_sharing_though_no_class_word_is_added():
    """Police named where a court was (one party word for another) is new sharing; another word for the people is not."""
    old = "Sec. 4. Reports.\n(a) Each month the provider shall tell the court which participants missed appointments.\n"
    police = old.replace("tell the court", "tell the sheriff")
    reworded = old.replace("which participants", "which clients")
    assert "information_sharing_added" in {s.id for s in compare(old, police).signals}
    assert "information_sharing_added" not in {s.id for s in compare(old, reworded).signals}


AUTHORIZATION = """Sec. 5. Grants.
(a) The Attorney General shall make grants to law enforcement agencies for crisis intervention training.
(b) There is authorized to be appropriated to law enforcement agencies to carry out this section $20,000,000 for each of fiscal years 2022 through 2026.
(c) Each grantee shall report annually on the training it provides.
"""


def test_a_sum_spelled_out_year_by_year_adds_no_money_for_police():
    """One clause that already funded police, split into one item per year, is a restructuring, not new money."""
    split = AUTHORIZATION.replace("to carry out this section $20,000,000 for each of fiscal years 2022 through 2026.",
                                  "to carry out this section:\n(1) $3,000,000 for fiscal year 2023.\n"
                                  "(2) $20,000,000 for fiscal year 2024.\n(3) $10,000,000 for fiscal year 2025.")
    assert [s.id for s in compare(AUTHORIZATION, split).signals] == []


@pytest.mark.parametrize("ending", [":", "\u2014", "--"])
def test_lead_ins_end_with_a_colon_or_a_dash_and_items_may_carry_markdown_marks(ending):
    """Federal drafters end a lead-in with a dash; a rendered bill puts quote and bullet marks before "(1)"."""
    texts = [f"Grant funds may be used for any of the following{ending}", "> - **(1)** Officer overtime.", "  > - (2) Training."]
    assert list_leadins([Clause(0, len(t), t, "") for t in texts]) == [-1, 0, 0]


@pytest.mark.parametrize(
    ("batch", "name", "signal"),
    [
        ("holdout", "ca86_defenders_dropped", "community_governance_removed"),  # a named party dropped from a list
        ("blind3", "ky_under_twenty_one", "exclusion_added"),  # an age limit raised
        ("holdout", "ky_recent_participants_excluded", "exclusion_added"),  # an item under an exclusion lead-in
        ("holdout", "ca87_sergeant_approves_referrals", "police_gatekeeping_added"),  # an unseen police rank
    ],
)
def test_each_rule_kind_fires_on_its_amendment(batch, name, signal):
    texts = UNSEEN / batch / "texts" / name
    report = compare((texts / "old.txt").read_text(encoding="utf-8"), (texts / "new.txt").read_text(encoding="utf-8"))
    assert signal in {s.id for s in report.signals}


def _alternatives(pattern: str) -> list[str]:
    """The top-level alternatives of a regular expression."""
    parts, depth, current, k = [], 0, "", 0
    while k < len(pattern):
        if pattern[k] == "\\":
            current, k = current + pattern[k : k + 2], k + 2
            continue
        depth += pattern[k] in "(["
        depth -= pattern[k] in ")]"
        if pattern[k] == "|" and depth == 0:
            parts.append(current)
            current = ""
        else:
            current += pattern[k]
        k += 1
    return [*parts, current]


_PLACES = re.compile(r"(?i)\b(alabama|alaska|arizona|arkansas|california|colorado|connecticut|delaware|florida|georgia|hawaii|idaho|"
                     r"illinois|indiana|iowa|kansas|kentucky|louisiana|maine|maryland|massachusetts|michigan|minnesota|mississippi|"
                     r"missouri|montana|nebraska|nevada|new (hampshire|jersey|mexico|york)|(north|south) (carolina|dakota)|ohio|"
                     r"oklahoma|oregon|pennsylvania|rhode island|tennessee|texas|utah|vermont|virginia|washington|wisconsin|wyoming|"
                     r"seattle|santa fe|albany|baltimore|san francisco|los angeles|chicago|king county)\b")
_CITATIONS = re.compile(r"(?i)\b(cfr|u\.?s\.?c|rsmo|ilcs|rcw|krs|penal code|statutes?|f\.s)\b|(?<![{,\\])\b\d{3,}\b|\d\s*\\?\(\w\\?\)"
                        r"|\b[hsa]\.?\s?[brj]\.?\s?\d")
_REGEX_SYNTAX = re.compile(r"[\\\[\](){}?*+|^$.]")


def test_cue_alternatives_are_general_drafting_forms():
    """No cue alternative names a place, a bill or a code section, and none is a literal phrase (four words or more
    before any pattern syntax) that only one document of the corpus contains (copied from it, not a drafting form)."""
    documents = [p.read_text(encoding="utf-8").lower() for p in (CORPUS / "texts").rglob("*.txt")]
    offenders = []
    for name, spec in rules()["cues"].items():
        for key in ("patterns", "together", "unless", "refuted_by"):
            for alternative in (a for pattern in spec.get(key, ()) for a in _alternatives(pattern)):
                literal = _REGEX_SYNTAX.split(alternative.replace("\\b", ""))[0].lower()
                copied = len(literal.split()) >= 4 and sum(literal in doc for doc in documents) == 1
                if _PLACES.search(alternative) or _CITATIONS.search(alternative) or copied:
                    offenders.append(f"{name}.{key}: {alternative}")
    assert not offenders


def test_every_cue_has_triggers_or_is_a_list_item_cue():
    """find_cues skips a clause without any trigger or category outright, which is only sound if no cue lacks triggers."""
    assert all(cue.triggers or cue.leadin for cue in cues())


def _clause(text: str):
    (clause,) = classify(text)
    return clause


def test_meaning_rules_read_the_classifiers_modality_actor_and_money():
    """Signals from what a clause does: a safeguard duty falls to "may", a referral moves from a provider to police,
    money moves from services to police; a person's own right stated with "may" and a new funding condition on a
    clause that names police but pays nothing are not signals."""
    weakened = {"when": "modality_weakened", "categories": ["confidentiality"]}
    kept = _clause("Information obtained by a case manager shall be kept confidential and must not be disclosed.")
    loosened = _clause("Information obtained by a case manager is authorized to be kept confidential and disclosed.")
    assert meaning_fires(weakened, kept, loosened) and not meaning_fires(weakened, loosened, kept)
    gate = {"when": "actor_to_enforcement", "categories": ["referral_pathway"]}
    provider = _clause("A case manager shall refer each participant to services in lieu of arrest.")
    police = _clause("A police officer shall refer each participant to services in lieu of arrest.")
    assert meaning_fires(gate, provider, police) and not meaning_fires(gate, police, provider)
    money = {"when": "money_up", "recipients": ["law_enforcement", "prosecutor"], "categories": ["law_enforcement_funding"]}
    services = _clause("The board shall award $500,000 in grants for housing and case management services.")
    overtime = _clause("The board shall award $500,000 in grants to the police department for overtime.")
    assert meaning_fires(money, services, overtime) and not meaning_fires(money, overtime, services)
    duty = _clause("The authority, with an association representing police chiefs, shall adopt a protocol.")
    conditioned = _clause("The authority, with an association representing police chiefs, shall, subject to appropriation, adopt a protocol.")
    assert not meaning_fires(money, duty, conditioned)


def test_drift_is_scored_with_the_classifier_it_is_given():
    """evaluate_signals passes its classifier to compare (a leave-one-jurisdiction-out fold scores drift with its own
    model): a classifier that finds no clauses finds no signals."""
    seen = []

    def nothing(text: str) -> list:
        seen.append(text)
        return []

    scores = evaluate_signals(AMENDMENTS / "gold", AMENDMENTS / "texts", classify=nothing)
    assert len(seen) == 2 * len(scores.pairs) and scores.overall.true_positives == 0 and scores.overall.false_negatives > 0
    assert evaluate_signals(AMENDMENTS / "gold", AMENDMENTS / "texts").overall.true_positives > 0
