"""A bank version as JSON: the exchange format of docs/question-bank-format.md.

`parse_bank` checks a whole file and reports every problem at once, each naming the question
key and field, before anything is written; `import_bank` then saves it in one transaction.
`export_bank` writes the canonical form of format 2, so export -> import -> export is
byte-identical. Format 1 files (one recommendation per question) still import: their
recommendation fills every rung of the ladder, and the import report says so.
"""

import json
import re
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any

from django.db import transaction

from bank.models import (
    RUNG_LEVELS,
    BankVersion,
    Dimension,
    DimensionKey,
    Handoff,
    LevelDescriptor,
    Question,
    RecommendationRung,
)
from lib.maturity import LEVELS

SCHEMA = "relay.question_bank/2"
SCHEMA_1 = "relay.question_bank/1"  # read, never written
SCHEMAS = (SCHEMA, SCHEMA_1)
KEY_PATTERN = re.compile(r"[a-z]+\.[a-z0-9_]+")  # the whole key: fullmatch, not $ (a newline)
MAX_WEIGHT = Decimal("999.99")
# JSON's \u escapes can write characters no text column holds: NUL (PostgreSQL refuses it) and
# unpaired surrogates (not encodable as UTF-8, so refused by every database driver).
UNSTORABLE = re.compile("[\x00\ud800-\udfff]")
SHOWN_NAME_LENGTH = 60

TOP_FIELDS = {"schema", "label", "notes", "dimensions", "questions"}
DIMENSION_FIELDS = {"key", "name", "description", "order", "weight"}
QUESTION_FIELDS_1 = {
    "key",
    "dimension",
    "order",
    "text",
    "help",
    "weight",
    "handoffs",
    "levels",
    "recommendation",
}
QUESTION_FIELDS = (QUESTION_FIELDS_1 - {"recommendation"}) | {
    "comment_prompt",
    "replaces",
    "recommendations",
}
RECOMMENDATION_FIELDS = {"title", "next_steps", "impact", "effort"}
RUNG_FIELDS = RECOMMENDATION_FIELDS | {"from_level"}
FORMAT_1_WARNING = (
    "This file is format 1 (relay.question_bank/1): each question's single recommendation "
    "now fills every step of its ladder, from level 1 to 4. Write a step per level in the "
    "admin before publishing, so a client is told how to reach the level above its own."
)


class BankFormatError(Exception):
    """A bank file with problems; `errors` lists every one of them."""

    def __init__(self, errors: list[str]):
        super().__init__(f"{len(errors)} problem(s) in the bank file")
        self.errors = errors


@dataclass(frozen=True)
class DimensionData:
    key: str
    name: str
    description: str
    order: int
    weight: Decimal


@dataclass(frozen=True)
class RungData:
    from_level: int
    title: str
    next_steps: str
    impact: int
    effort: int


@dataclass(frozen=True)
class QuestionData:
    key: str
    dimension: str
    order: int
    text: str
    help: str
    weight: Decimal
    handoffs: tuple[str, ...]
    levels: tuple[str, ...]  # five texts, level 1 first; "" for a level not written yet
    comment_prompt: str
    replaces: tuple[str, ...]
    rungs: tuple[RungData, ...]  # from level 1 up; a draft may lack some


@dataclass(frozen=True)
class BankData:
    label: str
    notes: str
    dimensions: tuple[DimensionData, ...]
    questions: tuple[QuestionData, ...]
    warnings: tuple[str, ...] = ()


@dataclass(frozen=True)
class BankImport:
    version: BankVersion
    warnings: tuple[str, ...]  # what the editor should know, though nothing was refused


# ---- Export --------------------------------------------------------------------------------


def _number(value: Decimal) -> int | float:
    """Weights as plain JSON numbers: 1 rather than 1.00, 1.5 rather than "1.50"."""
    return int(value) if value == value.to_integral_value() else float(value)


