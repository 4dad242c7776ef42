import json

import pytest

from scim.services import token_create

SCIM = "application/scim+json"
USER_SCHEMA = "urn:ietf:params:scim:schemas:core:2.0:User"
GROUP_SCHEMA = "urn:ietf:params:scim:schemas:core:2.0:Group"
ENTERPRISE = "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User"
PATCH_OP = "urn:ietf:params:scim:api:messages:2.0:PatchOp"


class Scim:
    """A SCIM client over Django's test client, with a bearer token made by the product's service."""

    def __init__(self, client, raw):
        self.client = client
        self.headers = {"HTTP_AUTHORIZATION": f"Bearer {raw}"}

    def _send(self, method, path, body=None, **extra):
        data = json.dumps(body) if body is not None else None
        kwargs = {"content_type": SCIM} if data is not None else {}
        response = getattr(self.client, method)(f"/scim/v2/{path}", data, **kwargs, **self.headers, **extra)
        response.doc = json.loads(response.content) if response.content else None
        return response

    def get(self, path, **extra):
        return self._send("get", path, **extra)

    def post(self, path, body):
        return self._send("post", path, body)

    def put(self, path, body):
        return self._send("put", path, body)

    def patch(self, path, *operations):
        return self._send("patch", path, {"schemas": [PATCH_OP], "Operations": list(operations)})

    def delete(self, path):
        return self._send("delete", path)

    def create_user(self, user_name="ada@example.com", **fields):
        body = {
            "schemas": [USER_SCHEMA],
            "userName": user_name,
            "emails": [{"value": fields.pop("email", user_name), "primary": True, "type": "work"}],
            "active": True,
            **fields,
        }
        response = self.post("Users", body)
        assert response.status_code == 201, response.doc
        return response.doc


@pytest.fixture
def scim_token(harper):
    return token_create(name="Entra ID", actor=harper)


@pytest.fixture
def scim(scim_token):
    from django.test import Client

    return Scim(Client(), scim_token[1])
