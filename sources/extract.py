"""Turn fetched documents into plain text with amendment markup kept as offsets, so drift analysis can see what changed."""

from __future__ import annotations

import codecs
import io
import re
from collections.abc import Iterable
from dataclasses import dataclass

import charset_normalizer
import lxml.html
from lxml import etree
from pypdf import PdfReader
from pypdf.errors import PyPdfError

from sources.http import FetchFailed, sniff_type
from sources.records import MarkupSpan

HTML_BLOCKS = frozenset(
    "p div h1 h2 h3 h4 h5 h6 li ul ol table tr section article blockquote pre dd dt dl center body header footer".split()
)
SKIPPED = frozenset("script style head noscript template".split())
INSERT_TAGS = frozenset({"u", "ins"})
DELETE_TAGS = frozenset({"s", "strike", "del"})
INSERT_WORDS = frozenset({"insert", "inserted", "ins", "blue", "add", "added", "underline"})
DELETE_WORDS = frozenset({"delete", "deleted", "del", "strike", "strikethrough", "struck", "red"})
SEPARATOR_RANK = {" ": 1, "\n": 2, "\n\n": 3}
TEXT_MARKER = re.compile(r"(begin|end) (insert|delete)", re.IGNORECASE)
LINE_NUMBER = re.compile(r"^[ \t]*\d{1,2}[ \t]+(?=\S)", re.MULTILINE)
# Bill text is never nested this deep; lxml's HTML parser silently drops everything below 255 levels.
MAX_NESTING = 200
UNICODE_BOMS = (
    (codecs.BOM_UTF32_LE, "utf-32"), (codecs.BOM_UTF32_BE, "utf-32"), (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF16_LE, "utf-16"), (codecs.BOM_UTF16_BE, "utf-16"),
)
CONTROL_CHARACTER = re.compile(r"[\x00-\x08\x0e-\x1f\x7f]")


class _TextBuilder:
    """Accumulates text while collapsing whitespace lazily, so recorded offsets never move."""

    def __init__(self) -> None:
        self.parts: list[str] = []
        self.length = 0
        self.pending = ""

    def add(self, raw: str) -> None:
        if not raw:
            return
        words = raw.split()
        if raw[0].isspace():
            self.separate(" ")
        if words:
            if self.pending and self.length:
                self._emit(self.pending)
            self.pending = ""
            self._emit(" ".join(words))
            if raw[-1].isspace():
                self.separate(" ")

    def separate(self, separator: str) -> None:
        if self.length and SEPARATOR_RANK[separator] > SEPARATOR_RANK.get(self.pending, 0):
            self.pending = separator

    def _emit(self, piece: str) -> None:
        self.parts.append(piece)
        self.length += len(piece)

    def result(self) -> str:
        return "".join(self.parts)


def _local_name(element: etree._Element) -> str:
    tag = element.tag if isinstance(element.tag, str) else ""
    return tag.rsplit("}", 1)[-1].rsplit(":", 1)[-1]


def _markup_kind(element: etree._Element, name: str) -> str | None:
    lowered = name.lower()
    if lowered in INSERT_TAGS:
        return "insert"
    if lowered in DELETE_TAGS:
        return "delete"
    hints = " ".join(filter(None, (element.get("class"), element.get("amendingStyle"), element.get("style"))))
    tokens = set(re.split(r"[\s_\-:;]+", hints.lower()))
    if "line-through" in hints.lower() or tokens & DELETE_WORDS:
        return "delete"
    if tokens & INSERT_WORDS:
        return "insert"
    return None


def _is_block(name: str) -> bool:
    return name.lower() in HTML_BLOCKS or name[:1].isupper()


