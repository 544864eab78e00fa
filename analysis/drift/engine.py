"""Judge an amendment (old -> new version): aligned clause changes, codebook drift signals and direction."""

from __future__ import annotations

from collections.abc import Callable, Sequence

from analysis.drift import cues as cue_rules
from analysis.drift import fidelity as fid
from analysis.drift.furniture import substantive
from analysis.drift.align import Pair, align, coverage_end, words
from analysis.clauses.engine import classify as classify_clauses
from analysis.drift.signals import Side, fire_signals
from analysis.model import Clause, ClauseChange, DriftReport, ProvisionStatus, Signal
from analysis.drift.redline import Markup, Redline, markup_describes, redline, version_views

SAME_CUT_WORDS = 3  # identical last words: two copies cut off at the same place


def looks_truncated(text: str) -> bool:
    """A version that stops mid-sentence was cut off by its source: what follows is unknown, not deleted."""
    return not text.rstrip().endswith((".", ")", "]", '"', "”"))


def _clip(old: Side, new: Side) -> None:
    """Cut both texts to the stretch both cover, so text missing from a cut-off copy is never read as deleted;
    copies that stop on the same words were cut at the same place and cover the same stretch already."""
    if old.truncated and new.truncated and words(old.text)[-SAME_CUT_WORDS:] == words(new.text)[-SAME_CUT_WORDS:]:
        return
    old_end = coverage_end(old.text, new.text) if old.truncated else None
    new_end = coverage_end(new.text, old.text) if new.truncated else None
    if old_end and (not new_end or old_end[1] <= new_end[1]):
        if words(new.text[old_end[0] :]):
            new.text, new.truncated = new.text[: old_end[0]], True
    elif new_end and words(old.text[new_end[0] :]):
        old.text, old.truncated = old.text[: new_end[0]], True


Classifier = Callable[[str], list[Clause]]


def _prepare(side: Side, classify: Classifier) -> None:
    """Classify one side and find each clause's cues (empty pieces such as stray markers are dropped)."""
    side.clauses = [c for c in classify(side.text) if words(c.text)]
    side.leadins = cue_rules.list_leadins(side.clauses)
    side.cues = cue_rules.version_cues(side.clauses, side.leadins)


def compare(
    old_text: str,
    new_text: str,
    old_markup: Markup = (),
    new_markup: Markup = (),
    old_complete: bool | None = None,
    new_complete: bool | None = None,
    classify: Classifier = classify_clauses,
) -> DriftReport:
    """Compare two versions; a version's own insert/delete markup is used when it describes this amendment.
    `classify` labels the clauses whose meaning the signals compare (a cross-validation fold passes its own model).
    A version without any words is bad input (ValueError): missing text says nothing about an amendment."""
    for label, text in (("old", old_text), ("new", new_text)):
        if not words(text):
            raise ValueError(f"{label} version has no text to compare")
    _, old_current, _ = version_views(old_text, old_markup)
    new_prior, new_current, new_spans = version_views(new_text, new_markup)
    new_cut = looks_truncated(new_text) if new_complete is None else not new_complete
    old_cut = looks_truncated(old_text) if old_complete is None else not old_complete
    if new_spans and markup_describes(old_current.text, new_text, new_spans):
        basis = "markup"  # both sides read from the new version (before / after its markup), quoted clean
        old, new = Side(new_prior.text, new_cut), Side(new_current.text, new_cut)
    else:
        basis = "diff"
        old, new = Side(old_current.text, old_cut, old_text, old_current), Side(new_current.text, new_cut, new_text, new_current)
        _clip(old, new)
    _prepare(old, classify)
    _prepare(new, classify)
    pairs = align([c.text for c in old.clauses], [c.text for c in new.clauses])
    _mark_tails(pairs, old, new)
    old.partners = {p.old: p.new for p in pairs if p.old is not None and p.new is not None}
    new.partners = {p.new: p.old for p in pairs if p.old is not None and p.new is not None}
    lines = {(p.old, p.new): redline(old.clauses[p.old].text, new.clauses[p.new].text) for p in pairs if _changed(p, old, new)}
    signals = fire_signals(pairs, lines, old, new)
    old_status, new_status = _statuses(pairs, old, new)
    old_fid, new_fid = fid.fidelity_from(old_status, old.cue_names()), fid.fidelity_from(new_status, new.cue_names())
    changed, delta = _provision_delta(old_status, new_status)
    contradicted = any(
        b.status == "contradicted" and a.status not in {"contradicted", "unknown"} for a, b in zip(old_status, new_status, strict=True)
    )
    direction = _direction(signals, changed, delta, contradicted)
    changes = tuple(_change(p, old, new, lines.get((p.old, p.new))) for p in pairs if _reported(p, lines, old, new))
    extras = {
        "basis": basis,
        "truncated": {"old": old.truncated, "new": new.truncated},
        "delta": round(delta, 4),
        "provisions_changed": changed,
    }
    return DriftReport(direction, old_fid, new_fid, tuple(signals), changes, extras)


def _mark_tails(pairs: Sequence[Pair], old: Side, new: Side) -> None:
    """Unaligned clauses after the last aligned one may have counterparts beyond the other side's cut."""
    paired = [p for p in pairs if p.old is not None and p.new is not None]
    if new.truncated:
        old.tail = 1 + max((p.old for p in paired), default=-1)
    if old.truncated:
        new.tail = 1 + max((p.new for p in paired), default=-1)


