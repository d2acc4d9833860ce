"""What one bank version changes against another, as plain values (no ORM: it compares two
`BankData`, which `bank.exchange.bank_data` reads from the database or `parse_bank` from a file).

Questions are matched by key, and by the mapping the newer version records: a question's
`replaces` names the keys of the version before that it takes over. Matched questions fall
into groups (connected by key or mapping):

- one before, one after, same key: the question is kept; its fields are compared;
- one before, one after, another key: renamed; compared too;
- one before, several after: split; each part is compared with the question it came from;
- several before, one after: merged; compared with the one whose key it keeps, if any;
- a question after with nothing before: added; before with nothing after: removed. A removed
  question loses comparability: quarters on the two versions are not compared on it.

`replaces` names keys of the version just before, so between versions further apart only the
mapping to keys that the older one holds is followed.
"""

import difflib
import re
from dataclasses import asdict, dataclass
from decimal import Decimal

from bank.exchange import BankData, QuestionData, RungData
from lib.maturity import LEVELS

# Words, runs of punctuation and runs of spaces: a change is marked a word at a time.
_TOKENS = re.compile(r"\w+|[^\w\s]+|\s+")
EQUAL, DELETE, INSERT = "equal", "delete", "insert"
RUNG_FIELDS = ("title", "next_steps", "impact", "effort")


@dataclass(frozen=True)
class FieldChange:
    """One field that differs: its texts before and after, and the word-level diff between them
    as (operation, text) pieces, operation one of equal, delete and insert."""

    field: str
    before: str
    after: str
    words: tuple[tuple[str, str], ...]

    @property
    def before_parts(self) -> list[tuple[str, bool]]:
        """The text before as (piece, changed) pairs: what the after side lacks is changed."""
        return [(text, op == DELETE) for op, text in self.words if op != INSERT]

    @property
    def after_parts(self) -> list[tuple[str, bool]]:
        return [(text, op == INSERT) for op, text in self.words if op != DELETE]


@dataclass(frozen=True)
class QuestionBrief:
    key: str
    text: str


@dataclass(frozen=True)
class QuestionChange:
    """A question compared with the one it comes from (`before_key`, the same key when kept)."""

    key: str
    before_key: str
    changes: tuple[FieldChange, ...]


@dataclass(frozen=True)
class Regrouping:
    """Questions renamed, split or merged: which ones before became which ones after."""

    kind: str  # "renamed", "split", "merged" or "split and merged"
    before: tuple[QuestionBrief, ...]
    after: tuple[QuestionBrief, ...]


@dataclass(frozen=True)
class BankDiff:
    before: str  # the labels
    after: str
    added: tuple[QuestionBrief, ...]
    removed: tuple[QuestionBrief, ...]
    regrouped: tuple[Regrouping, ...]
    changed: tuple[QuestionChange, ...]
    unchanged: int
    dimensions: tuple[FieldChange, ...]  # fields named "<dimension key> <field>"

    def count(self, kind: str) -> int:
        return sum(1 for group in self.regrouped if group.kind == kind)

    @property
    def summary(self) -> dict[str, int]:
        return {
            "added": len(self.added),
            "removed": len(self.removed),
            "renamed": self.count("renamed"),
            "split": self.count("split"),
            "merged": self.count("merged") + self.count("split and merged"),
            "changed": len(self.changed),
            "unchanged": self.unchanged,
        }

    @property
    def is_empty(self) -> bool:
        return not (self.added or self.removed or self.regrouped or self.changed or self.dimensions)

    def as_dict(self) -> dict:
        return {"summary": self.summary, **asdict(self)}


