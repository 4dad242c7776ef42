from django.core.management.base import BaseCommand

from advocacy.vapid import vapid_keys_generate


class Command(BaseCommand):
    help = "Print a new VAPID key pair for web push, as environment variables."

    def handle(self, *args, **options):
        public_key, private_key = vapid_keys_generate()
        self.stdout.write(f"VAPID_PUBLIC_KEY={public_key}")
        self.stdout.write(f"VAPID_PRIVATE_KEY={private_key}")
        self.stdout.write("# and a contact for the push services, e.g. VAPID_SUBJECT=mailto:it@example.com")
