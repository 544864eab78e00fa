"""Amendment markup and print noise, found in plain bill text so clause rules read law, not layout."""

from __future__ import annotations

import bisect
import html
import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache

from analysis.text.line_numbers import line_number_edits
from analysis.text.markdown import markdown_edits
from analysis.text.look_alikes import look_alike_edits

INSERT, DELETE = "insert", "delete"
_KIND_ALIASES = {"insert": INSERT, "inserted": INSERT, "ins": INSERT, "delete": DELETE, "deleted": DELETE, "del": DELETE}


@dataclass(frozen=True)
class Span:
    """A run of the original text: inserted/deleted matter, or noise (markers, line numbers, headers)."""

    kind: str
    start: int
    end: int


@dataclass(frozen=True)
class NormalizedText:
    """The text as read plus where its amendment markup and print noise lie (offsets into text)."""

    text: str
    spans: tuple[Span, ...] = ()
    noise: tuple[tuple[int, int, str], ...] = ()  # (start, end, replacement) edits that drop layout


@dataclass(frozen=True)
class View:
    """A cleaned reading of the text that can map every character back to the original offsets."""

    text: str
    clean_starts: tuple[int, ...]
    orig_starts: tuple[int, ...]
    verbatim: tuple[bool, ...]

    def to_original(self, index: int) -> int:
        """Original offset of the clean character at index (edits map to the start of what they replaced)."""
        k = bisect.bisect_right(self.clean_starts, index) - 1
        if k < 0:
            return 0
        if self.verbatim[k]:
            return self.orig_starts[k] + (index - self.clean_starts[k])
        return self.orig_starts[k]

    def to_original_end(self, index: int) -> int:
        """Original offset just past the clean character before index, for span ends."""
        return self.to_original(index - 1) + 1 if index > 0 else 0


# California text renderings: "begin insert ... end insert", "begin delete ... end delete" (often glued to words).
_CA_MARKERS = (re.compile(r"begin (insert|delete)"), re.compile(r"end (insert|delete)"))
# Explicit renderings some sites keep: **bold** insertions, ~~strike~~ deletions, and HTML-ish tags.
_BOLD = re.compile(r"\*\*([^*\n]{1,2000}?)\*\*")
_STRIKE = re.compile(r"~~([^~\n]{1,2000}?)~~")
_TAG = re.compile(r"<(u|ins|s|strike|del)>([^<]{0,4000})</\1>", re.IGNORECASE)
# Brackets mark deleted matter in bills that amend existing law (TX, NY and many others).
_BRACKET = re.compile(r"\[([^\[\]]{1,1500})\]")
_BRACKET_NOT_DELETION = re.compile(
    r"^\s*(?:\d{4}\s+(?:1st\s+|2nd\s+)?(?:ex\.s\.\s+)?c\s+\d|Approved by|Filed with|\d[\d.\s]*-\s*[\d.]+\s*$|s\s*$|es\s*$)"
)
_AMENDING_PHRASES = ("amended to read as follows", "is amended by adding", "is amended by changing", "is amended by amending",
                     "matter in brackets", "is old law", "is amended as follows", "is hereby amended as follows")
