"""An employee's account on a network, connected once so we can read (and later post) as them.

Connecting is always optional: share intents stay the default and need none of this. The
tokens are stored encrypted (``connections.crypto``) and are read only through
``access_token``/``refresh_token``; they never appear in ``repr``, the admin, exports, the
API or logs.
"""

from datetime import datetime

from django.conf import settings
from django.db import models

from advocacy.networks import Network

from .crypto import token_decrypt


class ConnectedAccount(models.Model):
    person = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="connected_accounts")
    network = models.CharField(max_length=20, choices=Network.choices)
    # How the network names the account (@user@instance, a Bluesky handle, a Threads username).
    handle = models.CharField(max_length=255)
    # The network's own id for it (Mastodon account id, Bluesky DID, Threads user id).
    remote_account_id = models.CharField(max_length=255)
    # Where its API lives: the Mastodon instance or the Bluesky PDS; empty for single-host networks.
    instance_url = models.CharField(max_length=500, blank=True)
    scopes = models.CharField(max_length=500, blank=True, help_text="Space-separated, as the network granted them.")
    access_token_encrypted = models.TextField()
    refresh_token_encrypted = models.TextField(blank=True)
    # The OAuth client registered at a Mastodon instance (dynamic registration): revoking a token needs it.
    oauth_client_id = models.CharField(max_length=255, blank=True)
    oauth_client_secret_encrypted = models.TextField(blank=True)
    # When the connection lapses and the employee must connect again (the refresh token's end where
    # there is one, else the access token's); None: the network did not say (Mastodon tokens do not lapse).
    expires_at = models.DateTimeField(null=True, blank=True)
    # When the access token itself stops working and must be refreshed (Bluesky: about two hours);
    # None when it lasts as long as the connection.
    access_expires_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    # Why the network last refused the token (it was revoked there, it lapsed); cleared on reconnecting.
    last_error = models.CharField(max_length=500, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["person", "network"], name="connected_account_one_per_network"),
        ]
        ordering = ["network"]

    def __str__(self) -> str:
        return f"{self.get_network_display()} account {self.handle}"

    def __repr__(self) -> str:
        # The default repr lists no fields, but say so: nothing here may print a token.
        return f"<ConnectedAccount {self.pk} {self.network} {self.handle!r}>"

    @property
    def access_token(self) -> str:
        return token_decrypt(self.access_token_encrypted)

    @property
    def refresh_token(self) -> str:
        return token_decrypt(self.refresh_token_encrypted)

    @property
    def oauth_client_secret(self) -> str:
        return token_decrypt(self.oauth_client_secret_encrypted)

    def is_lapsed(self, now: datetime) -> bool:
        return self.expires_at is not None and self.expires_at <= now


class OAuthApp(models.Model):
    """The app we registered at a Mastodon instance (``POST /api/v1/apps``), reused for everyone on it.

    Mastodon has no central developer console: each instance issues its own client id and secret
    to whoever asks. One registration per instance and redirect URI (a changed SITE_URL needs a new
    one); registered again when we start asking for scopes it was not registered with.
    """

    instance_url = models.CharField(max_length=500)
    redirect_uri = models.CharField(max_length=500)
    client_id = models.CharField(max_length=255)
    client_secret_encrypted = models.TextField()
    scopes = models.CharField(max_length=500, help_text="Space-separated, as registered.")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["instance_url", "redirect_uri"], name="oauth_app_one_per_instance"),
        ]
        verbose_name = "OAuth app"

    def __str__(self) -> str:
        return f"OAuth app at {self.instance_url}"

    def __repr__(self) -> str:
        return f"<OAuthApp {self.pk} {self.instance_url!r}>"

    @property
    def client_secret(self) -> str:
        return token_decrypt(self.client_secret_encrypted)
