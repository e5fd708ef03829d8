# Telegram bridge in webhook mode (port 8088 behind HAProxy's /telegram path).
# Needs only python-telegram-bot, httpx and aiohttp – not Rasa.
# Build from the repository root:  docker build -f deploy/docker/telegram.Dockerfile -t gruendungslotse-telegram .
FROM python:3.10.13-slim-bookworm

ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 PIP_NO_CACHE_DIR=1 \
    TELEGRAM_WEBHOOK_LISTEN=0.0.0.0 TELEGRAM_WEBHOOK_PORT=8088
WORKDIR /app

COPY pyproject.toml README.md ./
COPY requirements/ requirements/
RUN pip install --no-cache-dir "pip==24.0" \
 && pip install --no-cache-dir -c requirements/constraints.txt python-telegram-bot httpx aiohttp
COPY bot/ bot/
RUN pip install --no-cache-dir --no-deps -e . \
 && useradd --system --uid 10001 --home-dir /app lotse

USER 10001
EXPOSE 8088
HEALTHCHECK --interval=10s --timeout=5s --start-period=30s \
  CMD ["python", "-c", "import urllib.request; urllib.request.urlopen('http://127.0.0.1:8088/healthz', timeout=4)"]
CMD ["python", "-m", "bot.cluster.container", "telegram"]