# New York legend: matter in CAPITALS (or italics) is new, [brackets] are old law to be omitted.
_CAPS_LEGEND = re.compile(r"EXPLANATION\W+Matter in (?:CAPITALS|capitals|ITALICS|italics)")
_CAPS_RUN = re.compile(r"\b[A-Z][A-Z0-9,'()\-]*(?:[ \t]+[A-Z][A-Z0-9,'()\-]*){2,}\b")
# Print layout: line numbers (own column or glued to the first word), page headers, hyphenation.
_LINE_NUMBER_COLUMN = re.compile(r"\n[ \t]*(\d{1,2})(?= {2,}|\t|[a-z(\"]|[A-Z][a-z])")
_GLUED_LINE_NUMBER = re.compile(r" (\d{1,2})(?=[a-z]{3,})(?!(?:st|nd|rd|th)\b)")
_GLUED_AFTER = frozenset("abcdefghijklmnopqrstuvwxyz,;.)")
_ILLINOIS_HEADER = re.compile(r"LRB\d{3}[ \d]+[A-Z]{2,4}[ \d]+[a-z]?[ \t]*(?=\n|$)")  # the line it ends is a header
_PAGE_HEADERS = (  # each led by a literal so long texts scan fast; the match is the whole header line
    re.compile(r"\n[ \t]*[—–-][ \t]*\d{1,4}[ \t]*[—–-][ \t]*(?=\n|$)"),
    re.compile(r"\n[ \t]*Page \d+ of \d+[ \t]*(?=\n|$)"),
)
_HYPHEN_BREAK = re.compile(r"-[ \t]*\r?\n[ \t]*(?:\d{1,2}[ \t]+)?(?=[a-z])")
# Markup-language renderings (XML/HTML saved as text): tags are layout; block tags end a paragraph.
_ML_TAG = re.compile(r"<[A-Za-z/?!][^<>]{0,2000}>")
_BLOCK_TAG = re.compile(
    r"</?(?:\w+:)?(?:p|div|br|li|ul|ol|h[1-6]|tr|td|th|table|section|article|para|paragraph|content|subdivision|"
    r"description|title|heading|num|caption|digest|bill|law|level\d?)\b",
    re.IGNORECASE,
)
_ENTITY = re.compile(r"&(?:#\d{1,7}|#x[0-9a-fA-F]{1,6}|[A-Za-z]{2,8});")
_SOFT_HYPHEN = "\u00ad"
NON_ASCII = re.compile(r"[^\x00-\x7f]")  # also read by the clause scan
_ASCII_BLOCK = 256
_ASCII_PUNCT = str.maketrans({"\u2018": "'", "\u2019": "'", "\u201c": '"', "\u201d": '"', "\u00a0": " ", "\u2011": "-"})


def _ca_spans(text: str) -> tuple[list[Span], list[tuple[int, int, str]]]:
    """Pair California begin/end tokens into inserted/deleted spans; the tokens themselves are noise."""
    spans: list[Span] = []
    noise: list[tuple[int, int, str]] = []
    open_kind, open_end = "", 0
    if "begin " not in text:
        return spans, noise
    tokens = sorted(
        (match.start(), match.end(), edge, match.group(1))
        for edge, pattern in zip(("begin", "end"), _CA_MARKERS)
        for match in pattern.finditer(text)
    )
    for token_start, token_end, edge, kind in tokens:
        noise.append((token_start, token_end, " "))
        if edge == "begin":
            open_kind, open_end = kind, token_end
        elif open_kind == kind:
            spans.append(Span(kind, open_end, token_start))
            open_kind = ""
    if open_kind:  # a copy cut off inside a marked passage: the passage runs to the end of what we have
        spans.append(Span(open_kind, open_end, len(text)))
    return spans, noise


def _wrapped_spans(pattern: re.Pattern[str], text: str, kind: str, group: int = 1) -> tuple[list[Span], list]:
    """Spans for delimiter-wrapped markup, with the delimiters recorded as noise."""
    spans, noise = [], []
    for match in pattern.finditer(text):
        inner_start, inner_end = match.start(group), match.end(group)
        spans.append(Span(kind, inner_start, inner_end))
        noise += [(match.start(), inner_start, ""), (inner_end, match.end(), "")]
    return spans, noise


def _tag_spans(text: str) -> tuple[list[Span], list]:
    """Underline/insert and strike/delete tags left in a text rendering."""
    spans, noise = [], []
    for match in _TAG.finditer(text):
        kind = INSERT if match.group(1).lower() in {"u", "ins"} else DELETE
        spans.append(Span(kind, match.start(2), match.end(2)))
        noise += [(match.start(), match.start(2), ""), (match.end(2), match.end(), "")]
    return spans, noise


