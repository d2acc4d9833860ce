import copy
import json
from pathlib import Path

import pytest

from bank.exchange import (
    FORMAT_1_WARNING,
    SCHEMA,
    BankFormatError,
    export_bank,
    import_bank,
    import_bank_with_report,
)
from bank.models import BankVersion, DimensionKey, Handoff, Question
from bank.services import MIN_QUESTIONS_PER_DIMENSION, publication_problems
from tests.factories import make_bank_version

DATA = Path(__file__).resolve().parents[1] / "bank" / "data"
DEFAULT_BANK = DATA / "default_bank.json"  # 2026.2, format 2
BANK_2026_1 = DATA / "default_bank_2026_1.json"

pytestmark = pytest.mark.django_db


def _tables():
    return [BankVersion.objects.count(), Question.objects.count()]


@pytest.fixture
def bank_json() -> dict:
    return json.loads(DEFAULT_BANK.read_text())


def _errors(data) -> list[str]:
    text = data if isinstance(data, str | bytes) else json.dumps(data)
    before = _tables()
    with pytest.raises(BankFormatError) as refused:
        import_bank(text)
    assert _tables() == before, "a refused import must save nothing"
    return refused.value.errors


# ---- Round trips ---------------------------------------------------------------------------


def test_export_import_export_is_byte_identical():
    version = make_bank_version(label="2026.9")
    version.questions.filter(key="people.q1").update(weight="1.25", help="Ünïcode “quotes”")
    version.questions.get(key="people.q2").descriptors.filter(level=4).delete()  # a draft gap
    first = export_bank(version)
    version.delete()

    second = export_bank(import_bank(first))

    assert second == first


def test_the_shipped_default_bank_is_in_canonical_form():
    assert export_bank(import_bank(DEFAULT_BANK.read_bytes())) == DEFAULT_BANK.read_text()


def test_the_default_bank_passes_publication_checks(bank_json):
    version = import_bank(DEFAULT_BANK.read_bytes())
    assert publication_problems(version) == []
    assert 40 <= version.questions.count() <= 60
    for handoff in Handoff:
        assert version.questions.filter(**{handoff: True}).count() >= 6
    for key in DimensionKey:
        assert version.questions.filter(dimension=key).count() >= MIN_QUESTIONS_PER_DIMENSION


def test_the_default_banks_descriptors_are_all_different(bank_json):
    texts = [text for q in bank_json["questions"] for text in q["levels"]]
    assert len(texts) == len(set(texts))
    assert all(len(set(q["levels"])) == 5 for q in bank_json["questions"])


def test_an_import_is_a_draft_under_the_files_label_or_another():
    text = DEFAULT_BANK.read_text()
    version = import_bank(text)
    assert (version.label, version.is_published) == ("2026.2", False)
    assert import_bank(text, label="2026.2 copy").label == "2026.2 copy"


# ---- Bad files -----------------------------------------------------------------------------


def test_a_label_already_taken_is_refused():
    import_bank(DEFAULT_BANK.read_text())
    assert _errors(DEFAULT_BANK.read_text()) == [
        "file: label: a version labelled '2026.2' already exists; import it under another label"
    ]


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("", "The file is not valid JSON: Expecting value (line 1, column 1)."),
        ("{not json", "The file is not valid JSON"),
        (b"\xff\xfe\x00bad", "The file is not UTF-8 text."),
        ("[]", "file: must be an object"),
        ('"text"', "file: must be an object"),
    ],
)
def test_a_file_that_is_not_a_bank_is_refused(content, message):
    assert _errors(content)[0].startswith(message)


