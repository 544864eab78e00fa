"""Fire codebook drift signals on aligned clause pairs, so drift.compare() only assembles the report."""

from __future__ import annotations

import re
from collections import Counter, defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from difflib import SequenceMatcher
from functools import lru_cache

from analysis.drift import cues as cue_rules
from analysis.drift.align import WORD, Pair, similarity, words
from analysis.drift.changes import SCALE_WORDS, changed_within, downgraded, overlaps
from analysis.drift.meaning import MEANING_RULES, meaning_fires
from analysis.model import Clause, Signal
from analysis.text.normalize import View
from analysis.drift.redline import Redline

MOVED_SIMILARITY = 0.8
Focus = tuple[cue_rules.Spans, cue_rules.Spans]  # (old, new) spans a fired rule rests on or its diff touched; () = all
WHOLE_CLAUSES: Focus = ((), ())
FOCUS_CHARACTERS = 600  # a clause longer than this is quoted by the lines its firing cue lies on
CONTAINED_WORDS = 8  # a shorter clause ("participation shall be voluntary") may recur inside another by chance
MONEY_CUE = "funding_any"
BARE_AMOUNT_CHARACTERS = 200
# A list item that is only an amount and its years ("(B) $20,000,000 for fiscal year 2024;"): it cannot say whose
# money it is, so a money category read into it is its lead-in's, not its own.
_BARE_AMOUNT = re.compile(rf"(?:\W|\d|\b(?:[a-z]|[ivxl]{{2,}}|for|fiscal|years?|each|of|through|and|to|in|the|until|{SCALE_WORDS})\b)*",
                          re.IGNORECASE)


@dataclass
class Side:
    """One side of the comparison: its clauses, their cues, and whether its text is cut off."""

    text: str
    truncated: bool
    source: str = ""  # the file as read, for evidence quoted verbatim
    view: View | None = None  # maps offsets in text back to source
    clauses: list[Clause] = field(default_factory=list)
    cues: list[dict[str, cue_rules.Spans]] = field(default_factory=list)
    tail: int = 1 << 30  # clauses from here on lie after the last aligned clause of a cut-off comparison
    partners: dict[int, int] = field(default_factory=dict)  # each paired clause's counterpart on the other side
    leadins: list[int] = field(default_factory=list)  # each clause's list lead-in (-1: none)
    counts: Counter = field(default_factory=Counter)  # clauses per cue, filled on first use
    loose: Counter | None = None  # unpaired clauses per cue, filled on first use
    items: dict[int, set[str]] | None = None  # cues of the list items under each lead-in, filled on first use

    def quote(self, clause: Clause | None, focus: cue_rules.Spans = ()) -> str:
        """The clause as it reads in the original file (markup tokens and layout included); of a long clause (a quoted
        block read whole) only the lines that hold the focus spans, so an alert quotes the provision that changed."""
        if clause is None:
            return ""
        start, end = 0, len(clause.text)
        if focus and end > FOCUS_CHARACTERS:
            start = clause.text.rfind("\n", 0, min(a for a, _ in focus)) + 1
            end = clause.text.find("\n", max(b for _, b in focus))
            end = len(clause.text) if end < 0 else end
        if self.view is None:
            return clause.text[start:end].strip()
        return self.source[self.view.to_original(clause.start + start) : self.view.to_original_end(clause.start + end)].strip()

    def count(self, cue: str) -> int:
        """Clauses on this side that carry the cue."""
        if not self.counts:
            self.counts.update(name for found in self.cues for name in found)
        return self.counts[cue]

    def loose_count(self, cue: str) -> int:
        """Unpaired clauses on this side that carry the cue (candidates for a real addition or deletion)."""
        if self.loose is None:
            self.loose = Counter(name for k, found in enumerate(self.cues) if k not in self.partners for name in found)
        return self.loose[cue]

    def item_cues(self, index: int | None) -> set[str]:
        """Cues of the list items under a lead-in clause (a duty stated in the lead-in governs its items)."""
        if self.items is None:
            self.items = defaultdict(set)
            for k, leadin in enumerate(self.leadins):
                if leadin >= 0:
                    self.items[leadin].update(self.cues[k])
        return self.items.get(index, set()) if index is not None else set()

    def cue_names(self) -> set[str]:
        """Every cue carried anywhere on this side (for the organizer flags)."""
        return {name for found in self.cues for name in found}

    @property
    def partial(self) -> int | None:
        """Index of a last clause that lost its tail to truncation (its missing words are unknown, not deleted)."""
        if not self.truncated or not self.clauses:
            return None
        return None if self.clauses[-1].text.rstrip().endswith((".", ")", '"', "]")) else len(self.clauses) - 1