def word_diff(before: str, after: str) -> tuple[tuple[str, str], ...]:
    """The word-level diff of two texts as (operation, text) pieces. A run of changed words
    reads as one deletion then one insertion: the spaces between them count as changed too."""
    old, new = _TOKENS.findall(before), _TOKENS.findall(after)
    opcodes = difflib.SequenceMatcher(None, old, new, autojunk=False).get_opcodes()
    pieces: list[tuple[str, str]] = []
    gone: list[str] = []
    came: list[str] = []

    def flush() -> None:
        pieces.extend(
            (op, "".join(tokens)) for op, tokens in ((DELETE, gone), (INSERT, came)) if tokens
        )
        gone.clear()
        came.clear()

    for number, (tag, i1, i2, j1, j2) in enumerate(opcodes):
        between_changes = 0 < number < len(opcodes) - 1
        if tag == EQUAL and not (between_changes and "".join(old[i1:i2]).isspace()):
            flush()
            pieces.append((EQUAL, "".join(old[i1:i2])))
        else:
            gone.extend(old[i1:i2])
            came.extend(new[j1:j2])
    flush()
    return tuple(pieces)


def _change(field: str, before: str, after: str) -> FieldChange | None:
    if before == after:
        return None
    return FieldChange(field, before, after, word_diff(before, after))


def _number(value: Decimal) -> str:
    return f"{value.normalize():f}"


def _rung_texts(rung: RungData | None) -> dict[str, str]:
    if rung is None:
        return dict.fromkeys(RUNG_FIELDS, "")
    return {name: str(getattr(rung, name)) for name in RUNG_FIELDS}


def question_changes(before: QuestionData, after: QuestionData) -> tuple[FieldChange, ...]:
    """Every field of the question whose content differs, in the order an editor reads them."""
    pairs = [
        ("dimension", before.dimension, after.dimension),
        ("text", before.text, after.text),
        ("help", before.help, after.help),
        ("comment prompt", before.comment_prompt, after.comment_prompt),
        ("weight", _number(before.weight), _number(after.weight)),
        ("handoffs", ", ".join(before.handoffs), ", ".join(after.handoffs)),
    ]
    pairs += [
        (f"level {level}", old, new)
        for level, old, new in zip(LEVELS, before.levels, after.levels, strict=True)
    ]
    old_rungs = {rung.from_level: rung for rung in before.rungs}
    new_rungs = {rung.from_level: rung for rung in after.rungs}
    for level in sorted(old_rungs.keys() | new_rungs.keys()):
        old, new = _rung_texts(old_rungs.get(level)), _rung_texts(new_rungs.get(level))
        pairs += [
            (f"step from level {level}: {name.replace('_', ' ')}", old[name], new[name])
            for name in RUNG_FIELDS
        ]
    return tuple(change for pair in pairs if (change := _change(*pair)))


def _dimension_changes(before: BankData, after: BankData) -> tuple[FieldChange, ...]:
    old = {d.key: d for d in before.dimensions}
    new = {d.key: d for d in after.dimensions}
    changes = []
    for key in [*old, *(key for key in new if key not in old)]:
        was, now = old.get(key), new.get(key)
        for name in ("name", "description", "weight"):
            values = [
                "" if d is None else _number(d.weight) if name == "weight" else getattr(d, name)
                for d in (was, now)
            ]
            if change := _change(f"{key} {name}", *values):
                changes.append(change)
    return tuple(changes)


def _groups(before: BankData, after: BankData) -> list[tuple[list[str], list[str]]]:
    """The questions before and after connected by key or by `replaces`, as (keys before, keys
    after) in the newer version's order; either side may be empty (removed, added)."""
    old_keys = [q.key for q in before.questions]
    known = set(old_keys)
    links: dict[str, set[str]] = {}  # a key after -> the keys before it comes from
    for question in after.questions:
        sources = {key for key in question.replaces if key in known}
        if question.key in known:
            sources.add(question.key)
        links[question.key] = sources

    # Union-find over both sides, keys before prefixed so a kept key is two nodes.
    parent: dict[tuple[str, str], tuple[str, str]] = {}

    def root(node):
        while parent.setdefault(node, node) != node:
            node = parent[node]
        return node

    for new_key, sources in links.items():
        for old_key in sources:
            parent[root(("before", old_key))] = root(("after", new_key))

    grouped: dict[tuple[str, str], tuple[list[str], list[str]]] = {}
    for question in after.questions:
        grouped.setdefault(root(("after", question.key)), ([], []))[1].append(question.key)
    for key in old_keys:
        grouped.setdefault(root(("before", key)), ([], []))[0].append(key)
    return list(grouped.values())


