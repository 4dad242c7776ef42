import pytest

from guidelines.selectors import (
    acknowledgement_rates_by_team,
    acknowledgement_required,
    guideline_search,
    guideline_version_diff,
    policy_version_current,
    policy_version_requiring_acknowledgement,
)
from guidelines.services import acknowledgement_record, guideline_version_create
from tests.factories import TeamFactory, UserFactory

from .factories import make_brand_guide, make_policy

pytestmark = pytest.mark.django_db


def test_without_a_policy_nothing_is_required(alice):
    assert policy_version_current() is None
    assert policy_version_requiring_acknowledgement() is None
    assert acknowledgement_required(user=alice) is False


def test_a_minor_version_does_not_ask_again(alice):
    policy = make_policy(versions=2, second_is_major=False)
    acknowledgement_record(user=alice, version=policy.versions.get(number=1))
    assert policy_version_current().number == 2
    assert policy_version_requiring_acknowledgement().number == 1
    assert acknowledgement_required(user=alice) is False


def test_a_major_version_asks_again(alice):
    policy = make_policy(versions=2, second_is_major=True)
    acknowledgement_record(user=alice, version=policy.versions.get(number=1))
    assert acknowledgement_required(user=alice) is True
    acknowledgement_record(user=alice, version=policy.versions.get(number=2))
    assert acknowledgement_required(user=alice) is False


def test_acknowledging_a_later_minor_version_covers_the_major_one(alice):
    policy = make_policy(versions=3, second_is_major=True)
    acknowledgement_record(user=alice, version=policy.versions.get(number=3))
    assert acknowledgement_required(user=alice) is False


def test_brand_guide_versions_never_ask_for_acknowledgement(alice):
    make_brand_guide()
    assert acknowledgement_required(user=alice) is False


def test_search_finds_text_across_guidelines_with_excerpts(db):
    make_policy()
    make_brand_guide()
    hits = guideline_search(query="NEVER")
    assert [hit.version.document.slug for hit in hits] == ["brand-style-guide"]
    before, match, after = hits[0].excerpts[0]
    assert match.lower() == "never" and "Acme Cloud" in before
    assert guideline_search(query="   ") == []
    assert guideline_search(query="nothing like this") == []


def test_the_diff_lists_added_and_removed_lines(db):
    policy = make_policy()
    guideline_version_create(
        document=policy,
        body=policy.versions.get().body.replace("Share numbers", "Share revenue numbers") + "\n<script>x</script>",
        change_summary="Clearer",
        is_major=False,
        created_by=None,
    )
    old, new = policy.versions.get(number=1), policy.versions.get(number=2)
    lines = guideline_version_diff(old=old, new=new)
    changed = [(line.kind, line.text) for line in lines if line.kind in ("added", "removed")]
    assert ("removed", "- Share numbers before they are public.") in changed
    assert ("added", "- Share revenue numbers before they are public.") in changed
    assert ("added", "<script>x</script>") in changed  # plain text; the template escapes it


def _employees(team, count):
    return [UserFactory(username=f"{team.slug}-{n}", team=team) for n in range(count)]


def test_rates_per_team_count_active_employees_and_acknowledgements(alice, bob, dan, casey):
    policy = make_policy(versions=2)
    acknowledgement_record(user=alice, version=policy.versions.get(number=2))
    acknowledgement_record(user=bob, version=policy.versions.get(number=1))  # before the major change
    result = acknowledgement_rates_by_team()
    by_team = {rate.team.slug: (rate.members, rate.acknowledged, rate.percent) for rate in result["rates"]}
    assert by_team == {"engineering": (1, 1, 100), "sales": (1, 0, 0), "marketing": (1, 0, 0)}
    assert (result["total"].members, result["total"].acknowledged) == (3, 1)


@pytest.mark.parametrize("size", [2, 12])
def test_rates_take_two_queries_whatever_the_number_of_people(django_assert_num_queries, size):
    policy = make_policy()
    for name in ("Ops", "Legal", "Design"):
        for person in _employees(TeamFactory(name=name), size):
            acknowledgement_record(user=person, version=policy.versions.get())
    # 1. the current major policy version  2. employees grouped by team with an acknowledged count
    with django_assert_num_queries(2):
        result = acknowledgement_rates_by_team()
    assert result["total"].members == 3 * size
