FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    DJANGO_SETTINGS_MODULE=advocacy.settings.production

WORKDIR /app
RUN useradd --create-home --uid 1000 advocacy
COPY requirements/ requirements/
RUN pip install --no-cache-dir -r requirements/base.txt
COPY . .
# collectstatic needs some SECRET_KEY and EMAIL_BACKEND to import production settings; neither is used at run time.
RUN SECRET_KEY=build-only-collectstatic-key-0123456789-abcdefghijklmnopqrstuvwxyz EMAIL_BACKEND=locmem \
    python manage.py collectstatic --noinput \
    && mkdir -p /data/media /data/var && chown -R advocacy /data
USER advocacy
EXPOSE 8000
# deploy/gunicorn.conf.py: bind 0.0.0.0:8000, WEB_CONCURRENCY workers, an access log without client addresses.
CMD ["gunicorn", "advocacy.wsgi:application", "--config", "deploy/gunicorn.conf.py"]
