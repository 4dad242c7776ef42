import pytest
from django.urls import reverse

pytestmark = pytest.mark.django_db


def _menu(client, user, path="/"):
    client.force_login(user)
    return client.get(path).context["nav_sections"]


def test_comms_see_few_top_level_entries_with_the_rest_in_dropdowns(client, casey):
    sections = _menu(client, casey)
    top_level = [entry.get("menu") or entry["label"] for section in sections for entry in section["entries"]]
    assert top_level == ["Home", "Library", "My sharing", "Rewards", "Guidelines", "Comms"]
    comms = next(section for section in sections if section["key"] == "comms")
    assert "Branding" in [item["label"] for item in comms["entries"][0]["items"]]


def test_the_dropdown_holding_the_open_page_is_marked_current(client, alice):
    sections = _menu(client, alice, reverse("leaderboard:my_points"))
    rewards = next(entry for entry in sections[0]["entries"] if entry.get("menu") == "Rewards")
    assert rewards["current"]
    assert [item["label"] for item in rewards["items"] if item["current"]] == ["My points"]


def test_the_header_has_a_menu_button_and_details_dropdowns(client, harper):
    client.force_login(harper)
    html = client.get("/").content.decode()
    assert 'class="button menu-button"' in html and 'aria-controls="site-nav"' in html
    assert html.count('<details class="nav-menu') == 3  # My sharing, Rewards, HR
