"""Analyst reviews as gold: one training clause per reviewed clause, and the engine's agreement with them."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence

from analysis.clauses.engine import classify

PROVENANCE = "analyst-review"
POSITIVE_VERDICTS = ("correct", "missing")


def reviewed_clauses(items: Iterable[Mapping]) -> list[dict]:
    """Group reviews in force by clause: reviewed categories positive, rejected ones negative, unreviewed predictions unknown.

    Each item carries version_id, jurisdiction, bill_id, clause_start, clause_end, clause_text, category, verdict,
    reviewer, reviewed_at (ISO text), model_version, probability and predicted (the clause's predicted categories).
    """
    clauses: dict[tuple, dict] = {}
    for item in items:
        key = (item["version_id"], item["clause_start"], item["clause_end"])
        clause = clauses.setdefault(key, {
            "text": item["clause_text"], "categories": [], "rejected": [], "unknown": sorted(item["predicted"]),
            "provenance": {"source": PROVENANCE, "version_id": item["version_id"], "jurisdiction": item["jurisdiction"],
                           "bill_id": item["bill_id"], "clause_start": item["clause_start"],
                           "clause_end": item["clause_end"], "reviews": []},
        })
        (clause["categories"] if item["verdict"] in POSITIVE_VERDICTS else clause["rejected"]).append(item["category"])
        clause["provenance"]["reviews"].append({key: item[key] for key in (
            "category", "verdict", "reviewer", "reviewed_at", "model_version", "probability")})
    for clause in clauses.values():
        clause["unknown"] = [c for c in clause["unknown"] if c not in clause["categories"] + clause["rejected"]]
    return list(clauses.values())


def file_gold(clauses: Iterable[Mapping]) -> list[dict]:
    """The reviewed categories per version in the codebook's labels.jsonl shape, quotes being the reviewed clauses."""
    files: dict[str, dict] = {}
    for clause in clauses:
        origin = clause["provenance"]
        name = f"{origin['jurisdiction']}/{origin['bill_id']}/{origin['version_id']}"
        entry = files.setdefault(name, {"file": name, "categories": {}, "rejected": {},
                                        "provenance": {"source": PROVENANCE, "version_id": origin["version_id"],
                                                       "reviews": 0, "reviewers": set()}})
        for field in ("categories", "rejected"):
            for category in clause[field]:
                entry[field].setdefault(category, []).append(clause["text"])
        entry["provenance"]["reviews"] += len(origin["reviews"])
        entry["provenance"]["reviewers"].update(review["reviewer"] for review in origin["reviews"])
    for entry in files.values():
        entry["provenance"]["reviewers"] = sorted(entry["provenance"]["reviewers"])
    return list(files.values())


def _predicted_in_context(clauses: Iterable[Mapping], model, versions: Mapping[str, Mapping]) -> list[set[str]]:
    """The model's categories on each reviewed clause, classified inside its version when the export carries the text."""
    by_version: dict[str, dict[tuple[int, int], set[str]]] = {}
    predicted = []
    for clause in clauses:
        origin = clause["provenance"]
        version = versions.get(origin["version_id"])
        if version is None:
            predicted.append({label.category for found in classify(clause["text"], model=model) for label in found.labels})
            continue
        if origin["version_id"] not in by_version:
            spans = [(span["kind"], span["start"], span["end"]) for span in version["markup"]]
            by_version[origin["version_id"]] = {(found.start, found.end): {label.category for label in found.labels}
                                                for found in classify(version["text"], spans, model)}
        predicted.append(by_version[origin["version_id"]].get((origin["clause_start"], origin["clause_end"]), set()))
    return predicted


def agreement(clauses: Sequence[Mapping], model, versions: Mapping[str, Mapping]) -> dict[str, dict[str, list[int]]]:
    """{"category": {name: [agreed, reviews]}, "month": {YYYY-MM: [agreed, reviews]}} of `model` on each reviewed clause.

    `versions` maps version id to {"text", "markup"} (the export's versions.jsonl); a clause whose version is absent is
    classified on its own.
    """
    table: dict[str, dict[str, list[int]]] = {"category": defaultdict(lambda: [0, 0]), "month": defaultdict(lambda: [0, 0])}
    for clause, predicted in zip(clauses, _predicted_in_context(clauses, model, versions), strict=True):
        for review in clause["provenance"]["reviews"]:
            agreed = (review["category"] in predicted) == (review["verdict"] in POSITIVE_VERDICTS)
            for axis, key in (("category", review["category"]), ("month", str(review["reviewed_at"])[:7])):
                table[axis][key][0] += agreed
                table[axis][key][1] += 1
    return {axis: dict(sorted(counts.items())) for axis, counts in table.items()}


def format_agreement(table: Mapping[str, Mapping[str, list[int]]]) -> str:
    """The agreement table as text, one line per category and per month."""
    lines = ["agreement with analyst reviews (a training figure once those reviews are trained on)"]
    for axis, counts in table.items():
        lines.append(f"{axis:32} {'agreed':>6} {'reviews':>7} {'share':>6}")
        lines += [f"{key:32} {agreed:6} {total:7} {agreed / total:6.3f}" for key, (agreed, total) in counts.items()]
    return "\n".join(lines)
