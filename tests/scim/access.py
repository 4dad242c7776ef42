from scim.services import token_create
from tests.access import HR_PAGE, Route, expect

# SCIM answers to bearer tokens only: a browser session, even HR's, gets 401 (tests/scim/test_api.py
# covers what a token gets).
TOKEN_ONLY = expect(anonymous=401, employee=401)


def _token(cast):
    token, _ = token_create(name="Okta", actor=cast["hr"])
    return {"token_id": token.pk}


ROUTES = [
    *(
        Route(f"scim:{name}", TOKEN_ONLY)
        for name in (
            "root",
            "users",
            "groups",
            "me",
            "service-provider-config",
            "resource-types",
            "schemas",
            "bulk",
            "unknown",
        )
    ),
    Route("scim:search", TOKEN_ONLY, method="post", data=lambda cast: {}, content_type="application/scim+json"),
    Route("scim:users-search", TOKEN_ONLY, method="post", data=lambda cast: {}, content_type="application/scim+json"),
    Route("scim:groups-search", TOKEN_ONLY, method="post", data=lambda cast: {}, content_type="application/scim+json"),
    Route("scim:users", TOKEN_ONLY, method="post", data=lambda cast: {}, content_type="application/scim+json"),
    Route("scim_tokens:list", HR_PAGE),
    Route("scim_tokens:list", expect(employee=403, hr=201), method="post", data=lambda cast: {"name": "Okta"}),
    Route("scim_tokens:list", expect(employee=403, hr=400), method="post", data=lambda cast: {}),
    Route("scim_tokens:revoke", expect(employee=403, hr=302), method="post", kwargs=_token, data=lambda cast: {}),
]
