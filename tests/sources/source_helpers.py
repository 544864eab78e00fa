"""Helpers for source tests: fixture loading, a tiny real PDF writer and an in-memory zip."""

from __future__ import annotations

import io
import zipfile
from collections.abc import Sequence
from pathlib import Path

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "sources"


def fixture_bytes(relative: str, base: str = "") -> bytes:
    """A fixture file with its {BASE} placeholder pointed at the local test server."""
    return (FIXTURES / relative).read_bytes().replace(b"{BASE}", base.rstrip("/").encode())


def _pdf_escape(line: str) -> str:
    return line.replace("\\", "\\\\").replace("(", "\\(").replace(")", "\\)")


def make_pdf(lines: Sequence[str]) -> bytes:
    """A one-page PDF whose text layer holds `lines` (Helvetica, WinAnsi), with a correct xref table."""
    stream = "BT /F1 10 Tf 12 TL 40 780 Td\n" + "".join(f"({_pdf_escape(l)}) Tj T*\n" for l in lines) + "ET"
    content = stream.encode("cp1252", errors="replace")
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R /Resources << /Font << /F1 5 0 R >> >> >>",
        b"<< /Length %d >>\nstream\n" % len(content) + content + b"\nendstream",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>",
    ]
    out = io.BytesIO()
    out.write(b"%PDF-1.4\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(out.tell())
        out.write(b"%d 0 obj\n" % number + body + b"\nendobj\n")
    xref = out.tell()
    out.write(b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1))
    out.writelines(b"%010d 00000 n \n" % offset for offset in offsets)
    out.write(b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref))
    return out.getvalue()


def make_zip(members: dict[str, bytes]) -> bytes:
    """A zip archive in memory, as the pubinfo download host serves it."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in members.items():
            archive.writestr(name, data)
    return buffer.getvalue()
