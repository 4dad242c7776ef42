import csv
import io
import json
from datetime import UTC, datetime

import pytest
from django.urls import reverse

from draws.models import Draw, Entrant, RulesVersion, Winner
from tests.factories import UserFactory

from .helpers import make_draw

pytestmark = pytest.mark.django_db


@pytest.fixture
def crowd(db):
    return [UserFactory(username=f"entrant{i}") for i in range(6)]


def test_hr_creates_a_draw_from_the_form_in_its_time_zone(client, harper):
    client.force_login(harper)
    response = client.post(
        reverse("draws:manage_create"),
        {
            "name": "Autumn draw",
            "prizes": "Headphones\n2 x Voucher",
            "time_zone": "Europe/Paris",
            "opens_at": "2030-10-01T09:00",
            "closes_at": "2030-10-31T18:00",
            "period_start": "2030-10-01",
            "period_end": "2030-10-31",
            "minimum_shares": "1",
            "require_policy_acknowledgement": "on",
            "excluded_roles": ["Comms admin", "HR"],
            "weighting": "per_share",
            "weight_cap": "5",
            "free_entry_enabled": "on",
            "max_prizes_per_person": "1",
            "public_randomness_source": "drand quicknet round 20000000",
            "rules_text": "Official rules.",
        },
    )
    draw = Draw.objects.get()
    assert response.status_code == 302 and response.url == reverse("draws:manage_detail", args=[draw.pk])
    assert [(p.description, p.quantity) for p in draw.prizes.all()] == [("Headphones", 1), ("Voucher", 2)]
    assert draw.opens_at.isoformat() == "2030-10-01T07:00:00+00:00"  # 09:00 in Paris (summer time)
    assert draw.period_end.isoformat() == "2030-10-31T23:00:00+00:00"  # end of the 31st in Paris
    assert (draw.weighting, draw.weight_cap, draw.free_entry_enabled) == ("per_share", 5, True)
    assert RulesVersion.objects.get(draw=draw).text == "Official rules."


def test_the_create_form_explains_bad_input_and_saves_nothing(client, harper):
    client.force_login(harper)
    response = client.post(
        reverse("draws:manage_create"),
        {"name": "", "prizes": "0 x Nothing", "time_zone": "Nowhere", "weighting": "points", "rules_text": ""},
    )
    assert response.status_code == 400
    errors = response.context["form"].errors
    assert {"name", "prizes", "time_zone", "opens_at", "rules_text"} <= set(errors)
    assert not Draw.objects.exists()


def test_hr_closes_freezes_draws_and_redraws_from_the_workspace(client, harper, crowd):
    client.force_login(harper)
    draw = make_draw(state="open")
    client.post(reverse("draws:manage_freeze", args=[draw.pk]))
    draw.refresh_from_db()
    assert draw.is_frozen
    page = client.get(reverse("draws:manage_detail", args=[draw.pk])).content.decode()
    assert draw.list_sha256 in page and draw.seed_sha256 in page and draw.seed_hex not in page
    client.post(reverse("draws:manage_run", args=[draw.pk]), {"public_value": ""})
    draw.refresh_from_db()
    assert draw.is_drawn and Winner.objects.filter(draw=draw).count() == 3
    winner = Winner.objects.get(draw=draw, slot=1)
    client.post(
        reverse("draws:manage_redraw", args=[draw.pk, winner.pk]), {"status": "ineligible", "reason": "Contractor"}
    )
    page = client.get(reverse("draws:manage_detail", args=[draw.pk])).content.decode()
    assert "Contractor" in page and draw.seed_hex in page


def test_a_redraw_without_a_reason_changes_nothing(client, harper, crowd):
    client.force_login(harper)
    draw = make_draw(state="drawn")
    winner = Winner.objects.get(draw=draw, slot=0)
    response = client.post(reverse("draws:manage_redraw", args=[draw.pk, winner.pk]), {"status": "declined"})
    assert response.status_code == 302
    assert Winner.objects.get(pk=winner.pk).is_current


