"""Answers shown without names: respondents become "Respondent 1", "Respondent 2"… (numbered
in the order they were added, so the numbers stay put from one export to the next), and a
role with fewer than MIN_ROLE_SIZE submitted respondents is folded into "other roles", so no
one is singled out by being the only leader or the only person in sales. Pure code.
"""

from collections import Counter
from dataclasses import replace

from assessments.scoring import RespondentSpec

MIN_ROLE_SIZE = 3
FOLDED_ROLE = "other_roles"
FOLDED_ROLE_LABEL = "Other roles"


def pseudonym(number: int) -> str:
    return f"Respondent {number}"


def pseudonyms(respondent_ids) -> dict[int, str]:
    """Each respondent's pseudonym, numbered in the order of their ids."""
    return {rid: pseudonym(number) for number, rid in enumerate(sorted(respondent_ids), 1)}


def folded_roles(roles_of_submitted: list[str]) -> dict[str, str]:
    """role -> the role to show: itself with MIN_ROLE_SIZE or more submitted respondents,
    FOLDED_ROLE otherwise."""
    counts = Counter(roles_of_submitted)
    return {role: role if count >= MIN_ROLE_SIZE else FOLDED_ROLE for role, count in counts.items()}


def anonymised(respondents: tuple[RespondentSpec, ...]) -> tuple[RespondentSpec, ...]:
    """The respondents under pseudonyms, their roles folded as above."""
    names = pseudonyms(r.id for r in respondents)
    roles = folded_roles([r.role for r in respondents if r.submitted])
    return tuple(
        replace(r, name=names[r.id], role=roles.get(r.role, FOLDED_ROLE)) for r in respondents
    )
