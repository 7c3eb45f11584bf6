"""The label set and label origins: the one place that names them."""

from __future__ import annotations

import enum
import hashlib


class Label(enum.IntEnum):
    """Paragraph classes, in the order used for indices, ClassLabel names and model classes."""

    BODY = 0
    TEASER = 1
    BOILERPLATE = 2

    @property
    def text(self) -> str:
        """The label's string form, as written in files and shown to annotators."""
        return self.name.lower()

    @classmethod
    def names(cls) -> list[str]:
        """All label strings in index order."""
        return [label.text for label in cls]

    @classmethod
    def parse(cls, value: str | int | "Label") -> "Label":
        """Turn a label string, index or Label into a Label, or raise ValueError naming it."""
        if isinstance(value, Label):
            return value
        if isinstance(value, int):
            return cls(value)
        try:
            return cls[str(value).strip().upper()]
        except KeyError:
            raise ValueError(f"unknown label {value!r}; expected one of {cls.names()}") from None


class Origin(enum.IntEnum):
    """Where a label came from, ordered by precedence: a higher value overrides a lower one."""

    PRELABEL = 0
    HEURISTIC = 1
    GOLD_MATCH = 2
    GOLD_BLOCKS = 3
    SEED_GOLD = 4
    HUMAN = 5

    @property
    def text(self) -> str:
        """The origin's string form, as written in the segments table."""
        return self.name.lower().replace("_", "-")


def text_sha256(text: str) -> str:
    """The hash that ties a label to a segment's exact text."""
    return hashlib.sha256(text.encode("utf-8")).hexdigest()
