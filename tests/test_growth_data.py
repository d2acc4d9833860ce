"""make bench's growth data holds what its figures are named after (devtools.growth)."""

from accounts.models import Role
from assessments.models import Assessment
from bank.services import load_default_bank
from devtools.growth import BANK_COPIES, RESPONDENT_COUNTS, seed_growth


def test_the_growth_data_has_each_size(owner):
    version = load_default_bank()[-1]
    growth = seed_growth(owner, version)

    assert growth.workspace.memberships.get(user=owner).role == Role.OWNER

    assert list(growth.answered) == list(RESPONDENT_COUNTS)
    questions = version.questions.count()
    for count, assessment in growth.answered.items():
        assessment = Assessment.objects.get(pk=assessment.pk)
        assert assessment.submitted_count == count  # its snapshot is computed
        assert assessment.respondents.get(name="Respondent 1").answers.count() == questions
    assert list(growth.questionnaires) == [questions * copies for copies in BANK_COPIES]
    larger = growth.questionnaires[questions * BANK_COPIES[-1]].assessment.bank_version
    assert larger.is_published
    assert larger.questions.filter(dimension="people").count() == (
        version.questions.filter(dimension="people").count() * BANK_COPIES[-1]
    )
