"""Bill structure (sections and enumerated subdivisions) so each clause knows where it sits."""

from __future__ import annotations

import re
from dataclasses import dataclass

from analysis.text.normalize import marked_view, normalize


@dataclass(frozen=True)
class Section:
    """One structural unit (heading or enumerated subdivision) with offsets into the text."""

    path: str
    start: int
    end: int
    heading: str
    level: int


_MARK = (
    r"(?P<mark>"
    r"(?P<chapter>(?:CHAPTER|Chapter|ARTICLE|Article|PART|Part|TITLE|Title)[ \t]+[\dA-Z][\w.]*\.?)(?=[ \t]|$)"
    r"|(?P<sec>(?:SECTION|Section|SEC\.|Sec\.|§)[ \t]*\d[\w.\-]*)(?:(?<=\.)(?=[ \t]|$)|(?=[ \t]*\[|[ \t]*$))"
    r"|(?P<code>(?:RCW[ \t]+|KRS[ \t]+)?\d{1,5}[A-Z]?(?:\.\d+[A-Za-z]?)+)\.?[ \t]*$"
    r"|\((?P<paren>[a-z]{1,4}|\d{1,3}|[A-Z]{1,4})(?:-\d{1,2})?\)(?=[ \t]|[A-Z\"]|$)"
    r"|(?P<digest>\d{1,2}|[a-z])\)(?=[ \t]?[A-Z])"
    r"|(?P<dot>\d{1,2}|[A-Z])\.(?=[ \t]+[A-Z])"
    r")"
)
# Every scan starts with a literal so the regex engine can skip ahead quickly on long texts.
_FIRST_LINE = re.compile(r"[ \t]*" + _MARK, re.MULTILINE)
_LINE_START = re.compile(r"\n[ \t]*" + _MARK, re.MULTILINE)
_INLINE = tuple(re.compile(re.escape(lead) + r"(?: {1,2}|(?=\())" + _MARK, re.MULTILINE) for lead in ".:;")
_CONTAINERS = {"CHAPTER", "ARTICLE", "PART", "TITLE"}
_LOWER_ROMAN = re.compile(r"^(?=[ivxl])x{0,3}(?:ix|iv|v?i{0,3})$")
_UPPER_ROMAN = re.compile(r"^(?=[IVXL])X{0,3}(?:IX|IV|V?I{0,3})$")
_SHORT_HEADING = re.compile(r"[ \t]*([A-Z][^.\n]{0,60})\.(?=[ \t]|$)")


def _enumerator_class(label: str, stack: list[tuple[str, str]]) -> str:
    """Letter, number or roman class of an enumerator; (i), (v), (x) stay letters when they follow (h), (u), (w)."""
    if label.isdigit():
        return "num"
    if label.islower():
        if not _LOWER_ROMAN.match(label):
            return "lower"
        previous = next((shown.strip("()") for cls, shown in reversed(stack) if cls == "lower"), "")
        follows_letters = len(label) == 1 and len(previous) == 1 and ord(label) == ord(previous) + 1
        return "lower" if follows_letters else "roman"
    return "ROMAN" if len(label) > 1 and _UPPER_ROMAN.match(label) else "upper"


def _heading_after(text: str, position: int, whole_line: bool) -> str:
    """A short heading that follows a marker (rest of the line, or a title ending in a period)."""
    line_end = text.find("\n", position, position + 200)
    line = text[position : line_end if line_end >= 0 else position + 200]
    if whole_line:
        return line.strip()[:120]
    match = _SHORT_HEADING.match(line)
    if match and len(match.group(1).split()) <= 6:
        return match.group(1).strip()
    return ""


def _marker_matches(text: str) -> list[tuple[re.Match[str], bool]]:
    """Structure markers at line starts, plus enumerators that follow a sentence or a colon inline."""
    found: dict[int, tuple[re.Match[str], bool]] = {}
    first = _FIRST_LINE.match(text)
    if first:
        found[first.start("mark")] = (first, True)
    for match in _LINE_START.finditer(text):
        found[match.start("mark")] = (match, True)
    for pattern in _INLINE:
        for match in pattern.finditer(text):
            found.setdefault(match.start("mark"), (match, False))
    kept: list[tuple[re.Match[str], bool]] = []
    kept_end = -1
    for position in sorted(found):
        if position < kept_end:
            continue  # "Sec. 25." must not also yield an inline "25." item
        marker = found[position]
        kept.append(marker)
        kept_end = marker[0].end("mark")
    return kept


def segment_plain(text: str) -> list[Section]:
    """Sections of an already cleaned text, in reading order, each ending where the next begins."""
    markers: list[tuple[int, int, str, str]] = []  # start, level, path, heading
    headings: list[str] = []
    stack: list[tuple[str, str]] = []
    for match, at_line_start in _marker_matches(text):
        start, mark_end = match.span("mark")
        chapter, sec, code, paren, digest, dot = match.group("chapter", "sec", "code", "paren", "digest", "dot")
        if chapter or sec or code:
            if not at_line_start:
                continue
            label = " ".join(match.group("mark").split()).rstrip(".")
            headings = [] if chapter else [h for h in headings if h.split()[0].upper() in _CONTAINERS]
            headings.append(label)
            stack = []
            heading = _heading_after(text, mark_end, whole_line=True)
        else:
            if paren is None:
                if digest is not None and not at_line_start:
                    continue
                label = digest or dot
                cls = ("digest-" if digest else "dot-") + ("num" if label.isdigit() else "letter")
            else:
                cls = _enumerator_class(paren, stack)
            for depth, (existing, _) in enumerate(stack):
                if existing == cls:
                    del stack[depth:]
                    break
            stack.append((cls, match.group("mark")))
            heading = _heading_after(text, mark_end, whole_line=False)
        enumerators = "".join([shown for _, shown in stack])
        path = " ".join(headings) + (" " + enumerators if headings and enumerators else enumerators)
        markers.append((start, len(headings) + len(stack), path, heading))
    sections: list[Section] = []
    if not markers or text[: markers[0][0]].strip():
        first = markers[0][0] if markers else len(text)
        if text[:first].strip():
            sections.append(Section("", 0, first, "", 0))
    ends = [start for start, _, _, _ in markers[1:]]
    ends.append(len(text))
    for (start, level, path, heading), end in zip(markers, ends):
        sections.append(Section(path, start, end, heading, level))
    return sections


def segment(text: str) -> list[Section]:
    """Sections of a text as read (layout noise and amendment markers ignored), offsets into that text."""
    view = marked_view(normalize(text))
    return [
        Section(s.path, view.to_original(s.start), view.to_original_end(s.end) if s.end > s.start else view.to_original(s.start), s.heading, s.level)
        for s in segment_plain(view.text)
    ]