def bank_data(version: BankVersion) -> BankData:
    """A stored version as the plain values of the exchange format, in the file's order:
    dimensions by their order, questions by their dimension's order, then their own."""
    dimensions = list(version.dimensions.order_by("order", "key"))
    dimension_order = {d.key: d.order for d in dimensions}
    questions = sorted(
        version.questions.prefetch_related("descriptors", "rungs"),
        key=lambda q: (dimension_order.get(q.dimension, 99), q.order, q.key),
    )
    return BankData(
        label=version.label,
        notes=version.notes,
        dimensions=tuple(
            DimensionData(d.key, d.name, d.description, d.order, d.weight) for d in dimensions
        ),
        questions=tuple(_question_data(q) for q in questions),
    )


def _question_data(question: Question) -> QuestionData:
    texts = {d.level: d.text for d in question.descriptors.all()}
    return QuestionData(
        key=question.key,
        dimension=question.dimension,
        order=question.order,
        text=question.text,
        help=question.help,
        weight=question.weight,
        handoffs=tuple(question.handoffs),
        levels=tuple(texts.get(level, "") for level in LEVELS),
        comment_prompt=question.comment_prompt,
        replaces=tuple(question.replaces),
        rungs=tuple(
            RungData(rung.from_level, rung.title, rung.next_steps, rung.impact, rung.effort)
            for rung in sorted(question.rungs.all(), key=lambda rung: rung.from_level)
        ),
    )


def export_bank(version: BankVersion) -> str:
    data = bank_data(version)
    document = {
        "schema": SCHEMA,
        "label": data.label,
        "notes": data.notes,
        "dimensions": [
            {
                "key": d.key,
                "name": d.name,
                "description": d.description,
                "order": d.order,
                "weight": _number(d.weight),
            }
            for d in data.dimensions
        ],
        "questions": [_export_question(q) for q in data.questions],
    }
    return json.dumps(document, indent=2, ensure_ascii=False) + "\n"


def _export_question(question: QuestionData) -> dict[str, Any]:
    return {
        "key": question.key,
        "dimension": question.dimension,
        "order": question.order,
        "text": question.text,
        "help": question.help,
        "weight": _number(question.weight),
        "handoffs": list(question.handoffs),
        "levels": list(question.levels),
        "comment_prompt": question.comment_prompt,
        "replaces": list(question.replaces),
        "recommendations": [vars(rung) for rung in question.rungs],
    }


# ---- Parsing and checking ------------------------------------------------------------------


class _Checker:
    """Reads fields out of untrusted JSON objects, noting each problem instead of stopping."""

    def __init__(self) -> None:
        self.errors: list[str] = []

    def error(self, where: str, field: str, message: str) -> None:
        self.errors.append(f"{where}: {_shown(field)}: {message}")

    def fields(self, where: str, obj: Any, allowed: set[str]) -> dict:
        if not isinstance(obj, dict):
            self.errors.append(
                f"{where}: must be an object with fields {', '.join(sorted(allowed))}"
            )
            return {}
        for unknown in sorted(set(obj) - allowed):
            self.error(where, unknown, "unknown field")
        for missing in sorted(allowed - set(obj)):
            self.error(where, missing, "missing")
        return obj

    def text(self, where, obj, field, *, max_length, required=True) -> str:
        value = obj.get(field, "")
        if not isinstance(value, str):
            self.error(where, field, "must be text")
            return ""
        value = value.strip()
        if UNSTORABLE.search(value):
            self.error(where, field, NOT_TEXT)
            return ""
        if required and not value and field in obj:
            self.error(where, field, "must not be empty")
        if len(value) > max_length:
            self.error(where, field, f"is {len(value)} characters long; the limit is {max_length}")
        return value

    def integer(self, where, obj, field, *, low, high) -> int:
        value = obj.get(field)
        if isinstance(value, bool) or not isinstance(value, int):
            if field in obj:
                self.error(where, field, f"must be a whole number from {low} to {high}")
            return low
        if not low <= value <= high:
            self.error(where, field, f"must be from {low} to {high}, not {value}")
        return value

    def weight(self, where, obj, field) -> Decimal:
        value = obj.get(field)
        if isinstance(value, bool) or not isinstance(value, int | Decimal):
            if field in obj:
                self.error(where, field, "must be a number")
            return Decimal(1)
        try:
            weight = Decimal(value).quantize(Decimal("0.01"))
        except InvalidOperation:
            self.error(where, field, "must be a number from 0 to 999.99")
            return Decimal(1)
        if weight != Decimal(value):
            self.error(where, field, "may have at most two decimal places")
        if not Decimal(0) <= weight <= MAX_WEIGHT:
            self.error(where, field, f"must be from 0 to {MAX_WEIGHT}, not {value}")
        return weight


