"""Clauses as one sparse matrix, so the learned model sees both the words and which rules fired."""

from __future__ import annotations

import re
from collections.abc import Sequence

import numpy as np
from scipy import sparse
from sklearn.feature_extraction.text import HashingVectorizer
from sklearn.utils import murmurhash3_32
from sklearn.utils.sparsefuncs_fast import inplace_csr_row_normalize_l2

from analysis.model import Clause
from analysis.text.look_alikes import read_as_latin

WORD_FEATURES = 1 << 18
NGRAMS = (1, 2)
TOKEN_PATTERN = r"(?u)\b\w\w+\b"
LEAD_IN_FEATURES = 1 << 16
LEAD_IN_CHARACTERS = 240  # the nearest part of the lead-in: the sentence that introduces a list item
FUNCTION_WORDS = ("the", "an", "of", "to", "in", "on", "at", "by", "for", "with", "as", "is", "are", "be", "been", "this", "that",
                  "these", "those", "it", "its")  # never a category's evidence; in a short clause they would weigh most
RULE_VALUE = 1.0  # a rule hit's feature value next to l2-normalized word counts



def _as_read(text: str) -> str:
    """Lower-cased, with look-alike letters read as Latin, so a spoofed clause has the same features as the real one."""
    return read_as_latin(text).lower()


_WORDS = HashingVectorizer(n_features=WORD_FEATURES, ngram_range=NGRAMS, token_pattern=TOKEN_PATTERN, preprocessor=_as_read,
                           stop_words=list(FUNCTION_WORDS),
                           alternate_sign=False, norm="l2", dtype=np.float32)
_LEAD_IN_WORDS = HashingVectorizer(n_features=LEAD_IN_FEATURES, token_pattern=TOKEN_PATTERN, preprocessor=_as_read,
                                   stop_words=list(FUNCTION_WORDS),
                                   alternate_sign=False, norm=None, dtype=np.float32)  # l2 rows: _l2_rows


def settings() -> dict:
    """What the model file records about its features, so a changed featurizer is noticed on load."""
    return {"word_features": WORD_FEATURES, "ngrams": list(NGRAMS), "token_pattern": TOKEN_PATTERN, "norm": "l2", "read_as_latin": True, "rule_value": RULE_VALUE,
            "function_words": list(FUNCTION_WORDS),
            "lead_in_features": LEAD_IN_FEATURES, "lead_in_characters": LEAD_IN_CHARACTERS}


def rule_offset() -> int:
    """The first column after the hashed word blocks: rule hits, then categories."""
    return WORD_FEATURES + LEAD_IN_FEATURES


def featurize(clauses: Sequence[Clause], rule_ids: Sequence[str], categories: Sequence[str],
              grams: Sequence[list[str]] | None = None) -> sparse.csr_matrix:
    """Hashed word 1-2 grams (from `grams` when the caller has them), hashed lead-in words, then one column per rule id
    and one per category a rule of it fired for."""
    grams = [word_grams(clause.text) for clause in clauses] if grams is None else grams
    words = _l2_rows(_counts(gram_columns_per_text(grams)))
    lead_ins = _lead_in_rows([clause.lead_in[-LEAD_IN_CHARACTERS:] for clause in clauses])
    rule_column = {rule: index for index, rule in enumerate(rule_ids)}
    category_column = {category: len(rule_ids) + index for index, category in enumerate(categories)}
    rows, columns = [], []
    for row, clause in enumerate(clauses):
        fired = set()
        for label in clause.labels:
            if label.rule in rule_column:
                fired.add(rule_column[label.rule])
                fired.add(category_column[label.category])
        rows.extend([row] * len(fired))
        columns.extend(fired)
    hits = sparse.csr_matrix((np.full(len(rows), RULE_VALUE, dtype=np.float32), (rows, columns)),
                             shape=(len(clauses), len(rule_ids) + len(categories)))
    return sparse.hstack([words, lead_ins, hits], format="csr")


def _lead_in_rows(lead_ins: list[str]) -> sparse.csr_matrix:
    """Hashed lead-in words per clause, each distinct lead-in hashed once (a list's items share their parent's)."""
    distinct = {lead_in: row for row, lead_in in enumerate(dict.fromkeys(lead_ins))}
    return _l2_rows(_LEAD_IN_WORDS.transform(list(distinct)))[[distinct[lead_in] for lead_in in lead_ins]]


def _l2_rows(matrix: sparse.csr_matrix) -> sparse.csr_matrix:
    """Rows scaled to unit length in place (scikit-learn's own kernel, without `normalize`'s input checks, which
    cost more than the scaling on a document's few rows)."""
    inplace_csr_row_normalize_l2(matrix)
    return matrix


def _counts(columns: Sequence[np.ndarray]) -> sparse.csr_matrix:
    """One row of n-gram counts per text, built as scikit-learn's FeatureHasher builds it (duplicates summed)."""
    indptr = np.zeros(len(columns) + 1, np.int64)
    np.cumsum([len(row) for row in columns], out=indptr[1:])
    indices = np.concatenate(columns) if columns else np.zeros(0, np.int32)
    matrix = sparse.csr_matrix((np.ones(len(indices), np.float32), indices, indptr), shape=(len(columns), WORD_FEATURES))
    matrix.sum_duplicates()
    return matrix


_ANALYZER = _WORDS.build_analyzer()


def word_grams(text: str) -> list[str]:
    """The word n-grams the featurizer hashes for one text, in reading order."""
    return _ANALYZER(text)


# What may lie between two tokens of an n-gram in the text as written: non-word characters, and the words the
# featurizer passes over (one-letter words, function words, and printed line numbers the reading drops).
_SKIPPED = r"\W+(?:(?:\w|\d+|" + "|".join(FUNCTION_WORDS) + r")\W+)*"


def gram_span(text: str, gram: str) -> tuple[int, int]:
    """Where an n-gram first occurs in text (the words as the featurizer read them), or the whole text if nowhere."""
    read = _as_read(text)
    if len(read) == len(text):
        found = re.search(r"\b" + _SKIPPED.join(re.escape(word) for word in gram.split()) + r"\b", read)
        if found:
            return found.span()
    return 0, len(text)


def gram_columns(grams: Sequence[str]) -> np.ndarray:
    """The hashed column of each n-gram, hashed as the featurizer hashes it."""
    return gram_columns_per_text([grams])[0]


def gram_columns_per_text(texts: Sequence[Sequence[str]]) -> list[np.ndarray]:
    """The hashed column of each n-gram of each text: MurmurHash3 as HashingVectorizer uses it, one call per n-gram
    (FeatureHasher's generic input handling cost ten times the hashing)."""
    return [np.array([abs(murmurhash3_32(gram, seed=0)) % WORD_FEATURES for gram in grams], np.int32) for grams in texts]
