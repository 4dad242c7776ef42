"""Guideline documents, versions and rules for the guidelines tests (built through the services)."""

from guidelines.models import GuidelineDocument
from guidelines.services import banned_term_create, guideline_document_create, guideline_version_create
from tests.factories import UserFactory

POLICY_V1 = """## Do

- Share what you are proud of, in your own words.
- Say that you work here (#employee).

## Don't

- Share numbers before they are public.
"""

POLICY_V2 = (
    POLICY_V1
    + """
## Topics to avoid

- Anything about customers without their written permission.
"""
)


def make_policy(*, versions: int = 1, second_is_major: bool = True, author=None) -> GuidelineDocument:
    author = author or UserFactory(username="policy-author", roles=[])  # no role: not counted as an employee
    document = guideline_document_create(
        title="Social media policy", kind=GuidelineDocument.Kind.POLICY, body=POLICY_V1, created_by=author
    )
    if versions >= 2:
        guideline_version_create(
            document=document,
            body=POLICY_V2,
            change_summary="Added topics to avoid.",
            is_major=second_is_major,
            created_by=author,
        )
    for number in range(3, versions + 1):
        guideline_version_create(
            document=document,
            body=POLICY_V2 + f"\nRevision {number}.\n",
            change_summary=f"Revision {number}.",
            is_major=False,
            created_by=author,
        )
    return document


def make_brand_guide(*, author=None) -> GuidelineDocument:
    return guideline_document_create(
        title="Brand style guide",
        kind=GuidelineDocument.Kind.BRAND,
        body="## Our name\n\nAlways **Acme Cloud**, never ACME or AcmeCloud.\n\n## Tone\n\nWarm, plain, never salesy.",
        created_by=author or UserFactory(username="brand-author", roles=[]),
        position=20,
    )


def make_banned_term(term="guaranteed returns", reason="We never promise financial results.", author=None):
    return banned_term_create(term=term, reason=reason, created_by=author)