NOT_TEXT = "contains a NUL character (\\u0000) or an unpaired surrogate (\\ud800 to \\udfff)"


def _shown(name: str) -> str:
    """A key or field name from the file as a message can show it: escaped if it holds
    anything unprintable (a NUL, a line break, an unpaired surrogate), and cut short."""
    if not name.isprintable():
        name = ascii(name)[1:-1]
    return name if len(name) <= SHOWN_NAME_LENGTH else f"{name[: SHOWN_NAME_LENGTH - 1]}…"


def _load_json(text: str | bytes) -> Any:
    if isinstance(text, bytes):
        try:
            text = text.decode("utf-8-sig")
        except UnicodeDecodeError:
            raise BankFormatError(["The file is not UTF-8 text."]) from None
    try:
        # Exact decimals, so a weight of 0.35 stays 0.35.
        return json.loads(text, parse_float=Decimal)
    except json.JSONDecodeError as error:
        where = f"line {error.lineno}, column {error.colno}"
        raise BankFormatError([f"The file is not valid JSON: {error.msg} ({where})."]) from None
    except (ValueError, ArithmeticError, RecursionError):
        # A number of more than 4300 digits (ValueError), an exponent beyond what a Decimal
        # holds (InvalidOperation), or arrays nested deeper than Python recurses: valid JSON,
        # but no bank file.
        message = (
            "The file is not a question bank: it holds numbers too long or lists and objects "
            "nested too deep to read."
        )
        raise BankFormatError([message]) from None


def parse_bank(text: str | bytes) -> BankData:
    """Check a bank file completely; raise BankFormatError listing every problem."""
    raw = _load_json(text)
    check = _Checker()
    top = check.fields("file", raw, TOP_FIELDS)
    schema = top.get("schema") if top else None
    if top and schema not in SCHEMAS:
        expected = " or ".join(repr(name) for name in SCHEMAS)
        check.error("file", "schema", f"must be {expected}, not {schema!r}")
    label = check.text("file", top, "label", max_length=40)
    notes = check.text("file", top, "notes", max_length=5000, required=False)
    dimensions = _parse_dimensions(check, top.get("dimensions"))
    questions = _parse_questions(check, top.get("questions"), format_1=schema == SCHEMA_1)
    if check.errors:
        raise BankFormatError(check.errors)
    warnings = (FORMAT_1_WARNING,) if schema == SCHEMA_1 and questions else ()
    return BankData(label, notes, tuple(dimensions), tuple(questions), warnings)


def _parse_dimensions(check: _Checker, items: Any) -> list[DimensionData]:
    if not isinstance(items, list):
        check.error("file", "dimensions", "must be a list")
        return []
    dimensions = []
    for number, item in enumerate(items, start=1):
        key = item.get("key") if isinstance(item, dict) else None
        where = (
            f"dimension {_shown(key)}" if isinstance(key, str) and key else f"dimension #{number}"
        )
        fields = check.fields(where, item, DIMENSION_FIELDS)
        if fields and key not in DimensionKey.values:
            check.error(where, "key", f"must be one of {', '.join(DimensionKey.values)}")
        dimensions.append(
            DimensionData(
                key=key if isinstance(key, str) else "",
                name=check.text(where, fields, "name", max_length=80),
                description=check.text(
                    where, fields, "description", max_length=2000, required=False
                ),
                order=check.integer(where, fields, "order", low=0, high=1000),
                weight=check.weight(where, fields, "weight"),
            )
        )
    keys = [d.key for d in dimensions]
    for key in DimensionKey.values:
        if keys.count(key) != 1:
            check.error("file", "dimensions", f"must list {key!r} exactly once")
    return dimensions


