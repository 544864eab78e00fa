"""Split a bill into operative clauses and label each with codebook categories, rule ids and evidence."""

from __future__ import annotations

import bisect
import codecs
import gc
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from functools import lru_cache
from operator import attrgetter
from os import PathLike

from analysis.clauses.learned import ClauseModel, RulesOnly, shipped_model
from analysis.clauses.reading import Reading, clear_cache, lower, read_clause
from analysis.model import Clause, Label
from analysis.text.normalize import INSERT, NormalizedText, View, current_view, deleted_views, normalize
from analysis.text.sections import segment_plain

# Sentence ends, each found by one regex scan: ". " (or ? !) after a letter, digit or closing mark and before
# a capital or an opening mark, unless the period ends an abbreviation, a lone capital (an initial) or a one-
# or two-digit enumerator after a sentence, colon or line start ("she: 1. Is charged"); a blank line; a line
# ending in ; : or | (list lines); or a semicolon before a verb in -ing (the parts of a bill's title:
# "amending s. 948.08; requiring ...").
_ABBREVIATIONS = sorted("no sec secs s ss stat stats ch cal u.s s.b h.b e.g i.e inc dept art subd para seq par vs v st rev ann gen ex.s c".split())
_NOT_AFTER_ABBREVIATION = "".join(  # one fixed-width look-behind per abbreviation length (a word that is only the abbreviation)
    rf"(?<!(?<![A-Za-z.])(?ai:{'|'.join(re.escape(word) for word in _ABBREVIATIONS if len(word) == length)})\.)"
    for length in sorted({len(word) for word in _ABBREVIATIONS})
)
_SENTENCE_END = re.compile(  # the mark first, so the scan skips ahead to candidates; the look-behinds then check it
    r"[.?!](?=[ \t\n]+[\"'(]?[A-Z0-9(])(?<=[^\W_][.?!]|[)\]\"'%][.?!])(?<!(?<![A-Za-z.])[A-Z]\.)"
    r"(?<![.:;\n] \d\.)(?<![.:;\n] \d\d\.)(?<!\n\d\.)(?<!\n\d\d\.)(?<!^\d\.)(?<!^\d\d\.)" + _NOT_AFTER_ABBREVIATION
)
_LINE_BREAKS = (re.compile(r"\n[ \t]*\n"), re.compile(r";[ \t]*\n"), re.compile(r":[ \t]*\n"), re.compile(r"\|[ \t]*\n"),
                re.compile(r";[ \t]+(?=[a-z]+ing\b)"))
_TITLE_PART = re.compile(r"[a-z]+ing\b")  # a piece after a semicolon that opens with an -ing verb is a part of a title
CHUNK_CHARACTERS = 1 << 20
CACHED_SECTION_CHARACTERS = 8192
_NUL = b"\x00"
_BY_POSITION = attrgetter("start", "end")


def _sentence_ends(text: str) -> list[int]:
    """Offsets just past every sentence end in the whole text, ascending."""
    ends = [match.end() for match in _SENTENCE_END.finditer(text)]
    for pattern in _LINE_BREAKS:
        ends.extend(match.end() for match in pattern.finditer(text))
    return sorted(set(ends))


def _pieces(text: str, start: int, end: int, ends: list[int]) -> list[tuple[int, int]]:
    """Sentence-sized pieces of text[start:end], trimmed of surrounding whitespace."""
    bounds = [start, *ends[bisect.bisect_right(ends, start) : bisect.bisect_left(ends, end)], end]
    pieces = []
    for left, right in zip(bounds, bounds[1:]):
        piece = text[left:right]
        stripped = piece.strip()
        if stripped:
            left += len(piece) - len(piece.lstrip())
            pieces.append((left, left + len(stripped)))
    return pieces


def _markup_state(start: int, end: int, inserts: list[tuple[int, int]], insert_starts: list[int], default: str) -> str:
    """Whether a clause is mostly new matter inserted by the version's markup (inserts are sorted, disjoint)."""
    if default != "unchanged" or end <= start:
        return default
    index = bisect.bisect_left(insert_starts, end)
    if index == 0 or inserts[index - 1][1] <= start:
        return default
    covered = 0
    while index > 0 and inserts[index - 1][1] > start:
        insert_start, insert_end = inserts[index - 1]
        covered += min(end, insert_end) - max(start, insert_start)
        index -= 1
    return "inserted" if covered * 2 > end - start else default