def _changed(pair: Pair, old: Side, new: Side) -> bool:
    """An aligned pair whose words differ (case, punctuation and layout do not count)."""
    return pair.old is not None and pair.new is not None and words(old.clauses[pair.old].text) != words(new.clauses[pair.new].text)


def _statuses(pairs: Sequence[Pair], old: Side, new: Side) -> tuple[list[ProvisionStatus], list[ProvisionStatus]]:
    """Provision statuses of both sides; "unknown" on a cut-off side becomes "absent" where alignment proves it."""
    old_rows = fid.assess(old.clauses, old.cues, old.truncated)
    new_rows = fid.assess(new.clauses, new.cues, new.truncated)
    to_old = {p.new: p.old for p in pairs if p.new is not None}
    to_new = {p.old: p.new for p in pairs if p.old is not None}
    rules = {p.id: p.rule for p in fid.provisions()}
    old_status, new_status = [], []
    for (os_, oi), (ns_, ni) in zip(old_rows, new_rows, strict=True):
        if not rules[os_.provision]:
            if os_.status == "unknown" and ni >= 0 and _known_counterpart(to_old.get(ni), ni, old, new):
                os_ = ProvisionStatus(os_.provision, "absent", os_.weight)
            if ns_.status == "unknown" and oi >= 0 and _known_counterpart(to_new.get(oi), oi, new, old):
                ns_ = ProvisionStatus(ns_.provision, "absent", ns_.weight)
        old_status.append(os_), new_status.append(ns_)
    return old_status, new_status


def _known_counterpart(counterpart: int | None, index: int, side: Side, other: Side) -> bool:
    """Whether the clause at index on `other` faces known text on `side` (a full clause, or a gap inside coverage)."""
    if counterpart is None:
        return index < other.tail
    return counterpart != side.partial


def _provision_delta(old_status: Sequence[ProvisionStatus], new_status: Sequence[ProvisionStatus]) -> tuple[list[str], float]:
    """Provisions whose known status changed, and the weighted change of fidelity (codebook 4.2 step 2)."""
    total = sum(p.weight for p in fid.provisions())
    changed, delta = [], 0.0
    for before, after in zip(old_status, new_status, strict=True):
        if before.status != after.status and "unknown" not in {before.status, after.status}:
            changed.append(before.provision)
            delta += before.weight * (fid.STATUS_VALUES[after.status] - fid.STATUS_VALUES[before.status])
    return changed, delta / total


def _direction(signals: Sequence[Signal], changed: Sequence[str], delta: float, contradicted: bool) -> str:
    """The codebook rule: an H signal, a falling score or a newly contradicted provision is drift-away;
    a rising score without H is toward-model, and so are toward signals alone on a steady score (nothing
    points away, so the amendment is not mixed); no status change and no signal is no-change; else mixed."""
    if not signals and not changed:
        return "no-change"
    if any(s.severity == "H" for s in signals) or delta < 0 or contradicted:
        return "drift-away"
    only_toward = bool(signals) and all(s.severity == "toward" for s in signals)
    return "toward-model" if delta > 0 or only_toward else "mixed"


def _reported(pair: Pair, lines: dict, old: Side, new: Side) -> bool:
    """A change worth listing: a clause added, removed or reworded in substance, not a heading, sponsor line,
    vote tally, enacting clause or renumbered line."""
    if pair.old is not None and pair.new is not None and (pair.old, pair.new) not in lines:
        return False
    old_text = old.clauses[pair.old].text if pair.old is not None else None
    new_text = new.clauses[pair.new].text if pair.new is not None else None
    return substantive(old_text, new_text)


def _change(pair: Pair, old: Side, new: Side, line: Redline | None) -> ClauseChange:
    """One reported clause change with its redline."""
    o = old.clauses[pair.old] if pair.old is not None else None
    n = new.clauses[pair.new] if pair.new is not None else None
    kind = "modified" if o and n else ("added" if n else "removed")
    return ClauseChange(kind, old.quote(o), new.quote(n), o.section if o else "", n.section if n else "", line.runs if line else ())


def report_to_json(report: DriftReport) -> dict:
    """The `divwatch drift --json` contract, plus organizer scores, flags and the clause changes with redlines."""
    return {
        "direction": report.direction,
        "fidelity": {"old": report.old.model_score, "new": report.new.model_score},
        "organizer_fidelity": {"old": report.old.organizer_score, "new": report.new.organizer_score},
        "signals": [{"id": s.id, "severity": s.severity, "old_text": s.old_text, "new_text": s.new_text} for s in report.signals],
        "provisions": [
            {"id": o.provision, "old": o.status, "new": n.status}
            for o, n in zip(report.old.provisions, report.new.provisions, strict=True)
        ],
        "flags": {"old": list(report.old.flags), "new": list(report.new.flags)},
        "changes": [
            {"kind": c.kind, "old_text": c.old_text, "new_text": c.new_text, "old_section": c.old_section,
             "new_section": c.new_section, "redline": [{"op": op, "text": text} for op, text in c.redline]}
            for c in report.changes
        ],
        **{key: report.extras[key] for key in ("basis", "truncated", "delta", "provisions_changed") if key in report.extras},
    }
