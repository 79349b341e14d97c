FROM python:3.11-slim
ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1
WORKDIR /app
# WeasyPrint (the half-year report's PDF) draws text with Debian's pango; DejaVu is its font.
RUN apt-get update && apt-get install -y --no-install-recommends libpango-1.0-0 libpangoft2-1.0-0 \
        libharfbuzz-subset0 fonts-dejavu-core && rm -rf /var/lib/apt/lists/*
COPY pyproject.toml ./
COPY psi psi
COPY accounts accounts
COPY chain chain
COPY ingest ingest
COPY api api
COPY dashboard dashboard
COPY reports reports
COPY opendata opendata
COPY scenarios scenarios
RUN pip install --no-cache-dir .
COPY . .
# Collected as production serves them (DEBUG off: hashed names and their manifest). The step
# needs no secret or service; these values exist for it alone (tests/test_settings.py runs it).
RUN DEBUG=0 SECRET_KEY=collectstatic-only PSI_PSEUDONYM_KEY=collectstatic-only-not-a-secret-of-any-use \
    SITE_URL=http://collectstatic.invalid EMAIL_URL=console:// \
    DATABASE_URL=postgres://unused/unused REDIS_URL=redis://unused:6379/0 \
    python manage.py collectstatic --noinput
# The landing volume is mounted here: the workers move files into and out of it.
RUN useradd --create-home psi && mkdir -p /data/landing && chown psi /data/landing
USER psi
EXPOSE 8000
CMD ["gunicorn", "psi.wsgi:application", "--bind", "0.0.0.0:8000", "--workers", "2"]
