# Website widget (JS/CSS) and demo page: Python's standard library only, port 8080.
# Build from the repository root:  docker build -f deploy/docker/widget.Dockerfile -t gruendungslotse-widget .
FROM python:3.10.13-slim-bookworm

ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 PIP_NO_CACHE_DIR=1 \
    GL_HOST=0.0.0.0 GL_STATE_DIR=/tmp/gl
WORKDIR /app

COPY pyproject.toml README.md ./
COPY bot/ bot/
RUN pip install --no-cache-dir "pip==24.0" \
 && pip install --no-cache-dir --no-deps -e . \
 && useradd --system --uid 10001 --home-dir /app lotse

USER 10001
EXPOSE 8080
HEALTHCHECK --interval=10s --timeout=5s \
  CMD ["python", "-c", "import urllib.request; urllib.request.urlopen('http://127.0.0.1:8080/healthz', timeout=4)"]
CMD ["python", "-m", "bot.cluster.container", "widget"]