def _bracket_spans(text: str) -> tuple[list[Span], list]:
    """Bracketed deletions, only in texts that amend existing law, skipping session-law citations."""
    if "[" not in text or not any(phrase in text or phrase.upper() in text for phrase in _AMENDING_PHRASES):
        return [], []
    spans, noise = [], []
    for match in _BRACKET.finditer(text):
        if _BRACKET_NOT_DELETION.match(match.group(1)):
            continue
        spans.append(Span(DELETE, match.start(1), match.end(1)))
        noise += [(match.start(), match.start(1), ""), (match.end(1), match.end(), "")]
    return spans, noise


def _markup_language_noise(text: str) -> list[tuple[int, int, str]]:
    """Tags and entities of an XML/HTML rendering, when the text is one (a few stray "<" are not)."""
    tags = list(_ML_TAG.finditer(text))
    if len(tags) < 3:
        return []
    noise = [(m.start(), m.end(), "\n\n" if _BLOCK_TAG.match(m.group()) else " ") for m in tags]
    noise += [(m.start(), m.end(), html.unescape(m.group())) for m in _ENTITY.finditer(text)]
    return noise


def _layout_noise(text: str) -> list[tuple[int, int, str]]:
    """Line numbers, page headers, soft hyphens, end-of-line hyphenation, compatibility forms and look-alike letters."""
    noise = [(m.start(), m.end(), "") for pattern in _PAGE_HEADERS for m in pattern.finditer(text)]
    for match in _ILLINOIS_HEADER.finditer(text):
        line_start = text.rfind("\n", 0, match.start()) + 1
        if match.start() - line_start <= 60:
            noise.append((line_start, match.end(), ""))
    noise += _markup_language_noise(text)
    column = list(_LINE_NUMBER_COLUMN.finditer("\n" + text))
    if len(column) >= 5:
        noise += [(m.start(1) - 1, m.end(1) - 1, " ") for m in column]
    glued = [m for m in _GLUED_LINE_NUMBER.finditer(text) if m.start() > 0 and text[m.start() - 1] in _GLUED_AFTER]
    if len(glued) >= 3:
        noise += [(m.start(1), m.end(1), "") for m in glued]
    noise += line_number_edits(text)
    noise += markdown_edits(text)
    noise += [(m.start(), m.end(), "") for m in _HYPHEN_BREAK.finditer(text) if m.start() > 0 and text[m.start() - 1].islower()]
    non_ascii = _non_ascii_matches(text)
    for match in non_ascii:
        replacement = _folded(match.group())
        if replacement is not None:
            noise.append((match.start(), match.end(), replacement))
    noise += look_alike_edits(text, non_ascii)
    return noise


def _non_ascii_matches(text: str) -> list[re.Match[str]]:
    """Every non-ASCII character; bills are mostly ASCII and a block's isascii() is far cheaper than a regex scan."""
    if text.isascii():
        return []
    found: list[re.Match[str]] = []
    for block_start in range(0, len(text), _ASCII_BLOCK):
        block_end = block_start + _ASCII_BLOCK
        if not text[block_start:block_end].isascii():
            found.extend(NON_ASCII.finditer(text, block_start, block_end))
    return found


@lru_cache(maxsize=4096)
def _folded(char: str) -> str | None:
    """What a non-ASCII character reads as (None: keep it); bills repeat the same few quotes and dashes."""
    if char == _SOFT_HYPHEN:
        return ""
    folded = unicodedata.normalize("NFKC", char.translate(_ASCII_PUNCT))
    return folded if folded != char and folded and not unicodedata.combining(folded[0]) else None


def _explicit_spans(markup: Iterable[tuple[str, int, int]], length: int) -> list[Span]:
    """Markup handed over by a source (offsets into the same text), validated."""
    spans = []
    for kind, start, end in markup:
        normalized_kind = _KIND_ALIASES.get(str(kind).lower())
        if normalized_kind is None or not 0 <= start <= end <= length:
            raise ValueError(f"bad markup span {(kind, start, end)!r} for text of length {length}")
        spans.append(Span(normalized_kind, start, end))
    return spans