def _kind(old: list[str], new: list[str]) -> str:
    if len(old) == 1 and len(new) == 1:
        return "kept" if old == new else "renamed"
    if len(old) == 1:
        return "split"
    return "merged" if len(new) == 1 else "split and merged"


def diff_banks(before: BankData, after: BankData) -> BankDiff:
    """What `after` changes against `before`."""
    old = {q.key: q for q in before.questions}
    new = {q.key: q for q in after.questions}
    added, removed, regrouped, changed, unchanged = [], [], [], [], 0
    for old_keys, new_keys in _groups(before, after):
        if not old_keys:
            added += [QuestionBrief(key, new[key].text) for key in new_keys]
            continue
        if not new_keys:
            removed += [QuestionBrief(key, old[key].text) for key in old_keys]
            continue
        kind = _kind(old_keys, new_keys)
        if kind != "kept":
            regrouped.append(
                Regrouping(
                    kind,
                    tuple(QuestionBrief(key, old[key].text) for key in old_keys),
                    tuple(QuestionBrief(key, new[key].text) for key in new_keys),
                )
            )
        for new_key in new_keys:
            # A part of a split is compared with its single origin; otherwise with the
            # question whose key it keeps, if there is one.
            origin = old_keys[0] if len(old_keys) == 1 else new_key if new_key in old else None
            if origin is None:
                continue
            if changes := question_changes(old[origin], new[new_key]):
                changed.append(QuestionChange(new_key, origin, changes))
            elif new_key == origin:
                unchanged += 1
    return BankDiff(
        before=before.label,
        after=after.label,
        added=tuple(added),
        removed=tuple(removed),
        regrouped=tuple(regrouped),
        changed=tuple(changed),
        unchanged=unchanged,
        dimensions=_dimension_changes(before, after),
    )


def _marked(words: tuple[tuple[str, str], ...]) -> str:
    """A word diff as one line of text, wdiff's way: [-gone-] and {+new+}."""
    marks = {EQUAL: "{}", DELETE: "[-{}-]", INSERT: "{{+{}+}}"}
    return "".join(marks[op].format(text) for op, text in words)


def diff_text(diff: BankDiff) -> str:
    """The diff as plain text, for the terminal (manage.py diff_bank)."""
    counts = ", ".join(f"{number} {name}" for name, number in diff.summary.items())
    lines = [f"Question bank {diff.before} -> {diff.after}", counts]
    if diff.is_empty:
        lines.append("No differences.")

    def section(title: str, rows: list[str]) -> None:
        if rows:
            lines.extend(["", title, *rows])

    section("Added", [f"  + {q.key}: {q.text}" for q in diff.added])
    section(
        "Removed (not compared across quarters any more: nothing replaces them)",
        [f"  - {q.key}: {q.text}" for q in diff.removed],
    )
    section(
        "Renamed, split or merged",
        [
            f"  {group.kind}: {', '.join(q.key for q in group.before)} -> "
            f"{', '.join(q.key for q in group.after)}"
            for group in diff.regrouped
        ],
    )
    section("Dimensions", [f"  {c.field}: {_marked(c.words)}" for c in diff.dimensions])
    changed = []
    for question in diff.changed:
        origin = "" if question.before_key == question.key else f" (from {question.before_key})"
        changed.append(f"  {question.key}{origin}")
        changed += [f"    {c.field}: {_marked(c.words)}" for c in question.changes]
    section("Changed", changed)
    return "\n".join(lines) + "\n"