def _parse_questions(check: _Checker, items: Any, *, format_1: bool) -> list[QuestionData]:
    if not isinstance(items, list):
        check.error("file", "questions", "must be a list")
        return []
    questions, seen = [], set()
    for number, item in enumerate(items, start=1):
        question = _parse_question(check, number, item, format_1=format_1)
        if question is None:
            continue
        if question.key in seen:
            check.error(f"question {question.key}", "key", "is used by more than one question")
        seen.add(question.key)
        questions.append(question)
    return questions


def _parse_question(
    check: _Checker, number: int, item: Any, *, format_1: bool
) -> QuestionData | None:
    key = item.get("key") if isinstance(item, dict) else None
    where = f"question {_shown(key)}" if isinstance(key, str) and key else f"question #{number}"
    fields = check.fields(where, item, QUESTION_FIELDS_1 if format_1 else QUESTION_FIELDS)
    if not fields:
        return None
    if not isinstance(key, str) or not KEY_PATTERN.fullmatch(key):
        check.error(where, "key", "must look like dimension.snake_case_name")
        key = ""
    dimension = fields.get("dimension")
    if dimension not in DimensionKey.values:
        check.error(where, "dimension", f"must be one of {', '.join(DimensionKey.values)}")
    elif key and not key.startswith(f"{dimension}."):
        check.error(where, "key", f"must start with its dimension, {dimension!r}")
    if format_1:
        rungs = _rungs_of_format_1(check, where, fields.get("recommendation"))
        comment_prompt, replaces = "", ()
    else:
        rungs = _parse_rungs(check, where, fields.get("recommendations"))
        comment_prompt = check.text(where, fields, "comment_prompt", max_length=300, required=False)
        replaces = _parse_replaces(check, where, fields.get("replaces"))
    return QuestionData(
        key=key,
        dimension=dimension if isinstance(dimension, str) else "",
        order=check.integer(where, fields, "order", low=0, high=32767),
        text=check.text(where, fields, "text", max_length=2000),
        help=check.text(where, fields, "help", max_length=4000, required=False),
        weight=check.weight(where, fields, "weight"),
        handoffs=_parse_handoffs(check, where, fields.get("handoffs")),
        levels=_parse_levels(check, where, fields.get("levels")),
        comment_prompt=comment_prompt,
        replaces=replaces,
        rungs=rungs,
    )


def _rung(check: _Checker, where: str, obj: dict, from_level: int) -> RungData | None:
    title = check.text(where, obj, "title", max_length=160, required=False)
    next_steps = check.text(where, obj, "next_steps", max_length=4000, required=False)
    impact = check.integer(where, obj, "impact", low=1, high=3)
    effort = check.integer(where, obj, "effort", low=1, high=3)
    if not (title or next_steps):
        return None  # not written yet: a draft may lack it, publishing refuses it
    return RungData(from_level, title, next_steps, impact, effort)


def _rungs_of_format_1(check: _Checker, where: str, value: Any) -> tuple[RungData, ...]:
    rec_where = f"{where}: recommendation"
    recommendation = check.fields(rec_where, value, RECOMMENDATION_FIELDS)
    single = _rung(check, rec_where, recommendation, 1) if recommendation else None
    if single is None:
        return ()
    return tuple(
        RungData(level, single.title, single.next_steps, single.impact, single.effort)
        for level in RUNG_LEVELS
    )


def _parse_rungs(check: _Checker, where: str, value: Any) -> tuple[RungData, ...]:
    if not isinstance(value, list) or len(value) > len(RUNG_LEVELS):
        check.error(
            where,
            "recommendations",
            f"must be a list of at most {len(RUNG_LEVELS)} steps, one per level from 1 to 4",
        )
        return ()
    rungs, seen = [], set()
    for position, item in enumerate(value, start=1):
        rung_where = f"{where}: recommendations[{position}]"
        obj = check.fields(rung_where, item, RUNG_FIELDS)
        if not obj:
            continue
        from_level = check.integer(rung_where, obj, "from_level", low=1, high=4)
        if from_level in seen:
            check.error(rung_where, "from_level", f"level {from_level} has a step already")
        seen.add(from_level)
        rung = _rung(check, rung_where, obj, from_level)
        if rung is not None:
            rungs.append(rung)
    return tuple(sorted(rungs, key=lambda rung: rung.from_level))


