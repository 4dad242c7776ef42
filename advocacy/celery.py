"""The Celery application: reads CELERY_* from Django settings and finds each app's tasks.py.

Workers here run without gossip and mingle (and settings turn remote control off) because
those keep fanout queues on the worker's channels: when Redis restarts, closing such a channel
fails halfway on the dead socket, the connection drops its transport, and the next close
(the one that restores the unacknowledged message) finds no transport and kills the worker
with ``AttributeError: 'NoneType' object has no attribute 'hostname'`` (kombu 5.7's Redis
transport; reproduced by tests/batteries/test_faults_worker_broker_restart.py). Nothing in this
project uses worker-to-worker events or ``celery inspect``/``control``.
"""

import os

from celery import Celery
from celery.apps.worker import Worker as CeleryWorker
from kombu.utils.objects import cached_property

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "advocacy.settings.base")


class BrokerRestartSafeWorker(CeleryWorker):
    """`celery worker` with gossip and mingle always off, whatever the command line says."""

    def __init__(self, *args, **kwargs):
        kwargs.update(without_gossip=True, without_mingle=True)
        super().__init__(*args, **kwargs)


class AdvocacyCelery(Celery):
    @cached_property
    def Worker(self):  # Celery's own name for the worker class
        return self.subclass_with_self("advocacy.celery:BrokerRestartSafeWorker")


app = AdvocacyCelery("advocacy")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
