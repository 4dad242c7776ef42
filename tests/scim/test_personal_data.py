import pytest

from advocacy.people.models import ExternalIdentity, User
from advocacy.people.selectors import person_data_export
from advocacy.people.services import person_erase
from scim.models import ScimUser

pytestmark = pytest.mark.django_db


def test_the_download_has_the_scim_record_and_erasure_removes_it(scim, harper):
    doc = scim.create_user("ada@example.com", displayName="Ada", externalId="00u1")
    user = User.objects.get(email="ada@example.com")
    data = person_data_export(user=user)
    assert data["scim"]["user_name"] == "ada@example.com" and data["scim"]["external_id"] == "00u1"
    person_erase(user=user, actor=harper)
    assert not ScimUser.objects.filter(user=user).exists()
    assert not ExternalIdentity.objects.filter(subject=doc["id"]).exists()
    assert scim.get(f"Users/{doc['id']}").status_code == 404
    assert "ada@example.com" not in str(person_data_export(user=user))
