# Production image: the same code for web (gunicorn), worker and beat.
FROM node:20-bookworm-slim AS assets
WORKDIR /src
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --no-audit --no-fund

FROM python:3.11-slim-bookworm
ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 PIP_NO_CACHE_DIR=1
WORKDIR /app
COPY pyproject.toml README.md ./
RUN pip install . && useradd --create-home --uid 1000 shop
COPY . .
COPY --from=assets /src/node_modules ./node_modules
# collectstatic needs production settings but no real secrets or services.
RUN DEBUG=0 SECRET_KEY=collectstatic-only-not-a-real-secret-0123456789abcdefghijklmnop \
    ALLOWED_HOSTS=localhost python manage.py collectstatic --no-input
USER shop
EXPOSE 8000
CMD ["gunicorn", "patientcrm.wsgi:application", "--bind", "0.0.0.0:8000", "--workers", "3", "--timeout", "30"]
