"""Hypothesis drives every form, on its own and through the page that saves it (issue 10, API and forms).

Each field gets values of its own type (choices, numbers, dates, URLs) mixed with hostile text:
NUL and other control characters, any non-surrogate unicode, strings far over every limit, and
hand-picked edge values (date.max, a 5,000-digit number, an unknown time zone...). The rules:

- form.is_valid() never raises; a refusal always comes with at least one message;
- posting the same data to the page, as the role that may use it, never gives a 5xx: the page
  either saves through its service (2xx/3xx) or answers 400 with the form's errors. The test
  client re-raises any exception, so a crash in a service fails the test too;
- PostgreSQL cannot store NUL, so no NUL reaches a saved row (checked after each run).

Uploads are the bad-input battery's business: file fields are left empty here.
BATTERY_FULL=1 raises the example count (see docs/battery-api-and-forms.md).
"""

import os
from datetime import date, datetime

import pytest
from django import forms
from django.urls import reverse
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from advocacy.people.forms import ProfileForm
from analytics.forms import DashboardFilterForm
from content_library import forms as library_forms
from draws import forms as draw_forms
from guidelines import forms as guideline_forms
from leaderboard import forms as leaderboard_forms
from sharing import forms as sharing_forms
from tests.content_library.factories import CampaignFactory, PostFactory
from tests.guidelines.factories import make_policy

FULL = os.environ.get("BATTERY_FULL") == "1"
FORM_EXAMPLES = 300 if FULL else 40
PAGE_EXAMPLES = 200 if FULL else 25

EDGE_TEXT = [
    "",
    " ",
    "\x00",
    "a\x00b",
    "\r\n\t\x0b\x0c\x1c\x1d\x1e\x85\u2028\u2029",
    "9" * 5000,
    "9" * 5000 + " x Conference ticket",
    "1001 x Mug",
    "0",
    "-1",
    "2147483648",
    "1e309",
    "NaN",
    "9999-12-31",
    "0001-01-01",
    "2026-02-30",
    "9999-12-31T23:59",
    "0001-01-01T00:00",
    "Europe/Paris",
    "Etc/GMT-14",
    "../../etc/passwd",
    "javascript:alert(1)",
    "https://example.com/\x00",
    "http://[::1",
    "@you@mastodon.social",
    "#employee #Launch",
    "<script>alert(1)</script>",
    "\ufeff\u200b\u202e",
]

hostile_text = st.one_of(
    st.text(st.characters(codec="utf-8"), max_size=60),  # any unicode a browser can send (no surrogates)
    st.text(st.characters(max_codepoint=0x9F, categories=["Cc"]), min_size=1, max_size=8),
    st.builds(lambda c, n: c * n, st.sampled_from(["a", "\x00", "9", "é", "#", "\n"]), st.integers(0, 110_000)),
    st.sampled_from(EDGE_TEXT),
)


def _choice_keys(field) -> list[str]:
    keys = []
    for key, _label in field.choices:
        if isinstance(key, (list, tuple)):
            continue
        keys.append(str(getattr(key, "value", key)))
    return keys


def _field_values(field) -> st.SearchStrategy:
    """Plausible values for the field's type, with hostile text mixed in."""
    if isinstance(field, forms.BooleanField):
        typed = st.sampled_from(["on", "", "false", "1"])
    elif isinstance(field, forms.ChoiceField | forms.ModelChoiceField):
        keys = _choice_keys(field) or [""]
        typed = st.sampled_from(keys)
    elif isinstance(field, forms.IntegerField):
        typed = st.integers(-(2**70), 2**70).map(str)
    elif isinstance(field, forms.DateTimeField):
        typed = st.datetimes(min_value=datetime(1, 1, 2), max_value=datetime(9999, 12, 30)).map(
            lambda d: d.strftime("%Y-%m-%dT%H:%M")
        )
    elif isinstance(field, forms.DateField):
        typed = st.dates(min_value=date(1, 1, 1), max_value=date(9999, 12, 31)).map(date.isoformat)
    elif isinstance(field, forms.URLField):
        typed = hostile_text.map(lambda text: f"https://example.com/{text}")
    else:
        typed = st.just("")
    values = st.one_of(typed, typed, hostile_text)
    if isinstance(field, forms.MultipleChoiceField | forms.ModelMultipleChoiceField):
        return st.lists(values, max_size=3)
    return values