@lru_cache(maxsize=1 << 14)
def _cached_section(section_text: str, lead_in: str) -> tuple[tuple[tuple[int, int, Reading, str], ...], str]:
    """Clause pieces of one short section with their readings, and the lead-in its children inherit."""
    return _read_section(section_text, lead_in)


def clear_caches() -> None:
    """Forget cached sections and clause readings (benchmarks of unseen text; tests of rule edits)."""
    _cached_section.cache_clear()
    clear_cache()


def _read_section(section_text: str, lead_in: str) -> tuple[tuple[tuple[int, int, Reading, str], ...], str]:
    """Split one section into sentence pieces and read each with its lead-in (offsets relative to the section).
    The parts of a bill's title ("...; requiring ...; providing ...") are read under the title's opening words, as
    list items under their lead-in, so "requiring a community service requirement" is known to be about the program."""
    pieces = _pieces(section_text, 0, len(section_text), _sentence_ends(section_text))
    readings, head = [], ""
    for k, (start, end) in enumerate(pieces):
        title_part = k > 0 and section_text[pieces[k - 1][1] - 1] == ";" and _TITLE_PART.match(section_text, start) is not None
        if not title_part:
            head = ""
        elif not head:
            head = lower(section_text[pieces[k - 1][0] : pieces[k - 1][1]][-400:])
        piece_lead_in = f"{lead_in}\n{head}" if lead_in and head else head or lead_in
        readings.append((start, end, read_clause(section_text[start:end], piece_lead_in), piece_lead_in))
    last = section_text[pieces[-1][0] : pieces[-1][1]] if pieces else ""
    return tuple(readings), lower(last[-400:])


@dataclass(frozen=True)
class _Inserts:
    """Inserted spans of a version (sorted, disjoint), with their starts and ends listed once for every view."""

    spans: list[tuple[int, int]]
    starts: list[int]
    ends: list[int]


def _clauses_of_view(original: str, view: View, inserts: _Inserts, markup: str, offset: int) -> Iterator[Clause]:
    """Clauses of one cleaned reading, with labels and offsets mapped back to the original text."""
    clean = view.text
    insert_starts, insert_ends = inserts.starts, inserts.ends
    clean_starts, orig_starts, verbatim, segments = view.clean_starts, view.orig_starts, view.verbatim, len(view.clean_starts)
    lead_ins: list[tuple[int, str]] = []  # (level, lead-in text through that level), innermost last
    for section in segment_plain(clean):
        level, section_start, section_end, path = section.level, section.start, section.end, section.path
        while lead_ins and lead_ins[-1][0] >= level:
            lead_ins.pop()
        lead_in = lead_ins[-1][1] if lead_ins else ""
        section_text = clean[section_start:section_end]
        reader = _cached_section if len(section_text) <= CACHED_SECTION_CHARACTERS else _read_section
        readings, last_piece = reader(section_text, lead_in)
        segment = bisect.bisect_right(clean_starts, section_start) - 1
        segment_end = clean_starts[segment + 1] if segment + 1 < segments else len(clean)
        # Most sections were copied verbatim from the original: one shift then maps every offset in them.
        shift = orig_starts[segment] - clean_starts[segment] if verbatim[segment] and section_end <= segment_end else None
        for relative_start, relative_end, reading, clause_lead_in in readings:
            start, end = section_start + relative_start, section_start + relative_end
            clause_shift = shift if shift is not None else _verbatim_shift(view, start, end)
            hits = reading.hits
            if clause_shift is not None:
                original_start, original_end = start + clause_shift, end + clause_shift
                at = offset + original_start
                labels = tuple([Label(hit.category, hit.rule, at + hit.start, at + hit.end) for hit in hits]) if hits else ()
            else:
                original_start, original_end = view.to_original(start), view.to_original_end(end)
                labels = tuple([
                    Label(hit.category, hit.rule, offset + view.to_original(start + hit.start), offset + view.to_original_end(start + hit.end))
                    for hit in hits
                ])
            state = markup
            if insert_starts:  # only a clause that overlaps an insert can be mostly new matter
                index = bisect.bisect_left(insert_starts, original_end)
                if index and insert_ends[index - 1] > original_start:
                    state = _markup_state(original_start, original_end, inserts.spans, insert_starts, markup)
            yield Clause(
                offset + original_start,
                offset + original_end,
                original[original_start:original_end],
                path,
                labels,
                reading.modality,
                reading.actor,
                reading.amounts,
                reading.fiscal_years,
                reading.recipient_type,
                state,
                clause_lead_in,
            )
        lead_ins.append((level, f"{lead_in}\n{last_piece}" if lead_in else last_piece))