def test_drawing_without_the_announced_public_value_is_a_form_error(client, harper, crowd):
    client.force_login(harper)
    draw = make_draw(state="frozen", public_randomness_source="drand round 5")
    response = client.post(reverse("draws:manage_run", args=[draw.pk]), {"public_value": ""})
    assert response.status_code == 400
    assert "drand round 5" in str(response.context["run_form"].errors)
    assert not Draw.objects.get(pk=draw.pk).is_drawn


def test_locked_rules_cannot_be_changed_from_the_workspace(client, harper):
    client.force_login(harper)
    draw = make_draw(state="open")
    client.post(reverse("draws:manage_rules", args=[draw.pk]), {"text": "Changed."})
    assert RulesVersion.objects.filter(draw=draw).count() == 1


def test_an_employee_sees_their_entrant_id_the_winners_and_a_successful_verification(client, alice, crowd):
    draw = make_draw(state="drawn")
    client.force_login(alice)
    mine = Entrant.objects.get(draw=draw, user=alice)
    page = client.get(reverse("draws:detail", args=[draw.pk])).content.decode()
    assert mine.entrant_id in page
    verify = client.get(reverse("draws:verify", args=[draw.pk]))
    assert verify.context["report"].ok
    assert "Verification succeeded" in verify.content.decode()
    assert mine.entrant_id in verify.content.decode()


def test_winners_who_hide_from_leaderboards_appear_under_a_pseudonym(client, alice, bob):
    bob.hide_from_leaderboards = True
    bob.save()
    draw = make_draw(state="drawn", excluded_roles=[])
    client.force_login(alice)
    page = client.get(reverse("draws:detail", args=[draw.pk])).content.decode()
    bob_id = Entrant.objects.get(draw=draw, user=bob).entrant_id
    assert "Bob Baker" not in page
    assert f"Anonymous advocate {bob_id[:8]}" in page
    assert "Alice Archer (you)" in page


def test_the_downloads_are_the_committed_list_and_a_record_that_reveals_the_seed_only_once_drawn(client, alice, crowd):
    client.force_login(alice)
    draw = make_draw(state="frozen")
    listing = client.get(reverse("draws:download_list", args=[draw.pk]))
    assert listing.content == draw.list_text.encode()
    assert json.loads(client.get(reverse("draws:download_record", args=[draw.pk])).content)["seed"] == ""
    open_draw = make_draw(state="open")
    assert client.get(reverse("draws:download_list", args=[open_draw.pk])).status_code == 404


def test_the_csv_export_lists_the_commitment_and_every_winner(client, harper, crowd):
    client.force_login(harper)
    draw = make_draw(state="drawn")
    response = client.get(reverse("draws:manage_export", args=[draw.pk]))
    rows = list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode())))
    assert ["#", "list_sha256", draw.list_sha256] in rows
    header = rows.index(["slot", "prize", "position", "entrant_id", "name", "email", "status", "reason", "removed_at"])
    assert len(rows[header + 1 :]) == 3


def test_a_free_entry_request_from_the_draw_page(client, alice):
    draw = make_draw(state="open", free_entry_enabled=True)
    client.force_login(alice)
    assert "Request a free entry" in client.get(reverse("draws:detail", args=[draw.pk])).content.decode()
    client.post(reverse("draws:free_entry", args=[draw.pk]))
    assert "Your free entry is recorded" in client.get(reverse("draws:detail", args=[draw.pk])).content.decode()


@pytest.mark.parametrize("draws", [1, 4])
def test_the_draw_list_costs_the_same_queries_however_many_draws(
    client, alice, crowd, draws, django_assert_num_queries
):
    for _ in range(draws):
        make_draw(state="drawn")
    client.force_login(alice)
    # session, user, user's and group permissions, draws, their prizes,
    # their current winners with people, the navigation's library badge
    # +1: the organisation's branding that every page's header reads (cached after the first page).
    with django_assert_num_queries(9):
        response = client.get(reverse("draws:list"))
    assert len(response.context["draws"]) == draws


@pytest.mark.parametrize("draws", [1, 4])
def test_the_hr_draw_list_costs_the_same_queries_however_many_draws(
    client, harper, crowd, draws, django_assert_num_queries
):
    for _ in range(draws):
        make_draw(state="drawn")
    client.force_login(harper)
    # session, user, user's and group permissions, draws, their prizes, the navigation's library badge
    # +1: the organisation's branding that every page's header reads (cached after the first page).
    with django_assert_num_queries(8):
        response = client.get(reverse("draws:manage_list"))
    assert len(response.context["draws"]) == draws