# Valid submissions to start from: most examples change a few fields of one, so they get past the
# first refusal and reach the later checks and the service (the draw's overflow bugs hid there).
VALID_BASES = {
    "DrawForm": {
        "name": "Spring draw",
        "prizes": "2 x Conference ticket\nMug",
        "time_zone": "Europe/Paris",
        "opens_at": "2026-03-01T09:00",
        "closes_at": "2026-03-31T18:00",
        "period_start": "2026-03-01",
        "period_end": "2026-03-31",
        "minimum_shares": "1",
        "weighting": "per_share",
        "weight_cap": "10",
        "max_prizes_per_person": "1",
        "rules_text": "One entry per share.",
    },
    "PostForm": {
        "title": "We launched",
        "body": "Our new app is out.",
        "destination_url": "https://example.com/launch",
        "content_type": "company_news",
        "suggested_caption": "Proud of the team #employee",
        "caption_editable": "on",
        "target_everyone": "on",
    },
    "SuggestionForm": {"url": "https://example.com/story", "text": "A good story", "draft_caption": "Look"},
    "CampaignForm": {"name": "Autumn", "hashtag": "#autumn", "starts_on": "2026-09-01", "ends_on": "2026-09-30"},
    "ShareForm": {"network": "linkedin", "caption": "Proud of this #Launch #employee"},
    "DocumentCreateForm": {"title": "Brand guide", "kind": "brand", "position": "10", "body": "## Colours"},
    "VersionForm": {"body": "## New", "change_summary": "Clarified"},
    "BannedTermForm": {"term": "guaranteed", "reason": "We never promise returns.", "is_active": "on"},
    "ProfileForm": {"display_name": "Alice Archer", "digest_frequency": "weekly"},
}


def form_data(form_class, **form_kwargs) -> st.SearchStrategy:
    fields = form_class(**form_kwargs).fields
    changes = st.fixed_dictionaries(
        {},
        optional={
            name: _field_values(field) for name, field in fields.items() if not isinstance(field, forms.FileField)
        },
    )
    base = VALID_BASES.get(form_class.__name__)
    if base is None:
        return changes
    return st.one_of(changes, st.builds(lambda over: {**base, **over}, changes))


def _run_settings(examples):
    return settings(
        max_examples=examples,
        deadline=None,
        database=None,
        derandomize=not FULL,
        suppress_health_check=list(HealthCheck),
    )


def assert_no_nul_stored(*models):
    for model in models:
        for row in model.objects.all():
            for field in row._meta.concrete_fields:
                value = getattr(row, field.attname)
                assert not (isinstance(value, str) and "\x00" in value), f"NUL stored in {model.__name__}.{field.name}"


@pytest.fixture
def form_battery_world(alice, bob, casey, harper):
    campaign = CampaignFactory(name="Spring launch")
    post = PostFactory(slug="form-battery", campaign=campaign, created_by=casey)
    make_policy(author=harper)
    return {"campaign": campaign, "post": post}


# ---------------------------------------------------------------------------------------------
# Every form on its own: is_valid() never raises, and a refusal says why.

STANDALONE_FORMS = [
    library_forms.FeedFilterForm,
    library_forms.PostForm,
    library_forms.TransitionForm,
    library_forms.ScheduleForm,
    library_forms.SuggestionReviewForm,
    library_forms.SuggestionForm,
    library_forms.CampaignForm,
    library_forms.ImageAddForm,
    sharing_forms.ShareForm,
    sharing_forms.PublishedUrlForm,
    guideline_forms.DocumentCreateForm,
    guideline_forms.DocumentDetailsForm,
    guideline_forms.VersionForm,
    guideline_forms.ImageUploadForm,
    guideline_forms.BannedTermForm,
    guideline_forms.DisclosureForm,
    guideline_forms.ContactCardForm,
    guideline_forms.CaptionTryForm,
    draw_forms.DrawForm,
    draw_forms.RulesForm,
    draw_forms.DrawRunForm,
    draw_forms.RedrawForm,
    ProfileForm,
    leaderboard_forms.RulesForm,
    leaderboard_forms.VoidForm,
    leaderboard_forms.AdjustForm,
    leaderboard_forms.RecomputeForm,
    DashboardFilterForm,
]


@pytest.mark.django_db
@pytest.mark.parametrize(
    "form_class", STANDALONE_FORMS, ids=lambda form_class: form_class.__module__ + "." + form_class.__name__
)
def test_every_form_refuses_bad_input_with_messages_and_never_raises(form_class, alice, form_battery_world):
    kwargs = {"instance": alice} if form_class is ProfileForm else {}

    @_run_settings(FORM_EXAMPLES)
    @given(data=form_data(form_class, **kwargs))
    def run(data):
        form = form_class(data, **kwargs)
        if form.is_valid() or not form.is_bound:  # the dashboard treats an empty query as no filter at all
            return
        assert form.errors, f"{form_class.__name__} refused {data!r} without a message"
        for field_errors in form.errors.values():
            assert all(str(message).strip() for message in field_errors)
        if "\x00" in "".join(str(v) for v in data.values()):
            # NUL never survives validation into cleaned data (PostgreSQL would refuse to store it).
            assert "\x00" not in repr(form.cleaned_data)

    run()


# ---------------------------------------------------------------------------------------------
# Through the pages that save them: a 5xx or an exception in a service fails the test.


