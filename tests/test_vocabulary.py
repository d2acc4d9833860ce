"""One definition per name: the maturity vocabulary (lib.maturity) and the funnel's figures
(funnel.kpis) are defined once; the database's choices, the scoring, the forms and the admin
say the same, in the same order."""

from assessments import scoring
from assessments.models import TARGET_FIELDS, Assessment, Choice
from bank.models import DimensionKey, Handoff, LevelDescriptor
from funnel.forms import FunnelValuesForm
from funnel.kpis import FIGURE_FIELDS, FIGURE_LABELS, FIGURE_WORDS
from funnel.models import FunnelFigures
from lib import maturity


def test_the_banks_dimension_choices_are_the_vocabularys_in_its_order():
    assert [(key.value, key.label) for key in DimensionKey] == list(
        maturity.DIMENSION_NAMES.items()
    )


def test_the_banks_handoff_choices_are_the_scorings_names_upstream_first():
    assert [handoff.value for handoff in Handoff] == list(scoring.HANDOFF_ORDER)
    assert {handoff.value: handoff.label for handoff in Handoff} == scoring.HANDOFF_NAMES
    assert scoring.HANDOFF_NAMES is maturity.HANDOFF_NAMES


def test_levels_are_named_the_same_in_answers_descriptors_and_stages():
    names = maturity.LEVEL_NAMES
    assert [Choice(str(level)).label for level in names] == [f"{n} {v}" for n, v in names.items()]
    descriptor_levels = dict(LevelDescriptor._meta.get_field("level").choices)
    assert descriptor_levels == {level: f"{level} {name}" for level, name in names.items()}
    assert [scoring.stage_of(index).name for index in (0, 20, 40, 60, 80)] == list(names.values())


def test_the_assessment_targets_are_labelled_with_the_dimension_names():
    for key, field in TARGET_FIELDS.items():
        label = Assessment._meta.get_field(field).verbose_name
        assert label == f"target for {maturity.DIMENSION_NAMES[key]}"


def test_a_funnel_figure_is_labelled_the_same_by_the_model_and_the_forms():
    form = FunnelValuesForm()
    for name in FIGURE_FIELDS:
        assert FunnelFigures._meta.get_field(name).verbose_name == FIGURE_LABELS[name]
        assert form.fields[name].label == FIGURE_LABELS[name]


def test_the_words_for_a_figure_in_a_sentence_come_from_its_label():
    assert FIGURE_WORDS["impressions"] == "prospect impressions"
    assert FIGURE_WORDS["mqls"] == "MQLs"  # the explanation in brackets is for forms
    assert FIGURE_WORDS["days_mql_to_sal"] == "days from MQL to SAL"
    assert set(FIGURE_WORDS) == set(FIGURE_FIELDS)
