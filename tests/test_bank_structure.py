"""A published bank version's structure is read once per process and kept; a draft's is read
each time (bank.structure)."""

from bank import structure
from bank.models import Question
from tests.factories import make_bank_version


def test_a_published_version_is_read_once(db, django_assert_num_queries):
    version = make_bank_version(label="2026.1", per_dimension=6, publish=True)
    with django_assert_num_queries(4):  # dimensions, questions, descriptors, rungs
        first = structure.structure_of(version)
    with django_assert_num_queries(0):
        again = structure.structure_of(version)
    assert again is first
    assert [q.key for q in first.questions] == [
        q.key
        for q in Question.objects.filter(version=version)  # the models' order
    ]
    assert first.by_key[first.questions[0].key] is first.questions[0]
    assert {q.dimension for q in first.in_dimension("people")} == {"people"}


def test_a_draft_is_read_afresh_each_time(db):
    version = make_bank_version(label="2026.1-draft", per_dimension=2)
    before = structure.structure_of(version)
    Question.objects.filter(version=version, key=before.questions[0].key).update(text="Edited")
    after = structure.structure_of(version)
    assert after is not before
    assert after.by_key[before.questions[0].key].text == "Edited"


def test_the_questions_reach_their_version_without_a_query(db, django_assert_num_queries):
    version = make_bank_version(label="2026.1", per_dimension=6, publish=True)
    kept = structure.structure_of(version)
    with django_assert_num_queries(0):
        assert all(q.version.label == "2026.1" for q in kept.questions)
        assert all(len(q.descriptors.all()) == 5 for q in kept.questions)


def test_only_so_many_versions_are_kept(db, monkeypatch):
    monkeypatch.setattr(structure, "KEPT_VERSIONS", 2)
    versions = [
        make_bank_version(label=f"2026.{n}", per_dimension=6, publish=True) for n in (1, 2, 3)
    ]
    first = structure.structure_of(versions[0])
    structure.structure_of(versions[1])
    structure.structure_of(versions[2])  # the oldest kept goes
    assert structure.structure_of(versions[0]) is not first