def element_to_text(root: etree._Element) -> tuple[str, tuple[MarkupSpan, ...]]:
    """Flatten an HTML or XML tree into paragraphs, recording inserted/deleted runs as spans."""
    builder = _TextBuilder()
    spans: list[MarkupSpan] = []

    def walk(element: etree._Element, depth: int) -> None:
        if depth > MAX_NESTING:
            raise FetchFailed("", f"document nested deeper than {MAX_NESTING} levels")
        name = _local_name(element)
        if not name or name.lower() in SKIPPED:
            return
        if name.lower() == "br":
            builder.separate("\n")
            return
        block = _is_block(name)
        kind = _markup_kind(element, name)
        if block:
            builder.separate("\n\n")
        if "space" in (element.get("class") or "").lower() and not len(element) and not element.text:
            builder.separate(" ")
        start = builder.length
        builder.add(element.text or "")
        for child in element:
            walk(child, depth + 1)
            builder.add(child.tail or "")
        if kind:
            spans.append(MarkupSpan(kind, start, builder.length))
        if block:
            builder.separate("\n\n")

    walk(root, 0)
    text = builder.result()
    return text, tidy_spans(text, spans)


def tidy_spans(text: str, spans: Iterable[MarkupSpan]) -> tuple[MarkupSpan, ...]:
    """Trim whitespace from span edges, drop empty ones and merge overlapping runs of one kind."""
    trimmed = []
    for span in spans:
        start, end = span.start, min(span.end, len(text))
        while start < end and text[start].isspace():
            start += 1
        while end > start and text[end - 1].isspace():
            end -= 1
        if start < end:
            trimmed.append(MarkupSpan(span.kind, start, end))
    merged: list[MarkupSpan] = []
    for span in sorted(trimmed, key=lambda s: (s.kind, s.start, s.end)):
        if merged and merged[-1].kind == span.kind and span.start <= merged[-1].end:
            last = merged.pop()
            span = MarkupSpan(span.kind, last.start, max(last.end, span.end))
        merged.append(span)
    return tuple(sorted(merged, key=lambda s: (s.start, s.end, s.kind)))


def html_to_text(document: str | bytes) -> tuple[str, tuple[MarkupSpan, ...]]:
    """Extract readable text from an HTML page, keeping amendment markup."""
    if isinstance(document, bytes):
        document = decode_bytes(document)
    if not document.strip():
        return "", ()
    root = lxml.html.document_fromstring(document)
    body = root.find("body")
    return element_to_text(body if body is not None else root)


def xml_to_text(root: etree._Element) -> tuple[str, tuple[MarkupSpan, ...]]:
    """Extract text from a parsed legislative XML document (CAML, WA bill XML)."""
    return element_to_text(root)


def pdf_to_text(data: bytes, url: str = "") -> tuple[str, tuple[MarkupSpan, ...]]:
    """Extract text from a PDF, dropping the line numbers legislatures print in the margin."""
    found = sniff_type(data)
    if found != "pdf":
        raise FetchFailed(url, f"expected pdf, got {'text/html' if found == 'html' else found}")
    try:
        reader = PdfReader(io.BytesIO(data))
        pages = [page.extract_text() or "" for page in reader.pages]
    except (PyPdfError, ValueError, KeyError, TypeError) as exc:
        raise FetchFailed(url, f"unreadable PDF: {type(exc).__name__}") from exc
    text = "\n\n".join(_strip_line_numbers(page).strip() for page in pages if page.strip())
    if not text.strip():
        raise FetchFailed(url, "PDF has no text layer")
    return text, ()


def _strip_line_numbers(page: str) -> str:
    lines = [line for line in page.splitlines() if line.strip()]
    numbered = sum(1 for line in lines if LINE_NUMBER.match(line))
    return LINE_NUMBER.sub("", page) if lines and numbered / len(lines) >= 0.5 else page


def marked_text_to_spans(text: str) -> tuple[str, tuple[MarkupSpan, ...]]:
    """Turn California's plain-text "begin insert ... end insert" markers into spans and drop the markers."""
    pieces: list[str] = []
    spans: list[MarkupSpan] = []
    open_at: dict[str, int] = {}
    length = cursor = 0
    for marker in TEXT_MARKER.finditer(text):
        piece = text[cursor:marker.start()]
        pieces.append(piece)
        length += len(piece)
        cursor = marker.end()
        edge, kind = marker.group(1).lower(), marker.group(2).lower()
        if edge == "begin":
            open_at[kind] = length
        elif kind in open_at:
            spans.append(MarkupSpan(kind, open_at.pop(kind), length))
    pieces.append(text[cursor:])
    cleaned = "".join(pieces)
    # A marker left open means the copy was cut inside the run: it still runs to the end of what we have.
    spans.extend(MarkupSpan(kind, start, len(cleaned)) for kind, start in open_at.items())
    return cleaned, tidy_spans(cleaned, sorted(spans, key=lambda span: span.start))