def test_datetime_helper_keeps_wall_clock_time():
    from zoneinfo import ZoneInfo

    from draws.forms import _in_zone

    assert _in_zone(datetime(2030, 1, 1, 9), ZoneInfo("Asia/Tokyo")).isoformat() == "2030-01-01T09:00:00+09:00"


def test_a_draw_nobody_entered_needs_a_second_explicit_confirmation(client, harper):
    client.force_login(harper)
    # Entrants must share at least once; nobody has.
    draw = make_draw(state="frozen", minimum_shares=1)
    assert draw.entrant_count == 0
    page = client.get(reverse("draws:manage_detail", args=[draw.pk])).content.decode()
    assert "Nobody entered this draw." in page and 'name="confirm_no_entrants"' in page
    assert "data-confirm=" in page

    response = client.post(reverse("draws:manage_run", args=[draw.pk]), {"public_value": ""})
    assert response.status_code == 400
    assert "0 entrants" in str(response.context["run_form"].errors["confirm_no_entrants"])
    assert not Draw.objects.get(pk=draw.pk).is_drawn

    client.post(reverse("draws:manage_run", args=[draw.pk]), {"public_value": "", "confirm_no_entrants": "on"})
    assert Draw.objects.get(pk=draw.pk).is_drawn


def test_a_draw_with_entrants_asks_no_second_confirmation(client, harper, crowd):
    client.force_login(harper)
    draw = make_draw(state="frozen")
    page = client.get(reverse("draws:manage_detail", args=[draw.pk])).content.decode()
    assert 'name="confirm_no_entrants"' not in page
    assert f"from {draw.entrant_count} entrants?" in page
    client.post(reverse("draws:manage_run", args=[draw.pk]), {"public_value": ""})
    assert Draw.objects.get(pk=draw.pk).is_drawn


def test_times_are_shown_in_the_draws_own_time_zone_and_named(client, alice, harper):

    draw = make_draw(
        state="upcoming",
        time_zone="Europe/Paris",
        opens_at=datetime(2030, 7, 1, 7, 0, tzinfo=UTC),
        closes_at=datetime(2030, 7, 31, 16, 0, tzinfo=UTC),
    )
    client.force_login(alice)
    page = client.get(reverse("draws:detail", args=[draw.pk])).content.decode()
    assert "1 Jul 2030, 09:00</time> – " in page and "31 Jul 2030, 18:00</time> Europe/Paris time" in page
    client.force_login(harper)
    assert "Europe/Paris time" in client.get(reverse("draws:manage_detail", args=[draw.pk])).content.decode()


def test_an_employee_sees_their_entries_so_far_in_an_open_draw(client, alice, bob):
    from sharing.models import Share
    from tests.sharing.conftest import make_post

    draw = make_draw(state="open", weighting="per_share", weight_cap=5, minimum_shares=2)
    post = make_post()
    Share.objects.create(user=alice, post=post, network="x", code="AliceX001", last_shared_at=datetime.now(tz=UTC))
    client.force_login(alice)
    box = _so_far(client, draw)
    assert "Not entered yet. Share 1 more post before entries close to enter." in box
    Share.objects.create(
        user=alice, post=post, network="linkedin", code="AliceL001", last_shared_at=datetime.now(tz=UTC)
    )
    assert "<strong>2 entries</strong> if entries closed now: 2 qualifying shares" in _so_far(client, draw)


def _so_far(client, draw) -> str:
    page = client.get(reverse("draws:detail", args=[draw.pk])).content.decode()
    return page.split('data-testid="entries-so-far"')[1].split("</section>")[0]


def test_the_exclusions_are_a_searchable_checkbox_list(client, harper, crowd):
    client.force_login(harper)
    page = client.get(reverse("draws:manage_create")).content.decode()
    assert 'class="filter-list"' in page and 'type="checkbox" name="excluded_people"' in page
    assert "js/filter_list.js" in page
    assert '<select name="excluded_people"' not in page
