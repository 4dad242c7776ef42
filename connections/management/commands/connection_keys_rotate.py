from django.core.management.base import BaseCommand, CommandError

from connections.services import connected_accounts_reencrypt


class Command(BaseCommand):
    help = (
        "Re-encrypt every connected account's tokens with the first CONNECTED_ACCOUNT_KEYS key, "
        "so the older keys can then be removed. Safe to run again."
    )

    def handle(self, *args, **options):
        done, unreadable = connected_accounts_reencrypt()
        self.stdout.write(f"Re-encrypted the tokens of {done} connected account(s) with the first key.")
        if unreadable:
            ids = ", ".join(map(str, unreadable))
            raise CommandError(
                f"No configured key opens the tokens of account(s) {ids}: put back the key they were stored "
                "with (after the first) and run this again, or disconnect those accounts. The others are done."
            )
