"""Line numbers a printed bill left in its text ("requiring 16 the diversion program"), found by their counting."""

from __future__ import annotations

import re

# A bare number of one to three digits standing alone between spaces or at a line start: where a flattened PDF
# leaves each printed line's number. Only numbers that count up by one, a line's length apart, are taken.
_CANDIDATE = re.compile(r"(\d{1,3})(?=[ \t]*\n|[ \t]+\S)")  # led by digits so the scan skips ahead
LINE_GAP = (8, 260)  # characters between two consecutive line numbers: a printed line, with some slack
MIN_RUN = 5  # numbers counting up in a row before they are believed to be line numbers


def line_number_edits(text: str) -> list[tuple[int, int, str]]:
    """Edits that drop counted line numbers and the space after each, so the words around them meet again."""
    chains: list[list[re.Match[str]]] = []
    ending: dict[int, list[int]] = {}  # a number -> the chains whose latest number it is, still within reach
    for match in _CANDIDATE.finditer(text):
        if match.start() and not text[match.start() - 1].isspace():
            continue  # the tail of a longer number or word, not a number standing alone
        number = int(match.group(1))
        fitting = []
        if previous := ending.get(number - 1):
            reachable = [k for k in previous if match.start() - chains[k][-1].end() <= LINE_GAP[1]]
            ending[number - 1] = reachable  # chains left behind can never continue
            fitting = [k for k in reachable if match.start() - chains[k][-1].end() >= LINE_GAP[0]]
        if fitting:
            chain = max(fitting, key=lambda k: len(chains[k]))
            chains[chain].append(match)
        else:
            chain = len(chains)
            chains.append([match])
        ending.setdefault(number, []).append(chain)
    edits = []
    for chain in chains:
        if len(chain) >= MIN_RUN:
            for match in chain:
                end = match.end()
                while end < len(text) and text[end] in " \t":
                    end += 1
                edits.append((match.start(), end, ""))
    return edits
