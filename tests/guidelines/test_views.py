import pytest
from django.urls import reverse

from guidelines.models import Acknowledgement, BannedTerm, GuidelineDocument, PortalSettings
from guidelines.services import acknowledgement_record, guideline_document_create, portal_settings_update
from tests.content_library.factories import PostFactory

from .factories import make_brand_guide, make_policy

pytestmark = pytest.mark.django_db


def test_the_portal_shows_every_guideline_with_contents_and_the_contact_card(client, alice, policy):
    make_brand_guide()
    portal_settings_update(lead_name="Noor Haddad", lead_email="noor@example.com", lead_title="Advocacy lead")
    client.force_login(alice)
    response = client.get(reverse("guidelines:portal"))
    html = response.content.decode()
    assert response.status_code == 200
    assert 'href="#doc-social-media-policy"' in html and 'href="#sec-do"' in html
    assert "Brand style guide" in html and "Acme Cloud" in html
    assert "Noor Haddad" in html and 'href="mailto:noor@example.com"' in html
    assert reverse("guidelines:acknowledge") in html  # alice has not acknowledged yet


@pytest.mark.parametrize("extra", [0, 6])
def test_the_portal_query_count_does_not_grow_with_documents(client, alice, django_assert_num_queries, extra):
    make_policy()
    for n in range(extra):
        guideline_document_create(title=f"Guide {n}", kind="other", body=f"## Part {n}\n\ntext", created_by=None)
    client.force_login(alice)
    # session, user, user and group permissions (for the menu), current versions with their documents,
    # portal settings, the required major version, alice's acknowledgement, the menu's library badge
    # +1: the organisation's branding that every page's header reads (cached after the first page).
    with django_assert_num_queries(10):
        response = client.get(reverse("guidelines:portal"))
    assert response.status_code == 200


def test_searching_the_portal_lists_excerpts_escaped(client, alice, policy):
    client.force_login(alice)
    response = client.get(reverse("guidelines:portal"), {"q": "<b>numbers"})
    assert response.status_code == 200
    assert "0 guidelines mention “&lt;b&gt;numbers”" in response.content.decode()
    response = client.get(reverse("guidelines:portal"), {"q": "numbers"})
    assert "<mark>numbers</mark>" in response.content.decode()


def test_acknowledging_returns_to_the_next_page(client, alice, policy):
    client.force_login(alice)
    next_url = "/library/launch/"
    page = client.get(reverse("guidelines:acknowledge"), {"next": next_url})
    assert page.status_code == 200 and "I have read the policy" in page.content.decode()
    version = policy.versions.get()
    response = client.post(reverse("guidelines:acknowledge"), {"version": version.pk, "next": next_url})
    assert response.status_code == 302 and response["Location"] == next_url
    assert Acknowledgement.objects.filter(user=alice, version=version).exists()


@pytest.mark.parametrize("next_url", ["https://evil.example/", "//evil.example/", "javascript:alert(1)"])
def test_an_outside_next_is_ignored(client, alice, policy, next_url):
    client.force_login(alice)
    response = client.post(reverse("guidelines:acknowledge"), {"version": policy.versions.get().pk, "next": next_url})
    assert response["Location"] == reverse("guidelines:portal")
    assert "evil" not in client.get(reverse("guidelines:acknowledge"), {"next": next_url}).content.decode()


def test_a_new_major_version_shows_what_changed(client, alice):
    policy = make_policy(versions=2)
    acknowledgement_record(user=alice, version=policy.versions.get(number=1))
    client.force_login(alice)
    html = client.get(reverse("guidelines:acknowledge")).content.decode()
    assert "The policy changed since you acknowledged version 1" in html
    assert "Added topics to avoid." in html
    assert "diff-added" in html and "Topics to avoid" in html


def test_acknowledging_something_that_is_not_the_policy_is_refused_kindly(client, alice, policy):
    brand = make_brand_guide()
    client.force_login(alice)
    response = client.post(reverse("guidelines:acknowledge"), {"version": brand.versions.get().pk})
    assert response.status_code == 302
    assert not Acknowledgement.objects.exists()
    response = client.post(reverse("guidelines:acknowledge"), {"version": "nonsense"})
    assert response.status_code == 302 and not Acknowledgement.objects.exists()


