import pytest


@pytest.fixture
def run_tasks_eagerly(monkeypatch):
    """draws tasks queued on commit run in-process, as a worker would run them.

    Patches .delay on our tasks only, so Celery's global configuration (which
    other apps' tests read through Django settings) is left untouched.
    """
    from draws import tasks

    for task in (tasks.notify_winner, tasks.freeze_due_draws):
        monkeypatch.setattr(task, "delay", lambda *args, task=task, **kwargs: task.apply(args, kwargs).get())
