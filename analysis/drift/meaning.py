"""Signals judged by what an aligned clause does (the clause classifier's modality, actor and money reading), so a
rewording no cue list foresaw is still caught when it hands a safeguard to discretion, a job to police or money to
enforcement."""

from __future__ import annotations

from analysis.model import Clause

STRONG = frozenset({"shall", "shall not"})
WEAK = frozenset({"may", "subject to appropriation"})
MEANING_RULES = frozenset({"modality_weakened", "actor_to_enforcement", "money_up", "money_down"})
PROVIDERS = frozenset({"case_manager"})
ENFORCERS = frozenset({"law_enforcement", "prosecutor", "probation", "court"})


def category_cues(clause: Clause) -> dict[str, tuple[tuple[int, int], ...]]:
    """One cue per codebook category the classifier gave the clause ("category:exclusion"), spanning the words that
    gave it, so an amendment adds or drops the category only where it changes those words."""
    return {f"category:{category}": spans for category, spans in clause.evidence()}


def meaning_fires(rule: dict, o: Clause, n: Clause, carried: frozenset[str] = frozenset()) -> bool:
    """Whether one meaning rule fires on an aligned, changed clause pair; when the rule names `categories` or `cues`,
    either clause must carry one of those categories or one of those cues (`carried`, with its list items' cues):
    a duty (not a person's right) falling from "shall" to "may" or to "subject to appropriation"; a job moving from a
    provider to police, prosecutors, courts or probation; money for `recipients` rising, or moving to them from others,
    or (money_down) falling or moving to enforcement."""
    wanted, cues = set(rule.get("categories", ())), set(rule.get("cues", ()))
    if (wanted or cues) and not (wanted & (set(o.categories) | set(n.categories)) or cues & carried):
        return False
    when = rule["when"]
    if when == "modality_weakened":
        return o.modality in STRONG and n.modality in WEAK and n.actor != "participant"
    if when == "actor_to_enforcement":
        return o.actor in PROVIDERS and n.actor in ENFORCERS
    recipients = set(rule.get("recipients", ()))
    if not (o.recipient_type and n.recipient_type):  # both clauses must be about money
        return False
    if when == "money_up":
        moved_here = o.recipient_type not in recipients | {"unspecified"} and n.recipient_type in recipients
        return moved_here or (n.recipient_type in recipients and 0 < _largest(o) < _largest(n))
    if when == "money_down":
        moved_away = n.recipient_type in ENFORCERS and o.recipient_type in recipients
        return moved_away or (o.recipient_type in recipients and 0 < _largest(n) < _largest(o))
    return False


def _largest(clause: Clause) -> float:
    """The largest dollar amount the clause names (0 when none)."""
    return max(clause.amounts, default=0.0)
