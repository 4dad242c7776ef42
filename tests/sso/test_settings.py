"""Single sign-on settings fail loudly on nonsense, and nothing changes when none is set."""

from django.conf import settings

from tests.advocacy.test_settings import _run_django


def test_by_default_sso_is_off_and_passwords_work_for_all():
    assert settings.OIDC_ENABLED is False and settings.SAML_ENABLED is False
    assert settings.LOCAL_LOGIN == "all"


def test_it_refuses_nonsense():
    cases = [
        ({"LOCAL_LOGIN": "sometimes"}, "LOCAL_LOGIN='sometimes' is unknown"),
        ({"LOCAL_LOGIN": "off"}, "needs single sign-on"),
        ({"OIDC_ISSUER": "http://idp.example.com"}, "must be an https:// URL"),
        ({"OIDC_ISSUER": "https://idp.example.com"}, "OIDC_CLIENT_ID and OIDC_CLIENT_SECRET are needed"),
        ({"OIDC_CLIENT_ID": "x"}, "OIDC_ISSUER is not"),
        ({"SAML_IDP_METADATA": "/nowhere/metadata.xml"}, "neither a URL nor a readable file"),
    ]
    for env, message in cases:
        result = _run_django(["check"], **env)
        assert result.returncode != 0, env
        assert message in result.stderr, (env, result.stderr[-500:])
