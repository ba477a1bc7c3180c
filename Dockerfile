FROM python:3.11-slim-bookworm

ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 DJANGO_ENV=production
WORKDIR /app
# libpango and HarfBuzz for WeasyPrint (result PDFs); the PKCS#11 module of a USB token is mounted by the deployment.
RUN apt-get update && apt-get install -y --no-install-recommends libpq5 gettext libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0 \
 && rm -rf /var/lib/apt/lists/*
COPY requirements.txt .
RUN pip install --no-cache-dir -r requirements.txt
COPY . .
RUN SECRET_KEY=build-only ALLOWED_HOSTS=localhost CELERY_BROKER_URL=redis://redis:6379/0 \
    python manage.py collectstatic --noinput \
 && useradd --system --home /app motcua && mkdir -p /app/var/media && chown -R motcua /app/var
USER motcua
EXPOSE 8000
CMD ["gunicorn", "onestop.wsgi:application", "--config", "onestop/gunicorn.conf.py"]
