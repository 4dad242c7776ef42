"""Real identity providers for the SSO tests, started from tests/peers/ on loopback.

`oidc_peer(...)` starts node-oidc-provider (tests/peers/oidc_provider.mjs) with one client and
a few users and points the OIDC settings at it. Without `npm ci --prefix tests/peers` the tests
are skipped, unless REQUIRE_SERVICES=1 or REQUIRE_BROWSER=1 (CI), where that is a failure.
"""

import json
import os
import shutil
import subprocess
from pathlib import Path

import pytest
import requests

PEERS = Path(__file__).resolve().parents[1] / "peers"
REQUIRED = os.environ.get("REQUIRE_SERVICES") == "1" or os.environ.get("REQUIRE_BROWSER") == "1"

CLIENT_ID = "advocacy-test"
CLIENT_SECRET = "advocacy-test-secret-not-secret"
ISSUER_USERS = {
    "u-erin": {
        "password": "erin-pass",
        "email": "erin@example.com",
        "name": "Erin Example",
        "department": "Engineering",
        "groups": ["staff", "advocacy-comms"],
    },
    "u-hank": {"password": "hank-pass", "email": "hank@example.com", "name": "Hank", "department": "Sales"},
    "u-nomail": {"password": "nomail-pass", "name": "No Mail", "department": "Sales"},
}


def peers_missing(what: str):
    message = f"{what} is missing: run npm ci --prefix tests/peers"
    if REQUIRED:
        pytest.fail(f"REQUIRE_SERVICES/REQUIRE_BROWSER=1 but {message}", pytrace=False)
    pytest.skip(message)


def _node() -> str:
    node = shutil.which("node")
    if not node:
        peers_missing("Node.js (node)")
    return node


class Peer:
    def __init__(self, process, issuer):
        self.process = process
        self.issuer = issuer

    def control(self, path: str):
        response = requests.post(f"{self.issuer}{path}", timeout=5)
        response.raise_for_status()

    def stop(self):
        self.process.terminate()
        try:
            self.process.wait(timeout=5)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()


def start_node_peer(script: str, config: dict, tmp_path) -> tuple[subprocess.Popen, dict]:
    if not (PEERS / "node_modules").is_dir():
        peers_missing("tests/peers/node_modules")
    config_path = tmp_path / f"{script}.json"
    config_path.write_text(json.dumps(config))
    # What the peer says on stderr is kept beside its config, for when a test needs explaining.
    with open(tmp_path / f"{script}.log", "w") as log:
        process = subprocess.Popen(
            [_node(), str(PEERS / script), str(config_path)], cwd=PEERS, stdout=subprocess.PIPE, stderr=log, text=True
        )
    line = process.stdout.readline()
    try:
        return process, json.loads(line)
    except ValueError:
        process.kill()
        process.wait()
        pytest.fail(f"{script} did not start (said {line!r}); run npm ci --prefix tests/peers", pytrace=False)


@pytest.fixture
def oidc_peer(settings, tmp_path):
    """Start the OIDC provider for a site at `base_url` (default: the test client's) and configure us for it."""
    started = []

    def start(base_url="http://testserver", users=None):
        config = {
            "clients": [
                {
                    "client_id": CLIENT_ID,
                    "client_secret": CLIENT_SECRET,
                    "redirect_uris": [f"{base_url}/sso/oidc/callback/"],
                    "post_logout_redirect_uris": [f"{base_url}/accounts/login/"],
                }
            ],
            "users": users or ISSUER_USERS,
        }
        process, said = start_node_peer("oidc_provider.mjs", config, tmp_path)
        peer = Peer(process, said["issuer"])
        started.append(peer)
        settings.SITE_URL = base_url
        settings.OIDC_ENABLED = True
        settings.OIDC_ISSUER = peer.issuer
        settings.OIDC_CLIENT_ID = CLIENT_ID
        settings.OIDC_CLIENT_SECRET = CLIENT_SECRET
        settings.SSO_COMPANY_NAME = "Example Corp"
        settings.IDENTITY_ROLE_GROUPS = "Comms admin=advocacy-comms"
        return peer

    yield start
    for peer in started:
        peer.stop()


def _key_and_certificate(directory: Path, name: str) -> tuple[Path, Path]:
    import datetime

    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import rsa
    from cryptography.x509.oid import NameOID

    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    subject = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, f"{name}.example.test")])
    now = datetime.datetime.now(datetime.UTC)
    certificate = (
        x509.CertificateBuilder()
        .subject_name(subject)
        .issuer_name(subject)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(days=1))
        .not_valid_after(now + datetime.timedelta(days=30))
        .sign(key, hashes.SHA256())
    )
    key_path, cert_path = directory / f"{name}-key.pem", directory / f"{name}-cert.pem"
    key_path.write_bytes(
        key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())
    )
    cert_path.write_bytes(certificate.public_bytes(serialization.Encoding.PEM))
    return key_path, cert_path


@pytest.fixture
def saml_peer(settings, tmp_path):
    """Start the SAML IdP (tests/peers/saml_idp.mjs) for a site at `base_url` and configure us for it."""
    from sso.saml import sp_metadata_xml

    started = []

    def start(base_url="http://testserver", users=None):
        if not Path(settings.SAML_XMLSEC_BINARY).is_file():
            message = f"xmlsec1 is missing at {settings.SAML_XMLSEC_BINARY}: apt-get install xmlsec1"
            if REQUIRED:
                pytest.fail(f"REQUIRE_SERVICES/REQUIRE_BROWSER=1 but {message}", pytrace=False)
            pytest.skip(message)
        key, cert = _key_and_certificate(tmp_path, "idp")
        rogue_key, _ = _key_and_certificate(tmp_path, "rogue")
        sp_metadata = tmp_path / "sp-metadata.xml"
        config = {
            "key": str(key),
            "cert": str(cert),
            "rogue_key": str(rogue_key),
            "sp_metadata": str(sp_metadata),
            "users": users or ISSUER_USERS,
        }
        settings.SITE_URL = base_url
        settings.SAML_ENABLED = True
        settings.SAML_SP_ENTITY_ID = f"{base_url}/sso/saml/metadata/"
        settings.SSO_COMPANY_NAME = "Example Corp"
        settings.IDENTITY_ROLE_GROUPS = "Comms admin=advocacy-comms"
        # The IdP is given our metadata, as an administrator would upload it.
        sp_metadata.write_text(sp_metadata_xml())
        process, said = start_node_peer("saml_idp.mjs", config, tmp_path)
        peer = Peer(process, said["base"])
        started.append(peer)
        settings.SAML_IDP_METADATA = said["metadata"]
        return peer

    yield start
    for peer in started:
        peer.stop()
