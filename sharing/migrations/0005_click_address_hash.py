from django.db import migrations, models
from django.db.models import F


def relabel_double_counted(apps, schema_editor):
    """Clicks counted twice before the constraint existed (database fallback and Redis path each
    deduplicated only against themselves): the first stays human, later ones become duplicates
    and leave the share's total."""
    Click = apps.get_model("sharing", "Click")
    Share = apps.get_model("sharing", "Share")
    repeated = (
        Click.objects.filter(kind="human")
        .values("share_id", "visitor_hash")
        .annotate(n=models.Count("id"))
        .filter(n__gt=1)
    )
    for group in repeated.iterator():
        rows = list(
            Click.objects.filter(kind="human", share_id=group["share_id"], visitor_hash=group["visitor_hash"])
            .order_by("occurred_at", "pk")
            .values_list("pk", "tallied")
        )
        later = rows[1:]
        Click.objects.filter(pk__in=[pk for pk, _ in later]).update(kind="duplicate")
        counted = sum(1 for _, tallied in later if tallied)
        if counted:
            Share.objects.filter(pk=group["share_id"]).update(human_clicks=F("human_clicks") - counted)


class Migration(migrations.Migration):
    dependencies = [
        ("sharing", "0004_share_published_post_verification"),
    ]

    operations = [
        migrations.AddField(
            model_name="click",
            name="address_hash",
            field=models.CharField(blank=True, default="", max_length=64),
        ),
        migrations.AlterField(
            model_name="click",
            name="kind",
            field=models.CharField(
                choices=[
                    ("human", "Counted"),
                    ("duplicate", "Repeat within 24 hours"),
                    ("self", "The sharer's own"),
                    ("bot", "Bot or link preview"),
                    ("address", "Over the day's limit for one address"),
                ],
                max_length=10,
            ),
        ),
        migrations.AddIndex(
            model_name="click",
            index=models.Index(fields=["address_hash", "occurred_at"], name="click_address_time_idx"),
        ),
        migrations.AddIndex(
            model_name="click",
            index=models.Index(
                condition=models.Q(("kind", "human")), fields=["share", "address_hash"], name="click_address_idx"
            ),
        ),
        migrations.RunPython(relabel_double_counted, migrations.RunPython.noop, elidable=True),
    ]
