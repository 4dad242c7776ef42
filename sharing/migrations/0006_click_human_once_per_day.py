from django.db import migrations, models


class Migration(migrations.Migration):
    # Its own migration (so its own transaction): PostgreSQL will not build the index in the
    # transaction that relabelled rows, whose foreign-key checks are still pending there.
    dependencies = [
        ("sharing", "0005_click_address_hash"),
    ]

    operations = [
        migrations.AddConstraint(
            model_name="click",
            constraint=models.UniqueConstraint(
                condition=models.Q(("kind", "human")), fields=("share", "visitor_hash"), name="click_human_once_per_day"
            ),
        ),
    ]
