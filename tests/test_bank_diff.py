"""The diff between two bank versions, on hand-made versions: every kind of change."""

import json
from decimal import Decimal

import pytest

from bank.diff import (
    DELETE,
    EQUAL,
    INSERT,
    BankDiff,
    QuestionBrief,
    Regrouping,
    diff_banks,
    diff_text,
    word_diff,
)
from bank.exchange import BankData, DimensionData, QuestionData, RungData, bank_data
from tests.factories import make_bank_version


def _rung(level: int, **fields) -> RungData:
    values = {"title": f"Step {level}", "next_steps": f"Do {level}", "impact": 2, "effort": 2}
    return RungData(from_level=level, **{**values, **fields})


def _question(key: str, **fields) -> QuestionData:
    values = {
        "dimension": key.split(".")[0],
        "order": 1,
        "text": f"How mature is {key}?",
        "help": "",
        "weight": Decimal(1),
        "handoffs": (),
        "levels": tuple(f"{key} at level {level}" for level in range(1, 6)),
        "comment_prompt": "",
        "replaces": (),
        "rungs": tuple(_rung(level) for level in range(1, 5)),
    }
    return QuestionData(key=key, **{**values, **fields})


def _bank(label: str, *questions: QuestionData, dimensions=None) -> BankData:
    dimensions = dimensions or (DimensionData("people", "People", "", 1, Decimal(1)),)
    return BankData(label, "", tuple(dimensions), tuple(questions))


BEFORE = _bank("2026.1", _question("people.a"), _question("people.b"), _question("people.c"))


def test_two_identical_versions_differ_in_nothing():
    diff = diff_banks(BEFORE, BEFORE)
    assert diff.is_empty
    assert diff.summary == {
        "added": 0,
        "removed": 0,
        "renamed": 0,
        "split": 0,
        "merged": 0,
        "changed": 0,
        "unchanged": 3,
    }


def test_a_new_key_is_an_added_question_and_a_missing_one_removed():
    after = _bank("2026.2", _question("people.a"), _question("people.b"), _question("people.d"))
    diff = diff_banks(BEFORE, after)
    assert diff.added == (QuestionBrief("people.d", "How mature is people.d?"),)
    assert diff.removed == (QuestionBrief("people.c", "How mature is people.c?"),)
    assert diff.regrouped == () and diff.changed == ()
    assert diff.unchanged == 2


def test_a_new_key_that_replaces_an_old_one_is_a_rename_not_an_addition():
    after = _bank(
        "2026.2",
        _question("people.a"),
        _question("people.b"),
        _question("people.renamed", replaces=("people.c",)),
    )
    diff = diff_banks(BEFORE, after)
    assert diff.added == () and diff.removed == ()
    assert diff.regrouped == (
        Regrouping(
            "renamed",
            (QuestionBrief("people.c", "How mature is people.c?"),),
            (QuestionBrief("people.renamed", "How mature is people.renamed?"),),
        ),
    )
    # Compared with the question it comes from: its text and descriptors name the new key.
    [change] = diff.changed
    assert (change.key, change.before_key) == ("people.renamed", "people.c")
    assert [c.field for c in change.changes][:2] == ["text", "level 1"]


def test_several_questions_replacing_one_are_a_split_each_compared_with_the_original():
    after = _bank(
        "2026.2",
        _question("people.a"),
        _question("people.b"),
        _question("people.c", text="How mature is people.c's first half?"),
        _question("people.c_second", replaces=("people.c",)),
    )
    diff = diff_banks(BEFORE, after)
    [split] = diff.regrouped
    assert split.kind == "split"
    assert [q.key for q in split.before] == ["people.c"]
    assert [q.key for q in split.after] == ["people.c", "people.c_second"]
    assert [(c.key, c.before_key) for c in diff.changed] == [
        ("people.c", "people.c"),
        ("people.c_second", "people.c"),
    ]
    assert diff.summary["split"] == 1 and diff.added == () and diff.removed == ()


