import json
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from draws import engine
from draws.models import Draw
from draws.selectors import draw_record, draw_verification


class Command(BaseCommand):
    help = (
        "Recompute a reward draw and check it against what it published: from the database (verify_draw <id>) "
        "or from the downloaded files alone (verify_draw --list entrants.txt --record record.json)."
    )

    def add_arguments(self, parser):
        parser.add_argument("draw_id", nargs="?", type=int)
        parser.add_argument("--list", dest="list_path", help="the downloaded frozen entrant list")
        parser.add_argument("--record", dest="record_path", help="the downloaded draw record (JSON)")

    def handle(self, *args, draw_id=None, list_path=None, record_path=None, **options):
        if draw_id is not None:
            draw = Draw.objects.filter(pk=draw_id).first()
            if draw is None:
                raise CommandError(f"There is no draw {draw_id}.")
            if not draw.is_drawn:
                raise CommandError(f"Draw {draw_id} has not been drawn yet; there is nothing to verify.")
            record = draw_record(draw=draw)
            report = draw_verification(draw=draw)
        elif list_path and record_path:
            try:
                list_bytes = Path(list_path).read_bytes()
                record = json.loads(Path(record_path).read_text())
                report = engine.verify(
                    draw_id=record["draw_id"],
                    list_bytes=list_bytes,
                    list_sha256=record["list_sha256"],
                    seed=bytes.fromhex(record["seed"]),
                    seed_sha256=record["seed_sha256"],
                    public_value=record["public_randomness_value"],
                    mix=record["mix"],
                    prize_count=record["prize_count"],
                    lanes=record["max_prizes_per_person"],
                    removals=record["removals"],
                    winners=record["winners"],
                )
            except (OSError, ValueError, KeyError, TypeError) as error:
                raise CommandError(f"Cannot read the files: {error}") from error
        else:
            raise CommandError("Give a draw id, or both --list and --record.")
        self.stdout.write(f"Draw {record['draw_id']}: {record.get('name', '')}")
        for check in report.checks:
            self.stdout.write(f"  [{'ok' if check.ok else 'FAILED'}] {check.name}")
            if not check.ok:
                self.stdout.write(f"         {check.detail}")
        if not report.ok:
            raise CommandError("Verification FAILED.")
        self.stdout.write(self.style.SUCCESS(f"Verification succeeded; winners: {', '.join(map(str, report.winners))}"))