def test_history_and_diff_pages(client, alice):
    policy = make_policy(versions=3)
    client.force_login(alice)
    html = client.get(reverse("guidelines:history", kwargs={"slug": policy.slug})).content.decode()
    assert "Version 3" in html and "Added topics to avoid." in html and "Major" in html
    diff = client.get(reverse("guidelines:diff", kwargs={"slug": policy.slug}), {"from": 1, "to": 2})
    assert diff.status_code == 200 and "Topics to avoid" in diff.content.decode()
    bad = client.get(reverse("guidelines:diff", kwargs={"slug": policy.slug}), {"from": "x", "to": 99})
    assert bad.status_code == 400 and "Pick two different versions" in bad.content.decode()
    old = client.get(reverse("guidelines:version", kwargs={"slug": policy.slug, "number": 1}))
    assert "This is an earlier version" in old.content.decode()
    missing = client.get(reverse("guidelines:version", kwargs={"slug": policy.slug, "number": 9}))
    assert missing.status_code == 404


def test_try_a_caption_without_javascript_keeps_the_text_and_lists_problems(client, alice, post, banned):
    client.force_login(alice)
    url = reverse("guidelines:try_caption", kwargs={"slug": post.slug})
    page = client.get(url)
    assert page.status_code == 200 and "data-caption-editor" in page.content.decode()
    typed = "My take <b>: guaranteed returns!"
    response = client.post(url, {"network": "x", "caption": typed})
    html = response.content.decode()
    assert "guaranteed returns” can’t be used" in html
    assert "My take &lt;b&gt;: guaranteed returns!</textarea>" in html


def test_try_a_caption_is_404_for_a_post_alice_cannot_see(client, alice, bob):
    post = PostFactory(target_teams=[bob.team])
    client.force_login(alice)
    assert client.get(reverse("guidelines:try_caption", kwargs={"slug": post.slug})).status_code == 404


# --- comms ---------------------------------------------------------------------------


def test_comms_write_a_document_and_publish_versions(client, casey):
    client.force_login(casey)
    preview = client.post(
        reverse("guidelines:document_create"),
        {"title": "Social media policy", "kind": "policy", "position": 1, "body": "# Hi\n<script>x</script>"},
        follow=False,
    )
    assert preview.status_code == 302  # no preview button: published
    document = GuidelineDocument.objects.get()
    edit = reverse("guidelines:document_edit", kwargs={"pk": document.pk})
    shown = client.post(
        edit, {"action": "preview", "body": "## New <img src=x onerror=alert(1)>", "change_summary": "x"}
    )
    preview_html = shown.content.decode().split("Preview (not published)")[1].split("</section>")[0]
    assert shown.status_code == 200 and "<h2" in preview_html and "onerror" not in preview_html
    refused = client.post(edit, {"action": "publish", "body": "# Hi\n<script>x</script>", "change_summary": "Same"})
    assert refused.status_code == 400 and "Nothing changed" in refused.content.decode()
    published = client.post(
        edit, {"action": "publish", "body": "# Hello", "change_summary": "Friendlier", "is_major": "on"}
    )
    assert published.status_code == 302
    assert list(document.versions.values_list("number", "is_major")) == [(2, True), (1, True)]


def test_comms_manage_banned_terms_and_disclosures(client, casey):
    client.force_login(casey)
    url = reverse("guidelines:rules")
    assert (
        client.post(
            url, {"action": "add_term", "term": "crypto", "reason": "Regulated.", "is_active": "on"}
        ).status_code
        == 302
    )
    again = client.post(url, {"action": "add_term", "term": "CRYPTO", "reason": "x", "is_active": "on"})
    assert again.status_code == 400 and "already on the list" in again.content.decode()
    term = BannedTerm.objects.get()
    edit = reverse("guidelines:banned_term_edit", kwargs={"pk": term.pk})
    assert client.post(edit, {"term": "crypto", "reason": "Regulated topic."}).status_code == 302
    term.refresh_from_db()
    assert (term.reason, term.is_active) == ("Regulated topic.", False)
    assert (
        client.post(url, {"action": "disclosures", "disclosure": "#staff", "reward_draw_disclosure": "#ad"}).status_code
        == 302
    )
    assert PortalSettings.objects.get().disclosure == "#staff"
    assert client.post(edit, {"action": "delete"}).status_code == 302
    assert not BannedTerm.objects.exists()


