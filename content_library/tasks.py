from celery import shared_task

from .services import post_image_make_renditions


@shared_task(name="content_library.make_renditions", autoretry_for=(OSError,), retry_backoff=True, max_retries=3)
def make_renditions(image_id: int) -> None:
    """Network-sized copies of one post image; pages show the original until they exist."""
    post_image_make_renditions(image_id=image_id)
