# Action server (rasa_sdk) on 5055 with the contact directory built into the image.
# Build from the repository root:  docker build -f deploy/docker/actions.Dockerfile -t gruendungslotse-actions .
FROM python:3.10.13-slim-bookworm

ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 PIP_NO_CACHE_DIR=1 \
    GL_HOST=0.0.0.0 GL_STATE_DIR=/app/var
WORKDIR /app

COPY pyproject.toml README.md ./
COPY requirements/ requirements/
COPY bot/ bot/
COPY actions/ actions/
RUN pip install --no-cache-dir "pip==24.0" \
 && pip install --no-cache-dir -c requirements/constraints.txt -e .

COPY data/ data/
RUN python -m bot.cli verzeichnis \
 && useradd --system --uid 10001 --home-dir /app lotse \
 && mkdir -p /app/var && chown lotse /app/var

USER 10001
EXPOSE 5055
HEALTHCHECK --interval=10s --timeout=5s --start-period=30s \
  CMD ["python", "-c", "import urllib.request; urllib.request.urlopen('http://127.0.0.1:5055/health', timeout=4)"]
CMD ["python", "-m", "bot.cluster.container", "actions"]
