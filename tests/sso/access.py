from tests.access import Route, expect

# With single sign-on not configured (the default) its pages do not exist for anyone;
# tests/sso/test_oidc.py and test_saml.py cover them with a real provider.
NOT_CONFIGURED = expect(anonymous=404, employee=404)

ROUTES = [
    Route("sso:oidc_login", NOT_CONFIGURED),
    Route("sso:oidc_callback", NOT_CONFIGURED, query="?code=x&state=y"),
    Route("sso:saml_metadata", NOT_CONFIGURED),
    Route("sso:saml_login", NOT_CONFIGURED),
    Route("sso:saml_acs", NOT_CONFIGURED, method="post", data=lambda cast: {"SAMLResponse": "eA=="}),
    Route("sso:saml_finish", NOT_CONFIGURED, query="?handoff=x"),
]