def test_comms_edit_the_contact_card(client, casey):
    client.force_login(casey)
    url = reverse("guidelines:contact_card")
    bad = client.post(url, {"lead_name": "Noor", "lead_email": "not-an-email"})
    assert bad.status_code == 400
    assert client.post(url, {"lead_name": "Noor", "lead_email": "noor@example.com"}).status_code == 302
    assert PortalSettings.objects.get().lead_email == "noor@example.com"


def test_comms_upload_an_image_for_guidelines(client, casey):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from tests.content_library.factories import image_bytes

    client.force_login(casey)
    upload = SimpleUploadedFile("logo.jpg", image_bytes(size=(80, 40)), content_type="image/jpeg")
    response = client.post(reverse("guidelines:images"), {"image": upload, "alt_text": "Logo"})
    assert response.status_code == 302
    page = client.get(reverse("guidelines:images")).content.decode()
    assert "![Logo](/media/guidelines/" in page


def test_hr_see_rates_and_send_reminders(client, harper, alice, bob, policy, django_capture_on_commit_callbacks):
    client.force_login(harper)
    page = client.get(reverse("guidelines:acknowledgement_rates"))
    assert page.status_code == 200 and "Engineering" in page.content.decode()
    with django_capture_on_commit_callbacks() as callbacks:
        response = client.post(reverse("guidelines:send_reminders"), {"team": alice.team_id}, follow=True)
    assert "1 reminder on the way in Engineering." in response.content.decode()
    assert len(callbacks) == 1
    response = client.post(reverse("guidelines:send_reminders"), {"team": "999999"}, follow=True)
    assert "That team does not exist." in response.content.decode()


def test_a_major_version_published_while_reading_asks_again_and_keeps_next(client, alice):
    policy = make_policy(versions=2)
    client.force_login(alice)
    response = client.post(
        reverse("guidelines:acknowledge"), {"version": policy.versions.get(number=1).pk, "next": "/library/"}
    )
    assert response["Location"] == reverse("guidelines:acknowledge") + "?next=%2Flibrary%2F"


def test_a_preview_needs_no_change_summary_but_publishing_does(client, casey):
    client.force_login(casey)
    document = make_policy()
    edit = reverse("guidelines:document_edit", kwargs={"pk": document.pk})
    shown = client.post(edit, {"action": "preview", "body": "## A new heading"})
    assert shown.status_code == 200
    preview_html = shown.content.decode().split("Preview (not published)")[1].split("</section>")[0]
    assert "A new heading</h2>" in preview_html
    assert "This field is required" not in shown.content.decode()
    published = client.post(edit, {"action": "publish", "body": "## A new heading"})
    assert published.status_code == 400 and "change_summary" in published.context["version_form"].errors


def test_the_live_preview_renders_like_publishing_for_comms_only(client, casey, alice):
    url = reverse("guidelines:markdown_preview")
    client.force_login(alice)
    assert client.post(url, {"body": "**x**"}).status_code == 403
    client.force_login(casey)
    html = client.post(url, {"body": "**bold** <img src=x onerror=alert(1)>"}).json()["html"]
    assert "<strong>bold</strong>" in html and "onerror" not in html
    assert client.post(url, {"body": "x" * 100_001}).status_code == 400


def test_the_policy_editor_warns_how_many_entrants_of_open_draws_a_major_version_takes_out(client, casey, alice, bob):
    from guidelines.selectors import policy_version_current
    from tests.draws.helpers import make_draw

    document = make_policy()
    for person in (alice, bob):
        acknowledgement_record(user=person, version=policy_version_current())
    make_draw(state="open", name="Spring draw", require_policy_acknowledgement=True)
    make_draw(state="open", name="No policy needed", require_policy_acknowledgement=False)
    client.force_login(casey)
    page = client.get(reverse("guidelines:document_edit", kwargs={"pk": document.pk})).content.decode()
    warning = page.split('id="major-version-draw-impact"')[1].split("</div>")[0]
    assert "makes 2 entrants of open draws ineligible" in warning
    assert "Spring draw: 2 entrants" in warning and "No policy needed" not in warning
    brand = make_brand_guide()
    other = client.get(reverse("guidelines:document_edit", kwargs={"pk": brand.pk})).content.decode()
    assert "major-version-draw-impact" not in other
