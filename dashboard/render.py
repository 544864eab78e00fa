"""Turn bill text into safe HTML: every word is escaped before it is wrapped in redline markup."""

from __future__ import annotations

import html
import json
import re

# Plain symbols, not emoji: headless browsers and many desktops lack an emoji font. Tables colour them too.
DIRECTION_BADGES = {
    "drift-away": "▼ drift-away",
    "toward-model": "▲ toward model",
    "mixed": "◆ mixed",
    "no-change": "● no change",
}
REDLINE_STYLE = (
    "<style>.redline ins{background:#d4f7d4;text-decoration:none}"
    ".redline del{background:#fbd5d5;color:#7a1f1f}</style>"
)


def md_escape(text: str) -> str:
    """Backslash-escape Markdown syntax so a label from a source shows literally in st.markdown."""
    return re.sub(r"([\\`*_{}\[\]()#+\-.!|<>~$])", r"\\\1", text)


MARKDOWN_COLOURS = {"drift-away": "red", "toward-model": "green", "mixed": "orange"}


def coloured_badge(direction: object) -> str:
    """The badge in Streamlit markdown colour: red drifts away from the model, green moves toward it."""
    badge = direction_badge(direction)
    colour = MARKDOWN_COLOURS.get(direction) if isinstance(direction, str) else None
    return f":{colour}[{badge}]" if colour else badge


def direction_badge(direction: object) -> str:
    """Readable label for an amendment direction; the first version of a bill has none."""
    return DIRECTION_BADGES.get(direction, "— first version") if isinstance(direction, str) else "— first version"


def _ops(redline: object) -> list[tuple[str, str]]:
    """Accept the stored JSON ([op, words] pairs) or already-parsed lists; ignore anything malformed."""
    if isinstance(redline, str):
        try:
            redline = json.loads(redline)
        except ValueError:
            return []
    if not isinstance(redline, list):
        return []
    return [(str(item[0]), str(item[1])) for item in redline if isinstance(item, (list, tuple)) and len(item) == 2]


def redline_html(redline: object, old_text: str | None = None, new_text: str | None = None) -> str:
    """Word-level redline as HTML; without a redline, the whole old text is deleted and the new one inserted."""
    ops = _ops(redline) or [op for op in (("delete", old_text or ""), ("insert", new_text or "")) if op[1]]
    parts = []
    for op, words in ops:
        escaped = html.escape(words)
        parts.append(f"<ins>{escaped}</ins>" if op == "insert" else f"<del>{escaped}</del>" if op == "delete"
                     else escaped)
    return f'{REDLINE_STYLE}<div class="redline">{" ".join(parts)}</div>'