def test_one_question_replacing_several_is_a_merge():
    after = _bank(
        "2026.2", _question("people.a"), _question("people.b", replaces=("people.b", "people.c"))
    )
    diff = diff_banks(BEFORE, after)
    [merge] = diff.regrouped
    assert merge.kind == "merged"
    assert [q.key for q in merge.before] == ["people.b", "people.c"]
    assert [q.key for q in merge.after] == ["people.b"]
    assert diff.removed == () and diff.summary["merged"] == 1
    # Kept its key and nothing else changed: compared with that one, it is unchanged.
    assert diff.changed == () and diff.unchanged == 2


def test_a_merge_into_a_new_key_is_compared_with_none_of_the_originals():
    after = _bank(
        "2026.2",
        _question("people.a"),
        _question("people.bc", replaces=("people.b", "people.c")),
    )
    diff = diff_banks(BEFORE, after)
    assert [g.kind for g in diff.regrouped] == ["merged"]
    assert diff.changed == ()


def test_splitting_and_merging_at_once_is_named_so():
    after = _bank(
        "2026.2",
        _question("people.a"),
        _question("people.x", replaces=("people.b", "people.c")),
        _question("people.y", replaces=("people.c",)),
    )
    [group] = diff_banks(BEFORE, after).regrouped
    assert group.kind == "split and merged"
    assert [q.key for q in group.after] == ["people.x", "people.y"]


def test_a_mapping_to_a_key_the_older_version_lacks_is_not_followed():
    after = _bank(
        "2026.3",
        _question("people.a"),
        _question("people.b"),
        _question("people.c"),
        _question("people.d", replaces=("people.gone_before",)),
    )
    diff = diff_banks(BEFORE, after)
    assert [q.key for q in diff.added] == ["people.d"] and diff.regrouped == ()


@pytest.mark.parametrize(
    ("fields", "name", "before", "after"),
    [
        ({"text": "How written is people.a?"}, "text", "How mature is people.a?", None),
        ({"help": "Count the owners."}, "help", "", "Count the owners."),
        ({"comment_prompt": "Which tools?"}, "comment prompt", "", "Which tools?"),
        ({"weight": Decimal("1.50")}, "weight", "1", "1.5"),
        ({"handoffs": ("gtm_to_demand",)}, "handoffs", "", "gtm_to_demand"),
        (
            {"levels": ("a1", *(f"people.a at level {n}" for n in range(2, 6)))},
            "level 1",
            "people.a at level 1",
            "a1",
        ),
        (
            {"rungs": (_rung(1, title="Write it down"), *(_rung(n) for n in (2, 3, 4)))},
            "step from level 1: title",
            "Step 1",
            "Write it down",
        ),
        (
            {"rungs": (_rung(1), _rung(2, next_steps="Measure it"), _rung(3), _rung(4))},
            "step from level 2: next steps",
            "Do 2",
            "Measure it",
        ),
        (
            {"rungs": (_rung(1), _rung(2), _rung(3, impact=3), _rung(4))},
            "step from level 3: impact",
            "2",
            "3",
        ),
        (
            {"rungs": (_rung(1), _rung(2), _rung(3), _rung(4, effort=1))},
            "step from level 4: effort",
            "2",
            "1",
        ),
    ],
)
def test_each_field_of_a_kept_question_is_compared(fields, name, before, after):
    changed = _bank("2026.2", _question("people.a", **fields), *BEFORE.questions[1:])
    [question] = diff_banks(BEFORE, changed).changed
    [change] = question.changes
    assert change.field == name
    assert change.before == before
    assert change.after == (after if after is not None else fields[name])