def test_every_problem_is_reported_naming_the_question_and_field(bank_json):
    data = copy.deepcopy(bank_json)
    questions = {q["key"]: q for q in data["questions"]}
    questions["process.lead_definition"]["levels"] = ["only", "four", "levels", "here"]
    questions["process.lead_scoring_model"]["recommendations"][0]["impact"] = 5
    questions["people.shared_kpis"]["weight"] = "heavy"
    questions["people.shared_kpis"]["handoffs"] = ["gtm_to_demand", "to_the_moon"]
    questions["content.buyer_personas"]["key"] = "technology.buyer_personas"
    questions["technology.closed_loop_tracking"]["colour"] = "blue"
    del questions["technology.closed_loop_tracking"]["help"]
    data["questions"][3]["key"] = "Not A Key"
    data["questions"].append(copy.deepcopy(questions["people.shared_kpis"]))

    errors = _errors(data)

    assert errors == [
        "question Not A Key: key: must look like dimension.snake_case_name",
        "question people.shared_kpis: weight: must be a number",
        "question people.shared_kpis: handoffs: 'to_the_moon' is not one of "
        "gtm_to_demand, demand_to_lead, lead_to_sales",
        "question process.lead_definition: levels: must be a list of exactly 5 descriptors, "
        "level 1 first",
        "question process.lead_scoring_model: recommendations[1]: impact: must be from 1 to 3, "
        "not 5",
        "question technology.buyer_personas: key: must start with its dimension, 'content'",
        "question technology.closed_loop_tracking: colour: unknown field",
        "question technology.closed_loop_tracking: help: missing",
        "question people.shared_kpis: weight: must be a number",
        "question people.shared_kpis: handoffs: 'to_the_moon' is not one of "
        "gtm_to_demand, demand_to_lead, lead_to_sales",
        "question people.shared_kpis: key: is used by more than one question",
    ]


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (
            lambda d: d.update(schema="other/2"),
            "file: schema: must be 'relay.question_bank/2' or 'relay.question_bank/1'",
        ),
        (lambda d: d.update(label=""), "file: label: must not be empty"),
        (lambda d: d.update(label="x" * 41), "file: label: is 41 characters long"),
        (lambda d: d["dimensions"].pop(), "file: dimensions: must list 'technology' exactly once"),
        (
            lambda d: d["dimensions"][0].update(weight=-1),
            "dimension people: weight: must be from 0",
        ),
        (lambda d: d["dimensions"][0].update(weight=1.234), "at most two decimal places"),
        (lambda d: d["dimensions"][1].update(key="money"), "dimension money: key: must be one of"),
        (lambda d: d["questions"][0].update(order=True), "order: must be a whole number"),
        (lambda d: d["questions"][0].update(text="  "), "text: must not be empty"),
        (
            lambda d: d["questions"][0].update(levels=["a", "b", "c", "d", 5]),
            "levels[5]: must be text",
        ),
        (lambda d: d["questions"][0]["levels"].__setitem__(0, "x" * 301), "levels[1]: is longer"),
        (
            lambda d: d["questions"][0].update(recommendations=None),
            "recommendations: must be a list of at most 4 steps",
        ),
        (
            lambda d: d["questions"][0]["recommendations"].append(
                dict(d["questions"][0]["recommendations"][0])
            ),
            "recommendations: must be a list of at most 4 steps",
        ),
        (
            lambda d: d["questions"][0]["recommendations"][1].update(from_level=1),
            "recommendations[2]: from_level: level 1 has a step already",
        ),
        (
            lambda d: d["questions"][0]["recommendations"][3].update(from_level=5),
            "recommendations[4]: from_level: must be from 1 to 4, not 5",
        ),
        (
            lambda d: d["questions"][0].update(replaces="people.old"),
            "replaces: must be a list of question keys",
        ),
        (
            lambda d: d["questions"][0].update(comment_prompt="x" * 301),
            "comment_prompt: is 301 characters long",
        ),
        (lambda d: d["questions"][0].update(recommendation={}), "recommendation: unknown field"),
        (lambda d: d["questions"][0].update(handoffs="gtm_to_demand"), "handoffs: must be a list"),
        (lambda d: d.update(questions={}), "file: questions: must be a list"),
        (lambda d: d.update(extra=1), "file: extra: unknown field"),
    ],
)
def test_each_kind_of_bad_value_is_refused(bank_json, change, message):
    change(bank_json)
    assert any(message in error for error in _errors(bank_json)), _errors(bank_json)


def test_an_injection_shaped_text_is_stored_as_plain_text(bank_json):
    evil = "<script>alert(1)</script>'; DROP TABLE bank_question; --"
    bank_json["questions"][0]["text"] = evil
    version = import_bank(json.dumps(bank_json))
    assert version.questions.filter(text=evil).count() == 1


def test_the_schema_constant_matches_the_documentation():
    doc = (DEFAULT_BANK.parents[2] / "docs" / "question-bank-format.md").read_text()
    assert SCHEMA in doc


# ---- Format 2: the ladder, and format 1 files ----------------------------------------------


def test_the_default_banks_ladders_say_something_different_on_every_step(bank_json):
    for question in bank_json["questions"]:
        steps = question["recommendations"]
        assert [step["from_level"] for step in steps] == [1, 2, 3, 4], question["key"]
        assert len({step["title"] for step in steps}) == 4, question["key"]
        assert len({step["next_steps"] for step in steps}) == 4, question["key"]


def test_a_format_1_file_still_imports_its_recommendation_filling_every_step():
    imported = import_bank_with_report(BANK_2026_1.read_bytes())
    assert imported.warnings == ()  # the shipped 2026.1 is in format 2 already
    imported.version.delete()

    data = json.loads(BANK_2026_1.read_text())
    data["schema"] = "relay.question_bank/1"
    for question in data["questions"]:
        first = question.pop("recommendations")[0]
        del first["from_level"], question["comment_prompt"], question["replaces"]
        question["recommendation"] = first
    imported = import_bank_with_report(json.dumps(data))
    assert imported.warnings == (FORMAT_1_WARNING,)
    question = imported.version.questions.get(key="process.lead_definition")
    rungs = list(question.rungs.order_by("from_level"))
    assert [rung.from_level for rung in rungs] == [1, 2, 3, 4]
    assert len({(r.title, r.next_steps, r.impact, r.effort) for r in rungs}) == 1
    assert publication_problems(imported.version) == []
    # Exported again, it is format 2.
    assert json.loads(export_bank(imported.version))["schema"] == SCHEMA


def test_a_format_1_file_refuses_format_2_fields(bank_json):
    bank_json["schema"] = "relay.question_bank/1"
    errors = _errors(bank_json)
    assert any("recommendations: unknown field" in error for error in errors)
    assert any("recommendation: missing" in error for error in errors)


def test_a_draft_may_leave_steps_unwritten_but_cannot_publish_without_them(bank_json):
    question = next(q for q in bank_json["questions"] if q["key"] == "process.lead_definition")
    question["recommendations"] = question["recommendations"][:2]  # from 1 and 2 only
    version = import_bank(json.dumps(bank_json))
    assert version.questions.get(key="process.lead_definition").rungs.count() == 2
    assert publication_problems(version) == [
        "process.lead_definition: needs a recommendation step from level 3, 4 (a title and "
        "next steps): every level below the highest target, 5, needs its next step."
    ]


def test_comment_prompts_and_replaced_keys_travel(bank_json):
    version = import_bank(json.dumps(bank_json))
    split = [q for q in bank_json["questions"] if q["replaces"]]
    prompted = [q for q in bank_json["questions"] if q["comment_prompt"]]
    assert split and prompted
    stored = version.questions.get(key=split[0]["key"])
    assert stored.replaces == split[0]["replaces"]
    assert (
        version.questions.get(key=prompted[0]["key"]).comment_prompt
        == prompted[0]["comment_prompt"]
    )