def _moved(cue: str, text: str, spans: cue_rules.Spans, other: Side) -> bool:
    """Whether a clause added or removed here still exists elsewhere on the other side: nearly word for word as a
    clause of its own, or inside a longer clause (a quoted block one version reads whole) with its cue's words among
    the words they share, so a real insertion inside such a block still counts."""
    mine = words(text)
    for clause, found in zip(other.clauses, other.cues, strict=True):
        if cue not in found:
            continue
        theirs = words(clause.text)
        if similarity(mine, theirs, MOVED_SIMILARITY) >= MOVED_SIMILARITY or _contained_with(mine, theirs, text, spans):
            return True
    return False


def _contained_with(mine: tuple[str, ...], theirs: tuple[str, ...], text: str, spans: cue_rules.Spans) -> bool:
    """Whether most of a clause's words recur in order inside a longer clause, the cue's words among them."""
    if len(mine) < CONTAINED_WORDS or len(theirs) <= len(mine):
        return False
    if sum((Counter(mine) & Counter(theirs)).values()) < MOVED_SIMILARITY * len(mine):
        return False
    blocks = SequenceMatcher(None, mine, theirs, autojunk=False).get_matching_blocks()
    if sum(block.size for block in blocks) < MOVED_SIMILARITY * len(mine):
        return False
    shared = {k for block in blocks for k in range(block.a, block.a + block.size)}
    starts = [match.start() for match in WORD.finditer(text.lower())]
    return all(k in shared for k, start in enumerate(starts) for a, b in spans if a <= start < b)


def _spelled_out(cue: str, index: int, side: Side, other: Side) -> bool:
    """Whether an unpaired list item only spells out its lead-in's counterpart, a single clause that already carried
    the cue ("$20,000,000 for each of fiscal years 2022 through 2026" becoming one item per year)."""
    leadin = side.leadins[index] if index < len(side.leadins) else -1
    partner = side.partners.get(leadin) if leadin >= 0 else None
    return partner is not None and cue in other.cues[partner] and partner not in other.leadins


@lru_cache(maxsize=1)
def _recipient_cues() -> frozenset[str]:
    """Cues that say whose money it is: the money categories, as phrasings and as classifier categories."""
    money = next(cue.categories for cue in cue_rules.cues() if cue.name == MONEY_CUE)
    named = {cue.name for cue in cue_rules.cues() if cue.categories and cue.categories <= money and cue.name != MONEY_CUE}
    return frozenset(named | {f"category:{category}" for category in money})


def _only_an_amount(cue: str, clause: Clause) -> bool:
    """Whether a clause is a bare amount carrying a money category it cannot show on its own."""
    return cue in _recipient_cues() and len(clause.text) <= BARE_AMOUNT_CHARACTERS and _BARE_AMOUNT.fullmatch(clause.text) is not None


def _new_here(cue: str, index: int, side: Side, other: Side) -> bool:
    """An unpaired clause really adds (or drops) a cue: it is not in the uncertain tail, more unpaired clauses
    carry the cue on this side than on the other (else it was reworded beyond alignment), it did not just move,
    it does not merely spell out a clause the other side states at once, and it is not a bare amount."""
    clause = side.clauses[index]
    return (index < side.tail and side.loose_count(cue) > other.loose_count(cue)
            and not _moved(cue, clause.text, side.cues[index][cue], other)
            and not _spelled_out(cue, index, side, other) and not _only_an_amount(cue, clause))


def _version_gate(rule: dict, cue: str, old: Side, new: Side) -> bool:
    """`appear`: the old version had no clause with the cue; `vanish`: the new version keeps none."""
    if rule.get("appear") and old.count(cue):
        return False
    return not (rule.get("vanish") and new.count(cue))


