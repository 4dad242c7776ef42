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
