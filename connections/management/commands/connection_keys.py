from django.core.management.base import BaseCommand

from connections.crypto import key_generate


class Command(BaseCommand):
    help = "Print a new key for CONNECTED_ACCOUNT_KEYS (put it first to encrypt with it; keep the old keys after it)."

    def handle(self, *args, **options):
        self.stdout.write(key_generate())