def _fires(rule: dict, pair: Pair, line: Redline | None, old: Side, new: Side) -> Focus | None:
    """Whether one signal rule fires on one aligned clause pair, and where (the cue spans an alert should quote).
    A cue is added (removed) when the new (old) clause shows it more often and the extra showing lies in
    inserted (deleted) words, or when a whole clause carrying it appears (disappears)."""
    o = old.clauses[pair.old] if pair.old is not None else None
    n = new.clauses[pair.new] if pair.new is not None else None
    oc = old.cues[pair.old] if o else {}
    nc = new.cues[pair.new] if n else {}
    if o and n and line is None:
        return None
    when, context = rule["when"], set(rule.get("context", ()))
    whole = line is not None and pair.old != old.partial and pair.new != new.partial  # no cut-off tail in the diff
    if when in MEANING_RULES:
        carried = frozenset(oc) | frozenset(nc) | old.item_cues(pair.old) | new.item_cues(pair.new) if whole else frozenset()
        return WHOLE_CLAUSES if whole and meaning_fires(rule, o, n, carried) else None
    for cue in rule.get("cues", ()):
        if not _version_gate(rule, cue, old, new):
            continue
        gained, lost = len(nc.get(cue, ())) > len(oc.get(cue, ())), len(oc.get(cue, ())) > len(nc.get(cue, ()))
        gained = gained or (o is not None and n is not None and _new_class_word(cue, oc, nc, o.text, n.text))
        if when == "added" and gained and (not context or context & set(nc)):
            if pair.old is not None and pair.old == old.partial:
                continue
            if line and overlaps(nc[cue], line.changed_new):
                return line.changed_old, _touched(nc[cue], line.changed_new)
            if not o and _new_here(cue, pair.new, new, old):
                return (), nc[cue]
        if when == "removed" and lost and (not context or context & set(oc)) and not (rule.get("whole_clause") and cue in nc):
            if pair.new is not None and pair.new == new.partial:
                continue
            if line and overlaps(oc[cue], line.changed_old):
                return _touched(oc[cue], line.changed_old), line.changed_new
            if not n and _new_here(cue, pair.old, old, new):
                return oc[cue], ()
        if whole and cue in oc and cue in nc and changed_within(rule, line, o, n, nc[cue]):
            return oc[cue], nc[cue]
    if when == "downgraded" and whole and downgraded(line, o):
        governed = set(oc) | set(nc) | old.item_cues(pair.old) | new.item_cues(pair.new)
        if governed & set(cue_rules.rules()["modality"]["safeguards"]):
            return WHOLE_CLAUSES
    return None


@lru_cache(maxsize=1)
def _party_classes() -> dict[str, re.Pattern[str]]:
    """Word-class cues whose signal also fires on a new member of one class, the party (signals.toml: party_class)."""
    specs = cue_rules.rules()["cues"]
    return {cue.name: cue.together[specs[cue.name]["party_class"]] for cue in cue_rules.cues() if "party_class" in specs[cue.name]}


def _new_class_word(cue: str, oc: dict, nc: dict, old_text: str, new_text: str) -> bool:
    """A word-class cue whose new clause names a party its old clause did not (police or a court added as a recipient
    of what is shared), though the count of class words did not grow."""
    party = _party_classes().get(cue)
    if party is None or cue not in oc or cue not in nc:
        return False
    before = {old_text[a:b].lower() for a, b in oc[cue]}
    return any(party.fullmatch(word := new_text[a:b].lower()) and word not in before for a, b in nc[cue])


def _touched(spans: cue_rules.Spans, runs: Sequence[tuple[int, int]]) -> cue_rules.Spans:
    """The cue spans that touch changed words."""
    return tuple(span for span in spans if overlaps((span,), runs))


def _cue_names(pair: Pair, old: Side, new: Side) -> frozenset[str]:
    """Cues on either clause of a pair: a rule about other cues cannot fire on it (most pairs of a long text carry none)."""
    return frozenset(old.cues[pair.old] if pair.old is not None else ()) | frozenset(new.cues[pair.new] if pair.new is not None else ())


def _may_fire(rule: dict, names: frozenset[str]) -> bool:
    """Whether a rule can fire on a pair carrying these cues (rules that read no cue, or read the clause's meaning, always can)."""
    return rule["when"] == "downgraded" or rule["when"] in MEANING_RULES or not names.isdisjoint(rule.get("cues", ()))


def fire_signals(pairs: Sequence[Pair], lines: dict, old: Side, new: Side) -> list[Signal]:
    """Every codebook signal that fires on some aligned pair, once per id, with its first evidence."""
    found: list[Signal] = []
    touched = [p for p in pairs if p.old is None or p.new is None or (p.old, p.new) in lines]
    carried = [_cue_names(pair, old, new) for pair in touched]
    for spec in cue_rules.rules()["signals"]:
        for pair, names in zip(touched, carried, strict=True):
            rules = [rule for rule in spec["rules"] if _may_fire(rule, names)]
            focus = next((f for rule in rules if (f := _fires(rule, pair, lines.get((pair.old, pair.new)), old, new))), None)
            if focus is not None:
                o = old.clauses[pair.old] if pair.old is not None else None
                n = new.clauses[pair.new] if pair.new is not None else None
                found.append(Signal(spec["id"], spec["severity"], old.quote(o, focus[0]), new.quote(n, focus[1])))
                break
    return found
