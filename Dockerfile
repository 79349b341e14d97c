FROM python:3.11-slim
ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1
WORKDIR /app
COPY pyproject.toml ./
COPY psi psi
COPY chain chain
COPY ingest ingest
COPY dashboard dashboard
RUN pip install --no-cache-dir .
COPY . .
RUN DEBUG=1 DATABASE_URL=postgres://unused/unused REDIS_URL=redis://unused:6379/0 \
    python manage.py collectstatic --noinput
RUN useradd --create-home psi
USER psi
EXPOSE 8000
CMD ["gunicorn", "psi.wsgi:application", "--bind", "0.0.0.0:8000", "--workers", "2"]
