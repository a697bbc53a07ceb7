"""Confusion counts and the metrics read from them.

Conventions for the edge cases (the same as the report prints them):

- precision is ``None`` ("n/a") when nothing was predicted positive;
- recall is ``None`` when no label is positive;
- F1 is ``2·TP / (2·TP + FP + FN)``, which equals the harmonic mean of precision and
  recall whenever both exist, is 0 when there are positives but no true positive, and is
  ``None`` only when there is no positive anywhere (no prediction, no label): a field
  with nothing to find cannot be scored, and a gate treats it as passed.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass


def ratio(num: int, den: int) -> float | None:
    return num / den if den else None


@dataclass
class Confusion:
    """Counts of one binary decision over many documents (or document x type pairs)."""

    tp: int = 0
    fp: int = 0
    fn: int = 0
    tn: int = 0

    def add(self, predicted: bool, gold: bool) -> str:
        """Count one decision; returns its cell name: ``"tp"``, ``"fp"``, ``"fn"`` or ``"tn"``."""
        cell = ("tp" if gold else "fp") if predicted else ("fn" if gold else "tn")
        setattr(self, cell, getattr(self, cell) + 1)
        return cell

    def add_sets(self, predicted: Iterable[str], gold: Iterable[str], universe: Iterable[str]) -> None:
        """Micro-averaged set comparison: each element of ``universe`` is one decision."""
        p, g = set(predicted), set(gold)
        for item in set(universe) | p | g:
            self.add(item in p, item in g)

    @property
    def n(self) -> int:
        return self.tp + self.fp + self.fn + self.tn

    @property
    def support(self) -> int:
        """Number of positive labels."""
        return self.tp + self.fn

    @property
    def precision(self) -> float | None:
        return ratio(self.tp, self.tp + self.fp)

    @property
    def recall(self) -> float | None:
        return ratio(self.tp, self.tp + self.fn)

    @property
    def f1(self) -> float | None:
        return ratio(2 * self.tp, 2 * self.tp + self.fp + self.fn)

    def __iadd__(self, other: Confusion) -> Confusion:
        self.tp += other.tp
        self.fp += other.fp
        self.fn += other.fn
        self.tn += other.tn
        return self

    def to_dict(self) -> dict:
        return {
            "tp": self.tp,
            "fp": self.fp,
            "fn": self.fn,
            "tn": self.tn,
            "n": self.n,
            "support": self.support,
            "precision": self.precision,
            "recall": self.recall,
            "f1": self.f1,
        }