def _verbatim_shift(view: View, start: int, end: int) -> int | None:
    """Offset shift for a clean span copied verbatim from the original, or None when edits fall inside it."""
    segment = bisect.bisect_right(view.clean_starts, start) - 1
    if segment < 0 or not view.verbatim[segment]:
        return None
    if segment + 1 < len(view.clean_starts) and end > view.clean_starts[segment + 1]:
        return None
    return view.orig_starts[segment] - view.clean_starts[segment]


def _iter_classified(nt: NormalizedText, offset: int = 0) -> Iterator[Clause]:
    """Clauses of the current version and the struck passages (marked deleted, labelled for drift), in position order.

    The current view yields its clauses in position order already, so merging the few struck clauses into it
    gives what a stable sort would, while streamed clauses are handed on one by one instead of piling up.
    """
    spans = [(span.start, span.end) for span in nt.spans if span.kind == INSERT]
    inserts = _Inserts(spans, [start for start, _ in spans], [end for _, end in spans])
    struck = [clause for view in deleted_views(nt) for clause in _clauses_of_view(nt.text, view, inserts, "deleted", offset)]
    struck.sort(key=_BY_POSITION)
    current = _clauses_of_view(nt.text, current_view(nt), inserts, "unchanged", offset)
    if not struck:
        yield from current
        return
    waiting = iter(struck)
    next_struck = next(waiting, None)
    for clause in current:
        # Comparing starts first skips building the (start, end) keys for almost every clause.
        while next_struck is not None and next_struck.start <= clause.start and _BY_POSITION(next_struck) < _BY_POSITION(clause):
            yield next_struck
            next_struck = next(waiting, None)
        yield clause
    if next_struck is not None:
        yield next_struck
        yield from waiting


def classify(text: str, markup: Iterable[tuple[str, int, int]] = (), model: ClauseModel | RulesOnly | None = None) -> list[Clause]:
    """Every clause of a version (labelled or not) with offsets into the text as read, labelled by the (shipped) model.

    The result is many small objects without cycles: the cycle collector is paused while it grows, since its
    full passes over every clause built so far made the cost grow faster than the text (16 corpus copies in one text took 19-23x the time of one).
    """
    collecting = gc.isenabled()
    gc.disable()
    try:
        return list((model or shipped_model()).label(_iter_classified(normalize(text, markup))))
    finally:
        if collecting:
            gc.enable()


def _split_point(buffer: str) -> int:
    """Where to cut a streamed buffer: a paragraph break, else a line break, else anywhere."""
    for separator in ("\n\n", "\n"):
        cut = buffer.rfind(separator, len(buffer) // 2)
        if cut > 0:
            return cut + len(separator)
    return len(buffer)


def iter_classify_file(path: str | PathLike[str], chunk_characters: int = CHUNK_CHARACTERS) -> Iterator[Clause]:
    """Stream a (possibly huge) UTF-8 file chunk by chunk; offsets are characters into the file as read."""
    decoder = codecs.getincrementaldecoder("utf-8")(errors="replace")
    buffer, consumed = "", 0
    with open(path, "rb") as handle:
        while True:
            raw = handle.read(chunk_characters)
            if raw and _NUL in raw:
                position = handle.tell() - len(raw) + raw.index(_NUL)
                raise ValueError(f"{path}: binary content (NUL byte at byte {position}); not bill text")
            buffer += decoder.decode(raw, final=not raw)
            while len(buffer) >= chunk_characters or (not raw and buffer):
                cut = _split_point(buffer) if raw else len(buffer)
                yield from shipped_model().label(_iter_classified(normalize(buffer[:cut]), consumed))
                consumed += cut
                buffer = buffer[cut:]
            if not raw:
                return