def _parse_replaces(check: _Checker, where: str, value: Any) -> tuple[str, ...]:
    if not isinstance(value, list) or not all(isinstance(key, str) for key in value):
        check.error(where, "replaces", "must be a list of question keys (it may be empty)")
        return ()
    for key in value:
        if not KEY_PATTERN.fullmatch(key):
            check.error(where, "replaces", f"{_shown(key)} is not a question key")
    return tuple(dict.fromkeys(value))


def _parse_handoffs(check: _Checker, where: str, value: Any) -> tuple[str, ...]:
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        check.error(where, "handoffs", "must be a list of handoff keys (it may be empty)")
        return ()
    for unknown in [v for v in value if v not in Handoff.values]:
        check.error(where, "handoffs", f"{unknown!r} is not one of {', '.join(Handoff.values)}")
    if len(set(value)) != len(value):
        check.error(where, "handoffs", "lists a handoff twice")
    return tuple(h for h in Handoff.values if h in value)


def _parse_levels(check: _Checker, where: str, value: Any) -> tuple[str, ...]:
    if not isinstance(value, list) or len(value) != len(LEVELS):
        check.error(
            where, "levels", f"must be a list of exactly {len(LEVELS)} descriptors, level 1 first"
        )
        return ("",) * len(LEVELS)
    levels = []
    for level, text in zip(LEVELS, value, strict=True):
        if not isinstance(text, str):
            check.error(where, f"levels[{level}]", "must be text")
            text = ""
        elif UNSTORABLE.search(text):
            check.error(where, f"levels[{level}]", NOT_TEXT)
            text = ""
        if len(text.strip()) > 300:
            check.error(where, f"levels[{level}]", "is longer than 300 characters")
        levels.append(text.strip())
    return tuple(levels)


# ---- Import --------------------------------------------------------------------------------


def import_bank(text: str | bytes, *, label: str | None = None) -> BankVersion:
    """Save a bank file as a new draft version; nothing is saved if anything is wrong."""
    return import_bank_with_report(text, label=label).version


@transaction.atomic
def import_bank_with_report(text: str | bytes, *, label: str | None = None) -> BankImport:
    """`import_bank`, with the warnings an editor should read (a format 1 file, say)."""
    data = parse_bank(text)
    label = (label or data.label).strip()
    if not 0 < len(label) <= 40:
        raise BankFormatError(["file: label: must be 1 to 40 characters"])
    if BankVersion.objects.filter(label=label).exists():
        taken = f"a version labelled {label!r} already exists; import it under another label"
        raise BankFormatError([f"file: label: {taken}"])
    version = BankVersion.objects.create(label=label, notes=data.notes)
    Dimension.objects.bulk_create(
        Dimension(version=version, **vars(dimension)) for dimension in data.dimensions
    )
    Question.objects.bulk_create(_question_row(version, question) for question in data.questions)
    ids = dict(version.questions.values_list("key", "id"))
    LevelDescriptor.objects.bulk_create(
        LevelDescriptor(question_id=ids[question.key], level=level, text=text)
        for question in data.questions
        for level, text in zip(LEVELS, question.levels, strict=True)
        if text
    )
    RecommendationRung.objects.bulk_create(
        RecommendationRung(question_id=ids[question.key], **vars(rung))
        for question in data.questions
        for rung in question.rungs
    )
    return BankImport(version, data.warnings)


def _question_row(version: BankVersion, question: QuestionData) -> Question:
    return Question(
        version=version,
        key=question.key,
        dimension=question.dimension,
        order=question.order,
        text=question.text,
        help=question.help,
        weight=question.weight,
        comment_prompt=question.comment_prompt,
        replaces=list(question.replaces),
        **{handoff: handoff in question.handoffs for handoff in Handoff.values},
    )