def _page_cases(world):
    post, campaign = world["post"], world["campaign"]
    return {
        "post": ("casey", reverse("content_library:comms_post_new"), library_forms.PostForm, {}),
        "campaign": ("casey", reverse("content_library:comms_campaigns"), library_forms.CampaignForm, {}),
        "suggestion": ("alice", reverse("content_library:suggestion_new"), library_forms.SuggestionForm, {}),
        "share": ("alice", reverse("sharing:share", kwargs={"slug": post.slug}), sharing_forms.ShareForm, {}),
        "guideline document": (
            "casey",
            reverse("guidelines:document_create"),
            guideline_forms.DocumentCreateForm,
            {},
        ),
        "banned term": ("casey", reverse("guidelines:rules"), guideline_forms.BannedTermForm, {"action": "add_term"}),
        "disclosures": (
            "casey",
            reverse("guidelines:rules"),
            guideline_forms.DisclosureForm,
            {"action": "disclosures"},
        ),
        "contact card": ("casey", reverse("guidelines:contact_card"), guideline_forms.ContactCardForm, {}),
        "draw": ("harper", reverse("draws:manage_create"), draw_forms.DrawForm, {}),
        "profile": ("alice", reverse("people:profile"), ProfileForm, {}),
        "_campaign_pk": campaign.pk,
    }


PAGE_FORMS = [
    "post",
    "campaign",
    "suggestion",
    "share",
    "guideline document",
    "banned term",
    "disclosures",
    "contact card",
    "draw",
    "profile",
]


@pytest.mark.django_db
@pytest.mark.parametrize("name", PAGE_FORMS)
def test_every_form_page_saves_or_explains_and_never_fails(request, settings, client, name, form_battery_world):
    from advocacy.people.models import User
    from content_library.models import Campaign, Post, Suggestion
    from draws.models import Draw
    from guidelines.models import BannedTerm, GuidelineDocument, GuidelineVersion, PortalSettings
    from sharing.models import Share

    settings.REDIS_URL = ""
    username, url, form_class, extra = _page_cases(form_battery_world)[name]
    user = request.getfixturevalue(username)
    client.force_login(user)
    kwargs = {"instance": user} if form_class is ProfileForm else {}
    statuses = []

    @_run_settings(PAGE_EXAMPLES)
    @given(data=form_data(form_class, **kwargs))
    def run(data):
        response = client.post(url, {**data, **extra})
        statuses.append(response.status_code)
        assert response.status_code < 500
        # Every POST binds the page's form (advocacy.forms.posted), even an empty one: a 400 always says why.
        if response.status_code == 400:
            contexts = response.context if isinstance(response.context, list) else [response.context]
            bound = [v for context in contexts for v in context.flatten().values() if isinstance(v, forms.BaseForm)]
            assert any(form.errors for form in bound), "a 400 without a single form error"

    run()
    assert_no_nul_stored(
        User, Campaign, Post, Suggestion, Draw, BannedTerm, GuidelineDocument, GuidelineVersion, PortalSettings, Share
    )
    assert statuses


# ---------------------------------------------------------------------------------------------
# The cases the fuzzer found, kept as plain regressions (each one used to raise).

DRAW_BASE = VALID_BASES["DrawForm"]


@pytest.mark.django_db
@pytest.mark.parametrize("name", PAGE_FORMS)
def test_an_empty_post_to_a_form_page_names_what_is_missing(request, settings, client, name, form_battery_world):
    settings.REDIS_URL = ""
    username, url, form_class, extra = _page_cases(form_battery_world)[name]
    client.force_login(request.getfixturevalue(username))
    response = client.post(url, extra)
    if response.status_code == 302:
        return  # a form whose every field is optional: nothing sent is a valid answer
    assert response.status_code == 400
    contexts = response.context if isinstance(response.context, list) else [response.context]
    bound = [v for context in contexts for v in context.flatten().values() if isinstance(v, forms.BaseForm)]
    assert any(form.is_bound and form.errors for form in bound), "an empty POST answered 400 without saying why"


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"period_start": "9999-12-30", "period_end": "9999-12-31"}, "period_end"),  # was OverflowError
        ({"prizes": "9" * 5000 + " x Conference ticket"}, "prizes"),  # was ValueError from int()
        ({"excluded_people": ["9" * 30]}, "excluded_people"),  # was OverflowError from the database
    ],
)
def test_the_draw_form_refuses_what_used_to_crash_it(change, field, harper):
    form = draw_forms.DrawForm({**DRAW_BASE, **change})
    assert not form.is_valid()
    assert form.errors[field]


@pytest.mark.django_db
def test_the_post_form_refuses_an_id_too_large_for_the_database(casey):
    form = library_forms.PostForm({**VALID_BASES["PostForm"], "target_teams": ["9" * 30], "topics": ["9" * 30]})
    assert not form.is_valid()
    assert form.errors["target_teams"] and form.errors["topics"]
