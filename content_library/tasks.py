from celery import shared_task

from .services import post_image_make_renditions, post_video_transcode


@shared_task(name="content_library.make_renditions", autoretry_for=(OSError,), retry_backoff=True, max_retries=3)
def make_renditions(image_id: int) -> None:
    """Network-sized copies of one post image; pages show the original until they exist."""
    post_image_make_renditions(image_id=image_id)


@shared_task(name="content_library.transcode_video", autoretry_for=(OSError,), retry_backoff=True, max_retries=3)
def transcode_video(video_id: int) -> None:
    """H.264/AAC MP4 of one post video; the page plays the remuxed upload meanwhile."""
    post_video_transcode(video_id=video_id)
