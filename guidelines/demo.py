"""Demo guidelines: a social media policy in two versions, a brand guide with a logo image,
banned terms, the program lead's contact card, and acknowledgements for most employees.

The documented logins (employee, comms, hr) have acknowledged the current policy so they
can share straight away; a few generated employees only acknowledged version 1 (they see
what changed) and some never did (they show up in the acknowledgement rates).
"""

import io
from datetime import timedelta

from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from PIL import Image, ImageDraw

from advocacy.people.models import User
from advocacy.people.selectors import active_employees

from .models import Acknowledgement, BannedTerm, GuidelineDocument, PortalSettings
from .services import (
    banned_term_create,
    guideline_document_create,
    guideline_image_upload,
    guideline_version_create,
    portal_settings_update,
)

POLICY_V1 = """\
Sharing is always voluntary. These guidelines are here so you can share with confidence.

## Do

- **Be yourself.** Add a line on why a post matters to you; your words reach further than ours.
- **Say that you work here.** Every share carries **#employee** (our captions suggest it).
- **Share what is public.** Everything in the library is approved and public.
- **Be kind in replies.** Thank people, answer what you know, and pass the rest to us.

## Don't

- Share numbers, customers or plans that are not public yet.
- Promise results: no "guaranteed", no "risk-free".
- Speak for the company on topics you are not responsible for.

## Topics to avoid

- Politics and religion when you are speaking about work.
- Competitors: talk about what we do, not what they don't.

## FAQ

**Do I have to share?** No. Never. Nobody sees who did not share.

**Can I change the suggested caption?** Yes, please do, unless the post says the caption is locked.

**Someone replied with a complaint. What now?** Thank them, and send the link to the program lead.
"""

POLICY_V2 = POLICY_V1.replace(
    "## Topics to avoid\n",
    """## Reward draws

When a share enters a reward draw, the caption says so with **#ad** instead of #employee.
The draw is run openly; anyone can check the result.

## Topics to avoid
""",
).replace(
    "- Competitors: talk about what we do, not what they don't.\n",
    "- Competitors: talk about what we do, not what they don't.\n"
    "- Security incidents: point people to the status page, never guess.\n",
)

BRAND_GUIDE = """\
## Our name

Always **Acme Cloud**: two words, both capitalised. Never ACME, AcmeCloud or Acme-Cloud.

## Logo

{logo}

Use the logo on white or on our blue, with clear space around it as wide as the "A".
Never stretch it, recolour it or put it on a photo.

## Hashtags

| Use | For |
| --- | --- |
| #AcmeCloud | everything about the company |
| #LaunchWeek | the spring launch campaign |
| #JoinUs | job posts |

## Tone

Warm, plain and specific. Say what changed for customers, not how excited we are.
"""

BANNED_TERMS = [
    ("guaranteed returns", "We never promise financial results; it can be read as investment advice."),
    ("risk-free", "Nothing is risk-free; the claim is misleading and regulated in advertising."),
    ("best in the world", "Superlatives we cannot prove are misleading advertising."),
    ("confidential", "If something is confidential it must not be shared at all."),
    ("insider", "Avoid anything that sounds like inside information."),
]


def _logo_upload() -> SimpleUploadedFile:
    image = Image.new("RGB", (480, 160), (255, 255, 255))
    draw = ImageDraw.Draw(image)
    draw.rounded_rectangle((16, 24, 128, 136), radius=24, fill=(31, 95, 191))
    draw.polygon([(72, 44), (40, 116), (104, 116)], fill=(255, 255, 255))
    draw.text((150, 62), "Acme Cloud", fill=(29, 36, 51))
    buffer = io.BytesIO()
    image.save(buffer, "PNG")
    return SimpleUploadedFile("logo.png", buffer.getvalue(), content_type="image/png")


@transaction.atomic
def seed(*, rng, now, log) -> None:
    comms = User.objects.filter(username="comms").first()
    if not PortalSettings.objects.exists():
        portal_settings_update(
            lead_name="Noor Haddad",
            lead_title="Employee advocacy lead, Communications",
            lead_email="advocacy@example.com",
            lead_phone="+33 4 72 00 00 00",
            lead_note="Ask anything, any time: no question is too small.",
        )

    policy = GuidelineDocument.objects.filter(kind=GuidelineDocument.Kind.POLICY).first()
    if policy is None:
        policy = guideline_document_create(
            title="Social media policy",
            kind=GuidelineDocument.Kind.POLICY,
            summary="Do's and don'ts, topics to avoid, and answers to common questions.",
            position=10,
            body=POLICY_V1,
            change_summary="First version.",
            created_by=comms,
        )
        guideline_version_create(
            document=policy,
            body=POLICY_V2,
            change_summary="Added reward draws (#ad) and security incidents to the topics to avoid.",
            is_major=True,
            created_by=comms,
        )
        log("guidelines: social media policy, versions 1 and 2")

    if not GuidelineDocument.objects.filter(slug="brand-style-guide").exists():
        logo = guideline_image_upload(
            upload=_logo_upload(), alt_text="The Acme Cloud logo: a white A on a blue square", uploaded_by=comms
        )
        guideline_document_create(
            title="Brand style guide",
            kind=GuidelineDocument.Kind.BRAND,
            summary="How we write our name, use the logo, pick hashtags and sound like ourselves.",
            position=20,
            body=BRAND_GUIDE.format(logo=f"![{logo.alt_text}]({logo.image.url})"),
            created_by=comms,
        )
        log("guidelines: brand style guide with the logo")

    for term, reason in BANNED_TERMS:
        if not BannedTerm.objects.filter(term__iexact=term).exists():
            banned_term_create(term=term, reason=reason, created_by=comms)

    versions = {version.number: version for version in policy.versions.all()}
    current = versions[max(versions)]
    employees = list(active_employees().distinct().order_by("username"))
    existing = set(Acknowledgement.objects.filter(version__document=policy).values_list("user_id", flat=True))
    new = []
    for person in employees:
        # Draw for everyone, every run, so a second run makes the same choices and adds nothing.
        draw, days, minutes = rng.random(), rng.randint(0, 20), rng.randint(0, 600)
        if person.pk in existing:
            continue
        if person.username in ("employee", "comms", "hr"):
            chosen = current
        else:
            chosen = current if draw < 0.8 else versions[1] if draw < 0.9 else None
        if chosen is not None:
            new.append(
                Acknowledgement(
                    user=person, version=chosen, acknowledged_at=now - timedelta(days=days, minutes=minutes)
                )
            )
    Acknowledgement.objects.bulk_create(new, ignore_conflicts=True)
    if new:
        log(f"guidelines: {len(new)} policy acknowledgements")
