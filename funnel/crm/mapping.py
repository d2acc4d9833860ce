"""Which column of an export holds which of Relay's fields.

A mapping names columns by their header text, not their position, so a mapping saved for a
client still fits next quarter's export when the CRM adds or reorders columns. Proposals try
each CRM's own names first (exactly, once normalised), then a close fuzzy match; the person
importing confirms or corrects them, and check_mapping says everything still wrong at once.
"""

import difflib
import json
from dataclasses import dataclass, field

from funnel.crm.fields import (
    CRM_NAMES,
    CRMS,
    FIELDS,
    KIND_NAMES,
    KINDS,
    LEADS,
    ONE_OF_REQUIRED,
    fields_of,
    normalised,
)

# How alike a header and a known name must be (difflib's ratio) for a fuzzy proposal.
FUZZY_CUTOFF = 0.8
# The share of a CRM's names a header must hold to "look like" that CRM's export.
LAYOUT_SHARE = 0.5


@dataclass(frozen=True)
class Mapping:
    """Field key -> the header text of its column; fields left out are not in the file."""

    kind: str  # LEADS or DEALS
    columns: dict[str, str] = field(default_factory=dict)
    crm: str | None = None  # the layout the header looked like, if any

    def to_json(self) -> str:
        return json.dumps(
            {"kind": self.kind, "crm": self.crm, "columns": self.columns}, sort_keys=True
        )

    @classmethod
    def from_json(cls, text: str) -> "Mapping":
        data = json.loads(text)
        return cls(kind=data["kind"], columns=dict(data["columns"]), crm=data.get("crm"))

    def positions(self, header: tuple[str, ...] | list[str]) -> dict[str, int]:
        """Field key -> column position in this header; a column the header lacks is left
        out (check_mapping reports it)."""
        where = {}
        for position, name in enumerate(header):
            where.setdefault(name.strip(), position)
            where.setdefault(normalised(name), position)
        found = {}
        for key, column in self.columns.items():
            position = where.get(column.strip(), where.get(normalised(column)))
            if position is not None:
                found[key] = position
        return found


@dataclass(frozen=True)
class Layout:
    crm: str
    kind: str
    share: float  # of that CRM's names for this kind found in the header

    @property
    def description(self) -> str:
        return f"looks like a {CRM_NAMES[self.crm]} {KIND_NAMES[self.kind]}"


def detect_layout(header) -> Layout | None:
    """The CRM and kind of export whose names the header holds most of, if at least half."""
    present = {normalised(name) for name in header}
    best = None
    for kind in KINDS:
        for crm in CRMS:
            names = {normalised(n) for f in FIELDS[kind] for n in f.names.get(crm, ())[:1]}
            share = len(names & present) / len(names) if names else 0.0
            if best is None or share > best.share:
                best = Layout(crm, kind, share)
    return best if best is not None and best.share >= LAYOUT_SHARE else None


def propose_mapping(header, kind: str | None = None) -> Mapping:
    """The columns that most likely hold each field of `kind` (the detected kind, or leads).

    Known CRM names come first, the detected CRM's before the others'; then each field still
    unmapped takes the free column closest to one of its names, if close enough. A column is
    never proposed for two fields.
    """
    layout = detect_layout(header)
    if kind is None:
        kind = layout.kind if layout else LEADS
    crm_order = [layout.crm] if layout else []
    crm_order += [crm for crm in CRMS if crm not in crm_order]
    columns_by_name: dict[str, str] = {}
    for name in header:
        if name.strip():
            columns_by_name.setdefault(normalised(name), name.strip())
    taken: set[str] = set()
    proposal: dict[str, str] = {}
    # Exact names, the likeliest CRM first; a field's first name before its alternatives.
    for crm in [*crm_order, None]:
        for candidate in FIELDS[kind]:
            names = candidate.names.get(crm, ()) if crm else candidate.aliases
            for name in names:
                column = columns_by_name.get(normalised(name))
                if candidate.key not in proposal and column and column not in taken:
                    proposal[candidate.key] = column
                    taken.add(column)
    # Fuzzy, best match first so that a close pair is not spoiled by a looser one.
    scored = []
    for candidate in FIELDS[kind]:
        if candidate.key in proposal:
            continue
        for name in candidate.known_names():
            matcher = difflib.SequenceMatcher(None, b=normalised(name))
            for key, column in columns_by_name.items():
                matcher.set_seq1(key)
                # The cheap upper bounds first: HubSpot exports can have 400 columns.
                if (
                    matcher.real_quick_ratio() >= FUZZY_CUTOFF
                    and matcher.quick_ratio() >= FUZZY_CUTOFF
                    and (score := matcher.ratio()) >= FUZZY_CUTOFF
                ):
                    scored.append((-score, candidate.key, column))
    for _, key, column in sorted(scored):
        if key not in proposal and column not in taken:
            proposal[key] = column
            taken.add(column)
    order = [f.key for f in FIELDS[kind]]
    ordered = {key: proposal[key] for key in order if key in proposal}
    return Mapping(kind, ordered, layout.crm if layout and layout.kind == kind else None)


def check_mapping(mapping: Mapping, header) -> list[str]:
    """Every problem with the mapping for this header, in plain words; empty when it is good."""
    problems = []
    known = fields_of(mapping.kind) if mapping.kind in KINDS else {}
    if not known:
        return [f"{mapping.kind!r} is not a kind of export (leads or deals)."]
    positions = mapping.positions(header)
    for key in mapping.columns:
        if key not in known:
            problems.append(f"{key!r} is not a field of a {KIND_NAMES[mapping.kind]}.")
    for key, column in mapping.columns.items():
        if key in known and key not in positions:
            problems.append(f"{known[key].label}: the file has no column “{column}”.")
    for candidate in FIELDS[mapping.kind]:
        if candidate.required and candidate.key not in mapping.columns:
            problems.append(f"{candidate.label}: choose the column that holds it.")
    for group in ONE_OF_REQUIRED[mapping.kind]:
        if not any(key in mapping.columns for key in group):
            labels = " or ".join(known[key].label.split(" (")[0] for key in group)
            problems.append(f"Choose the column for {labels}, so won and lost deals are known.")
    by_position: dict[int, list[str]] = {}
    for key, position in positions.items():
        by_position.setdefault(position, []).append(key)
    for position, keys in sorted(by_position.items()):
        if len(keys) > 1:
            labels = ", ".join(known[key].label for key in keys if key in known)
            problems.append(f"The column “{header[position].strip()}” is chosen for {labels}.")
    return problems
