import json

import pytest
from django.core.management import CommandError, call_command
from django.test import Client
from django.urls import reverse

from draws.models import Winner
from tests.factories import UserFactory

from .helpers import make_draw

pytestmark = pytest.mark.django_db


@pytest.fixture
def drawn(db):
    for i in range(5):
        UserFactory(username=f"entrant{i}")
    return make_draw(state="drawn")


def test_it_verifies_a_draw_from_the_database(drawn, capsys):
    call_command("verify_draw", str(drawn.pk))
    out = capsys.readouterr().out
    assert "Verification succeeded" in out and "[FAILED]" not in out


def test_it_fails_loudly_when_a_winner_was_changed(drawn, capsys):
    winner = Winner.objects.filter(draw=drawn).first()
    loser = drawn.entrants.exclude(wins__isnull=False).first()
    Winner.objects.filter(pk=winner.pk).update(entrant=loser)
    with pytest.raises(CommandError, match="FAILED"):
        call_command("verify_draw", str(drawn.pk))
    assert "[FAILED] The published winners are the recomputed winners" in capsys.readouterr().out


def test_it_verifies_offline_from_the_downloaded_files_alone(drawn, tmp_path, capsys):
    client = Client()
    client.force_login(UserFactory(username="checker"))
    list_path, record_path = tmp_path / "entrants.txt", tmp_path / "record.json"
    list_path.write_bytes(client.get(reverse("draws:download_list", args=[drawn.pk])).content)
    record_path.write_bytes(client.get(reverse("draws:download_record", args=[drawn.pk])).content)
    call_command("verify_draw", "--list", str(list_path), "--record", str(record_path))
    assert "Verification succeeded" in capsys.readouterr().out

    record = json.loads(record_path.read_text())
    record["public_randomness_value"] = "something else"
    record_path.write_text(json.dumps(record))
    with pytest.raises(CommandError, match="FAILED"):
        call_command("verify_draw", "--list", str(list_path), "--record", str(record_path))

    list_path.write_bytes(list_path.read_bytes().replace(b" 1\n", b" 2\n", 1))
    with pytest.raises(CommandError, match="FAILED"):
        call_command("verify_draw", "--list", str(list_path), "--record", str(record_path))


def test_it_explains_what_it_cannot_verify(tmp_path):
    with pytest.raises(CommandError, match="no draw 999"):
        call_command("verify_draw", "999")
    open_draw = make_draw(state="open")
    with pytest.raises(CommandError, match="not been drawn"):
        call_command("verify_draw", str(open_draw.pk))
    with pytest.raises(CommandError, match="Give a draw id"):
        call_command("verify_draw")
    with pytest.raises(CommandError, match="Cannot read"):
        call_command("verify_draw", "--list", str(tmp_path / "missing"), "--record", str(tmp_path / "missing"))