def normalize(text: str, markup: Iterable[tuple[str, int, int]] = ()) -> NormalizedText:
    """Find amendment markup and layout noise in the text as read; offsets stay offsets into text."""
    spans = _explicit_spans(markup, len(text))
    noise: list[tuple[int, int, str]] = []
    if not spans:
        for finder in (_ca_spans, _tag_spans, _bracket_spans):
            found, found_noise = finder(text)
            spans += found
            noise += found_noise
        for pattern, kind in ((_BOLD, INSERT), (_STRIKE, DELETE)):
            found, found_noise = _wrapped_spans(pattern, text, kind)
            spans += found
            noise += found_noise
        if _CAPS_LEGEND.search(text):
            body_start = _CAPS_LEGEND.search(text).end()
            spans += [Span(INSERT, m.start(), m.end()) for m in _CAPS_RUN.finditer(text, body_start)]
    noise += _layout_noise(text)
    return NormalizedText(text, tuple(sorted(spans, key=lambda s: (s.start, s.end))), tuple(_disjoint(noise)))


def _disjoint(edits: list[tuple[int, int, str]]) -> list[tuple[int, int, str]]:
    """Sorted, non-overlapping edits (an edit inside an earlier one is dropped)."""
    result: list[tuple[int, int, str]] = []
    for start, end, replacement in sorted(edits, key=lambda edit: (edit[0], -edit[1])):
        if result and start < result[-1][1]:
            continue
        result.append((start, end, replacement))
    return result


def build_view(text: str, edits: Iterable[tuple[int, int, str]], start: int = 0, end: int | None = None) -> View:
    """Apply sorted edits to text[start:end] and keep the map from clean to original offsets."""
    end = len(text) if end is None else end
    pieces: list[str] = []
    clean_starts: list[int] = []
    orig_starts: list[int] = []
    verbatim: list[bool] = []
    cursor, clean_length = start, 0
    edits = edits if isinstance(edits, list) else list(edits)
    first = max(0, bisect.bisect_left(edits, (start,)) - 1)  # edits are sorted and disjoint
    for index in range(first, len(edits)):  # no slice: a copy of the edits per deleted span would be quadratic
        edit_start, edit_end, replacement = edits[index]
        if edit_start >= end:
            break
        if edit_end <= start:
            continue
        edit_start, edit_end = max(edit_start, start), min(edit_end, end)
        if edit_start > cursor:
            clean_starts.append(clean_length), orig_starts.append(cursor), verbatim.append(True)
            pieces.append(text[cursor:edit_start])
            clean_length += edit_start - cursor
        if replacement:
            clean_starts.append(clean_length), orig_starts.append(edit_start), verbatim.append(False)
            pieces.append(replacement)
            clean_length += len(replacement)
        cursor = max(cursor, edit_end)
    if cursor < end:
        clean_starts.append(clean_length), orig_starts.append(cursor), verbatim.append(True)
        pieces.append(text[cursor:end])
    return View("".join(pieces), tuple(clean_starts), tuple(orig_starts), tuple(verbatim))


def current_view(nt: NormalizedText) -> View:
    """The version as enacted by this text: markers and layout removed, deleted matter left out."""
    deleted = [(s.start, s.end, " ") for s in nt.spans if s.kind == DELETE]
    return build_view(nt.text, _disjoint(list(nt.noise) + deleted))


def marked_view(nt: NormalizedText) -> View:
    """The text with markers and layout removed but deleted matter kept, to read what was struck."""
    return build_view(nt.text, list(nt.noise))


def deleted_views(nt: NormalizedText) -> list[View]:
    """One clean view per deleted span, so struck matter can be read (and not counted) on its own."""
    noise = list(nt.noise)
    return [build_view(nt.text, noise, span.start, span.end) for span in nt.spans if span.kind == DELETE]