def test_a_step_written_only_in_the_newer_version_shows_each_field_as_new():
    before = _bank("2026.1", _question("people.a", rungs=(_rung(1), _rung(2), _rung(3))))
    after = _bank("2026.2", _question("people.a"))
    [question] = diff_banks(before, after).changed
    assert [(c.field, c.before, c.after) for c in question.changes] == [
        ("step from level 4: title", "", "Step 4"),
        ("step from level 4: next steps", "", "Do 4"),
        ("step from level 4: impact", "", "2"),
        ("step from level 4: effort", "", "2"),
    ]


def test_the_order_alone_is_not_a_change():
    after = _bank("2026.2", _question("people.a", order=9), *BEFORE.questions[1:])
    assert diff_banks(BEFORE, after).changed == ()


def test_dimension_names_descriptions_and_weights_are_compared():
    after = _bank(
        "2026.2",
        *BEFORE.questions,
        dimensions=(
            DimensionData("people", "People and roles", "Who does what", 1, Decimal(2)),
            DimensionData("process", "Process", "", 2, Decimal(1)),
        ),
    )
    changes = diff_banks(BEFORE, after).dimensions
    assert [(c.field, c.before, c.after) for c in changes] == [
        ("people name", "People", "People and roles"),
        ("people description", "", "Who does what"),
        ("people weight", "1", "2"),
        ("process name", "", "Process"),
        ("process weight", "", "1"),
    ]


def test_changed_words_are_marked_one_word_at_a_time():
    words = word_diff("Is there one written definition?", "Is there a signed definition?")
    assert words == (
        (EQUAL, "Is there "),
        (DELETE, "one written"),
        (INSERT, "a signed"),
        (EQUAL, " definition?"),
    )


def test_each_side_marks_what_the_other_lacks():
    after = _bank("2026.2", _question("people.a", text="How well run is people.a?"))
    [question] = diff_banks(_bank("2026.1", _question("people.a")), after).changed
    [text] = question.changes
    assert [part for part, changed in text.before_parts if changed] == ["mature"]
    assert [part for part, changed in text.after_parts if changed] == ["well run"]
    assert "".join(part for part, _ in text.before_parts) == "How mature is people.a?"
    assert "".join(part for part, _ in text.after_parts) == "How well run is people.a?"


def _every_kind() -> BankDiff:
    after = _bank(
        "2026.2",
        _question("people.a", text="How written is people.a?"),
        _question("people.b1", replaces=("people.b",)),
        _question("people.b2", replaces=("people.b",)),
        _question("people.d"),
    )
    return diff_banks(BEFORE, after)


def test_the_text_form_lists_every_kind_of_change_with_the_words_marked():
    text = diff_text(_every_kind())
    assert text.splitlines()[:2] == [
        "Question bank 2026.1 -> 2026.2",
        "1 added, 1 removed, 0 renamed, 1 split, 0 merged, 3 changed, 0 unchanged",
    ]
    assert "  + people.d: How mature is people.d?" in text
    assert "  - people.c: How mature is people.c?" in text
    assert "  split: people.b -> people.b1, people.b2" in text
    assert "    text: How [-mature-]{+written+} is people.a?" in text
    assert "  people.b1 (from people.b)" in text


def test_the_json_form_holds_the_summary_and_every_change():
    data = json.loads(json.dumps(_every_kind().as_dict()))
    assert data["summary"]["split"] == 1
    assert data["added"] == [{"key": "people.d", "text": "How mature is people.d?"}]
    assert data["changed"][0]["changes"][0]["words"][1] == ["delete", "mature"]


@pytest.mark.django_db
def test_a_stored_version_reads_as_the_same_values_as_its_file():
    version = make_bank_version(label="2026.1")
    question = version.questions.get(key="people.q1")
    question.descriptors.filter(level=2).update(text="Written down")
    diff = diff_banks(bank_data(make_bank_version(label="base")), bank_data(version))
    [change] = diff.changed
    assert change.key == "people.q1"
    assert [(c.field, c.after) for c in change.changes] == [("level 2", "Written down")]
