import random

from django.core.management.base import BaseCommand
from django.utils import timezone
from django.utils.module_loading import import_string

from advocacy.demo import SEEDERS


class Command(BaseCommand):
    help = "Create (or complete) the demo organisation. Safe to run again: nothing is duplicated."

    def add_arguments(self, parser):
        parser.add_argument("--if-empty", action="store_true", help="Do nothing if anybody exists already.")

    def handle(self, *args, if_empty=False, **options):
        from advocacy.people.models import User

        if if_empty and User.objects.exists():
            self.stdout.write("Database already has people; demo data not added.")
            return
        now = timezone.now()
        for dotted in SEEDERS:
            seeder = import_string(dotted)
            seeder(rng=random.Random(f"advocacy-demo:{dotted}"), now=now, log=self.stdout.write)
        self.stdout.write(self.style.SUCCESS("Demo organisation ready."))