def _stray_bytes_as_cp1252(error: UnicodeError) -> tuple[str, int]:
    """Codec error handler: a byte that is not UTF-8 is read as Windows-1252, the rest of the file stays UTF-8."""
    if not isinstance(error, UnicodeDecodeError):
        raise error
    return error.object[error.start:error.end].decode("cp1252", errors="replace"), error.end


codecs.register_error("divwatch_stray_cp1252", _stray_bytes_as_cp1252)


def decode_bytes(data: bytes) -> str:
    """Decode one document by what it is: a Unicode BOM, UTF-16/32 that charset-normalizer recognises, else
    UTF-8 whose stray bytes are read as Windows-1252 (the usual legacy charset of US legislatures).

    Raises FetchFailed for binary data, so it is recorded as an error instead of stored as text full of NULs.
    """
    text = None
    for bom, encoding in UNICODE_BOMS:
        if data.startswith(bom):
            text = data.decode(encoding, errors="replace")
            break
    if text is None and b"\x00" in data:
        best = charset_normalizer.from_bytes(data).best()
        if best is None or not best.encoding.startswith(("utf_16", "utf_32")):
            raise FetchFailed("", "binary file, not text")
        text = str(best)
    if text is None:
        text = data.decode("utf-8", errors="divwatch_stray_cp1252")
    controls = sum(1 for _ in CONTROL_CHARACTER.finditer(text, 0, 100_000))
    if controls > max(8, min(len(text), 100_000) // 100):
        raise FetchFailed("", "binary file, not text")
    return text


def document_to_text(body: bytes, document_format: str, url: str = "") -> tuple[str, tuple[MarkupSpan, ...]]:
    """Dispatch on the document format a source declared (pdf, html, xml or text)."""
    if document_format == "pdf":
        return pdf_to_text(body, url)
    if document_format == "html":
        if sniff_type(body) == "pdf":
            raise FetchFailed(url, "expected html, got application/pdf")
        return html_to_text(body)
    if document_format == "xml":
        parser = etree.XMLParser(resolve_entities=False, no_network=True, huge_tree=True)
        try:
            return xml_to_text(etree.fromstring(body, parser=parser))
        except etree.XMLSyntaxError as exc:
            raise FetchFailed(url, f"malformed XML: {exc}") from exc
    return marked_text_to_spans(decode_bytes(body))


def normalize_bill_id(raw: str) -> str:
    """Write bill numbers one way ("SB 1110") whatever the source's spelling ("SB1110", "sb 01110")."""
    match = re.match(r"^\s*([A-Za-z]+)\.?\s*0*(\d+)\s*$", raw)
    return f"{match.group(1).upper()} {int(match.group(2))}" if match else " ".join(raw.split())


def _normalize_words(text: str) -> str:
    return " " + " ".join(re.sub(r"[^a-z0-9]+", " ", text.lower()).split()) + " "


@dataclass(frozen=True)
class SearchTerms:
    """Phrases that mark a bill as relevant, plus word groups that must all appear together."""

    phrases: tuple[str, ...]
    all_of: tuple[tuple[str, ...], ...] = ()

    def matches(self, text: str) -> bool:
        """True when any phrase, or every word of some group, appears (case and hyphen insensitive)."""
        haystack = _normalize_words(text)
        if any(_normalize_words(phrase) in haystack for phrase in self.phrases):
            return True
        return any(all(_normalize_words(word) in haystack for word in group) for group in self.all_of)

    def queries(self) -> list[str]:
        """Query strings for remote full-text search APIs."""
        return [*self.phrases, *(" ".join(group) for group in self.all_of)]
