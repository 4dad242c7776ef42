"""SAML 2.0 sign-in against a real IdP (samlify on loopback), and the assertions it must refuse."""

import base64
import logging
import re

import pytest

from advocacy.people.models import ExternalIdentity, User
from advocacy.people.roles import Role
from advocacy.people.selectors import user_roles

from .provider_browsing import through_saml_login

pytestmark = pytest.mark.django_db


def _start(client):
    response = client.get("/sso/saml/login/?next=/library/")
    assert response.status_code == 302, response.content[:500]
    return response["Location"]


def _answer(client, login="u-erin", password="erin-pass"):
    return through_saml_login(_start(client), login=login, password=password)


def _post(client, fields):
    response = client.post("/sso/saml/acs/", fields)
    if response.status_code == 303:
        return client.get(response["Location"])
    return response


def _tamper(fields, old: bytes, new: bytes):
    xml = base64.b64decode(fields["SAMLResponse"])
    assert old in xml
    return {**fields, "SAMLResponse": base64.b64encode(xml.replace(old, new)).decode()}


def test_the_metadata_is_served_at_a_stable_url(client, saml_peer):
    saml_peer()
    response = client.get("/sso/saml/metadata/")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/samlmetadata+xml"
    text = response.content.decode()
    assert 'entityID="http://testserver/sso/saml/metadata/"' in text
    assert 'Location="http://testserver/sso/saml/acs/"' in text
    assert 'WantAssertionsSigned="true"' in text


def test_it_creates_the_person_just_in_time_from_a_signed_assertion(client, saml_peer):
    peer = saml_peer()
    response = _post(client, _answer(client))
    assert response.status_code == 302 and response["Location"] == "/library/"
    erin = User.objects.get(email="erin@example.com")
    assert erin.display_name == "Erin Example" and erin.team.name == "Engineering"
    assert Role.COMMS_ADMIN.value in user_roles(user=erin)
    identity = ExternalIdentity.objects.get(user=erin)
    assert (identity.source, identity.subject) == (f"saml:{peer.issuer}/metadata", "u-erin")
    assert client.get("/profile/").status_code == 200


def test_metadata_from_a_file_works_too(client, saml_peer, settings, tmp_path):
    import requests

    saml_peer()
    path = tmp_path / "idp-metadata.xml"
    path.write_text(requests.get(settings.SAML_IDP_METADATA, timeout=5).text)
    settings.SAML_IDP_METADATA = str(path)
    assert _post(client, _answer(client)).status_code == 302


def test_a_tampered_assertion_is_refused(client, saml_peer, caplog):
    saml_peer()
    forged = _tamper(_answer(client), b"erin@example.com", b"root@example.com")
    with caplog.at_level(logging.INFO):
        response = _post(client, forged)
    assert response.status_code == 400
    assert b"not signed by the identity provider this site trusts" in response.content
    assert not User.objects.exists()
    assert "root@example.com" not in caplog.text and "erin@example.com" not in caplog.text
    assert "reason=signature SignatureError" in caplog.text


def test_an_unsigned_assertion_is_refused(client, saml_peer, caplog):
    saml_peer()
    fields = _answer(client)
    xml = base64.b64decode(fields["SAMLResponse"]).decode()
    unsigned = re.sub(r"<ds:Signature.*?</ds:Signature>", "", xml, flags=re.S)
    assert unsigned != xml
    response = _post(client, {**fields, "SAMLResponse": base64.b64encode(unsigned.encode()).decode()})
    assert response.status_code == 400
    assert b"not signed" in response.content
    assert not User.objects.exists()
    assert "reason=signature SignatureError" in caplog.text


def test_an_assertion_signed_with_another_key_is_refused(client, saml_peer, caplog):
    peer = saml_peer()
    peer.control("/_test/signing/rogue")
    response = _post(client, _answer(client))
    assert response.status_code == 400
    assert b"not signed by the identity provider this site trusts" in response.content
    assert "reason=signature SignatureError" in caplog.text


def test_the_same_assertion_twice_is_refused(client, saml_peer):
    saml_peer()
    fields = _answer(client)
    assert _post(client, fields).status_code == 302
    client.logout()
    again = _post(client, fields)
    assert again.status_code == 400
    assert b"already used" in again.content


def test_an_answer_finished_in_another_browser_is_refused(client, saml_peer, django_user_model):
    from django.test import Client

    saml_peer()
    response = client.post("/sso/saml/acs/", _answer(client))
    assert response.status_code == 303
    other = Client()
    refused = other.get(response["Location"])
    assert refused.status_code == 400
    assert b"started in another browser" in refused.content
    assert "_auth_user_id" not in other.session


@pytest.mark.parametrize("offset", [-600, 600])
def test_an_idp_clock_off_by_more_than_the_leeway_is_refused(client, saml_peer, offset):
    peer = saml_peer()
    peer.control(f"/_test/clock/{offset}")
    response = _post(client, _answer(client))
    assert response.status_code == 400
    assert b"clock and the provider" in response.content


def test_a_small_clock_difference_is_tolerated(client, saml_peer):
    peer = saml_peer()
    peer.control("/_test/clock/30")
    assert _post(client, _answer(client)).status_code == 302


def test_a_missing_email_attribute_is_a_clear_refusal(client, saml_peer):
    saml_peer()
    response = _post(client, _answer(client, login="u-nomail", password="nomail-pass"))
    assert response.status_code == 403
    assert b"did not send an email address" in response.content


def test_an_account_the_idp_disabled_is_refused(client, saml_peer):
    peer = saml_peer()
    peer.control("/_test/users/u-hank/disable")
    response = _post(client, _answer(client, login="u-hank", password="hank-pass"))
    assert response.status_code == 403
    assert b"refused to sign you in" in response.content


def test_an_unsolicited_or_garbled_answer_is_refused(client, saml_peer):
    saml_peer()
    assert _post(client, {"SAMLResponse": "not base64 !!"}).status_code == 400
    assert _post(client, {"SAMLResponse": base64.b64encode(b"<x/>").decode()}).status_code == 400
    assert _post(client, {}).status_code == 400


def test_with_saml_off_its_pages_are_not_there(client):
    for url in ("/sso/saml/metadata/", "/sso/saml/login/", "/sso/saml/finish/"):
        assert client.get(url).status_code == 404
    assert client.post("/sso/saml/acs/", {"SAMLResponse": "x"}).status_code == 404
