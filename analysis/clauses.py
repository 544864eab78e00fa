"""Split a bill into operative clauses and label each with codebook categories, rule ids and evidence."""

from __future__ import annotations

import bisect
import codecs
import re
from collections.abc import Iterable, Iterator
from os import PathLike

from analysis.clause_reading import lower, read_clause
from analysis.model import Clause, Label
from analysis.normalize import INSERT, NormalizedText, View, current_view, deleted_views, normalize
from analysis.sections import segment_plain

# Sentence ends, each found by a literal-led scan (fast on long texts) and checked in Python:
# ". " before a capital or an opening mark, a blank line, or a line ending in ; : or | (list lines).
_PERIOD = re.compile(r"[.?!](?=[ \t\n]+[\"'(]?[A-Z0-9(])")
_LINE_BREAKS = (re.compile(r"\n[ \t]*\n"), re.compile(r";[ \t]*\n"), re.compile(r":[ \t]*\n"), re.compile(r"\|[ \t]*\n"))
_BEFORE_PERIOD = frozenset("abcdefghijklmnopqrstuvwxyz0123456789)]\"'%")
_ABBREVIATIONS = frozenset("no sec secs stat stats ch cal u.s s.b h.b e.g i.e inc dept art subd para seq par vs v st rev ann gen ex.s c".split())
_WORD_BEFORE = re.compile(r"([A-Za-z.]+)$")
CHUNK_CHARACTERS = 1 << 20
_NUL = b"\x00"


def _sentence_ends(text: str) -> list[int]:
    """Offsets just past every sentence end in the whole text, ascending."""
    ends = []
    for match in _PERIOD.finditer(text):
        position = match.start()
        if position == 0 or text[position - 1] not in _BEFORE_PERIOD:
            continue
        if match.group() == "." and (word := _WORD_BEFORE.search(text, max(0, position - 12), position)):
            token = word.group(1)
            if token.lower().rstrip(".") in _ABBREVIATIONS or len(token) == 1 and token.isupper():
                continue
        ends.append(match.end())
    for pattern in _LINE_BREAKS:
        ends.extend(match.end() for match in pattern.finditer(text))
    return sorted(set(ends))


def _pieces(text: str, start: int, end: int, ends: list[int]) -> Iterator[tuple[int, int]]:
    """Sentence-sized pieces of text[start:end], trimmed of surrounding whitespace."""
    cursor = start
    for index in range(bisect.bisect_right(ends, start), bisect.bisect_left(ends, end)):
        yield from _trimmed(text, cursor, ends[index])
        cursor = ends[index]
    yield from _trimmed(text, cursor, end)


def _trimmed(text: str, start: int, end: int) -> Iterator[tuple[int, int]]:
    """The span without leading/trailing whitespace, if anything is left."""
    piece = text[start:end]
    stripped = piece.strip()
    if stripped:
        left = start + (len(piece) - len(piece.lstrip()))
        yield left, left + len(stripped)


def _markup_state(start: int, end: int, inserts: list[tuple[int, int]], insert_starts: list[int], default: str) -> str:
    """Whether a clause is mostly new matter inserted by the version's markup."""
    if default != "unchanged" or end <= start or not inserts:
        return default
    first = max(0, bisect.bisect_right(insert_starts, start) - 1)
    covered = 0
    for insert_start, insert_end in inserts[first:]:
        if insert_start >= end:
            break
        covered += max(0, min(end, insert_end) - max(start, insert_start))
    return "inserted" if covered * 2 > end - start else default


def _clauses_of_view(original: str, view: View, inserts: list[tuple[int, int]], markup: str, offset: int) -> Iterator[Clause]:
    """Clauses of one cleaned reading, with labels and offsets mapped back to the original text."""
    clean = view.text
    ends = _sentence_ends(clean)
    insert_starts = [s for s, _ in inserts]
    lead_ins: list[tuple[int, str]] = []
    for section in segment_plain(clean):
        while lead_ins and lead_ins[-1][0] >= section.level:
            lead_ins.pop()
        lead_in = "\n".join(text for _, text in lead_ins)
        last_piece = ""
        for start, end in _pieces(clean, section.start, section.end, ends):
            piece = clean[start:end]
            reading = read_clause(piece, lead_in)
            original_start, original_end = view.to_original(start), view.to_original_end(end)
            labels = tuple(
                Label(hit.category, hit.rule, offset + view.to_original(start + hit.start), offset + view.to_original_end(start + hit.end))
                for hit in reading.hits
            )
            yield Clause(
                start=offset + original_start,
                end=offset + original_end,
                text=original[original_start:original_end],
                section=section.path,
                labels=labels,
                modality=reading.modality,
                actor=reading.actor,
                amounts=reading.amounts,
                fiscal_years=reading.fiscal_years,
                recipient_type=reading.recipient_type,
                markup=_markup_state(original_start, original_end, inserts, insert_starts, markup),
            )
            last_piece = piece
        lead_ins.append((section.level, lower(last_piece[-400:])))


def _classify_normalized(nt: NormalizedText, offset: int = 0) -> list[Clause]:
    """Clauses of the current version plus the struck passages (marked deleted, labelled for drift)."""
    inserts = [(span.start, span.end) for span in nt.spans if span.kind == INSERT]
    clauses = list(_clauses_of_view(nt.text, current_view(nt), inserts, "unchanged", offset))
    for view in deleted_views(nt):
        clauses.extend(_clauses_of_view(nt.text, view, inserts, "deleted", offset))
    clauses.sort(key=lambda clause: (clause.start, clause.end))
    return clauses


def classify(text: str, markup: Iterable[tuple[str, int, int]] = ()) -> list[Clause]:
    """Every clause of a version (labelled or not) with offsets into the text as read."""
    return _classify_normalized(normalize(text, markup))


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
                yield from _classify_normalized(normalize(buffer[:cut]), consumed)
                consumed += cut
                buffer = buffer[cut:]
            if not raw:
                return
