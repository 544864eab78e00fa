"""A plain keyword baseline (one regex per category, written once and never tuned) that the engine must not lose to."""

from __future__ import annotations

import re
from dataclasses import replace

from analysis.model import Clause, Label

KEYWORDS = {
    "referral_pathway": r"\brefer(?:s|red|ral|rals)?\b|\bdivert",
    "eligible_offense_drug": r"controlled substance|drug (?:offense|possession)|possession of (?:a )?drug",
    "eligible_offense_prostitution": r"prostitution|solicitation|sex work",
    "exclusion": r"not eligible|ineligible|shall not be (?:eligible|admitted)",
    "voluntary_participation": r"voluntar",
    "sanction_or_coercion": r"fail(?:s|ure)? to (?:complete|comply)|bench warrant|charges? (?:may|shall) be filed",
    "harm_reduction": r"harm reduction",
    "treatment_mandate": r"(?:required|shall|must) (?:\w+ ){0,3}(?:complete|attend|participate in) (?:\w+ ){0,3}treatment|abstinen",
    "law_enforcement_funding": r"(?:grant|fund|appropriat)\w* (?:\w+ ){0,6}(?:law enforcement|police|sheriff)",
    "services_funding": r"(?:grant|fund|appropriat)\w* (?:\w+ ){0,6}(?:services|treatment|case management|housing)",
    "funding_other": r"appropriat|\$\d",
    "confidentiality": r"confidential",
    "information_sharing": r"(?:report|disclose|share|notify) (?:\w+ ){0,5}(?:prosecut|law enforcement|court|probation)",
    "trafficking_enforcement": r"traffick",
    "provider_requirements": r"provider|case manag",
    "governance": r"advisory (?:board|committee|council)|task force|policy (?:board|committee)|steering committee|coordinating",
    "evaluation_reporting": r"evaluat|report to the legislature|annual report",
    "sunset": r"\brepealed\b|sunset|expires? on",
    "oversight_complaints": r"complaint|oversight|ombuds",
    "model_fidelity": r"law enforcement assisted diversion|\blead\b|fidelity",
}
_COMPILED = {category: re.compile(pattern, re.IGNORECASE) for category, pattern in KEYWORDS.items()}


def keyword_labels(clause: Clause) -> Clause:
    """The clause labelled with every category whose keyword regex matches it."""
    labels = tuple(Label(category, f"keyword.{category}", clause.start + match.start(), clause.start + match.end())
                   for category, pattern in _COMPILED.items() if (match := pattern.search(clause.text)))
    return replace(clause, labels=labels)

