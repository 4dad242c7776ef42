import pytest
from cryptography.fernet import Fernet

FIRST_KEY = Fernet.generate_key().decode()
SECOND_KEY = Fernet.generate_key().decode()


@pytest.fixture(autouse=True)
def _keys(settings):
    settings.CONNECTED_ACCOUNT_KEYS = [FIRST_KEY]


def connect(person, *, network="threads", token="ACCESS-TOKEN-SECRET", **fields):
    from connections.services import connected_account_store

    defaults = {"handle": f"{person.username}.example", "remote_account_id": "17841400000000001"}
    return connected_account_store(person=person, network=network, access_token=token, **{**defaults, **fields})


MASTODON_HOST = "mastodon.example"


@pytest.fixture
def mastodon(settings):
    """A fake Mastodon instance, which the setting maps ``mastodon.example`` to (as an operator's proxy would)."""
    from tests.fakes.mastodon import FakeMastodon
    from tests.fakes.server import serving

    with serving() as api:
        settings.METRICS_MASTODON_INSTANCE_URLS = {MASTODON_HOST: api.url}
        settings.SITE_URL = "https://advocacy.example"
        yield FakeMastodon(api, host=MASTODON_HOST)


POSTING = ("profile", "write:statuses", "write:media", "read:statuses")


def mastodon_account(person, fake, *, scopes=POSTING):
    """Alice's account as if she had connected: a token the fake instance accepts, from an app it knows."""
    app = fake.apps.setdefault(
        "client-0",
        {"client_id": "client-0", "client_secret": "CLIENT-SECRET", "name": "Advocacy", "redirect_uris": []},
    )
    token = f"MASTODON-TOKEN-{len(fake.tokens)}"
    fake.tokens[token] = {"client_id": app["client_id"], "scope": list(scopes)}
    return connect(
        person,
        network="mastodon",
        handle=f"@{fake.username}@{fake.host}",
        remote_account_id=fake.account_id,
        token=token,
        instance_url=f"https://{fake.host}",
        scopes=scopes,
        oauth_client_id=app["client_id"],
        oauth_client_secret=app["client_secret"],
    )
