# Rasa replica: NLU + dialogue, REST channel on 5005. The model is trained into the image
# (same pinned versions and random seeds as `make train`), so an image = one model version.
# Build from the repository root:  docker build -f deploy/docker/rasa.Dockerfile -t gruendungslotse-rasa .
FROM python:3.10.13-slim-bookworm

ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 PIP_NO_CACHE_DIR=1 \
    RASA_TELEMETRY_ENABLED=false TF_CPP_MIN_LOG_LEVEL=2 SQLALCHEMY_SILENCE_UBER_WARNING=1 \
    TQDM_DISABLE=1 GL_HOST=0.0.0.0 GL_STATE_DIR=/app/var
WORKDIR /app

COPY pyproject.toml README.md ./
COPY requirements/ requirements/
COPY bot/ bot/
COPY actions/ actions/
RUN pip install --no-cache-dir "pip==24.0" \
 && pip install --no-cache-dir -c requirements/constraints.txt -e .

COPY config.yml domain.yml credentials.yml endpoints.yml endpoints.production.yml ./
COPY data/ data/
RUN python -m bot.nlp.build_pipeline \
 && python -m bot.cli verzeichnis \
 && python -m bot.train \
 && useradd --system --uid 10001 --home-dir /app lotse \
 && mkdir -p /app/var && chown lotse /app/var

USER 10001
EXPOSE 5005
HEALTHCHECK --interval=10s --timeout=5s --start-period=120s \
  CMD ["python", "-c", "import urllib.request; urllib.request.urlopen('http://127.0.0.1:5005/webhooks/rest/', timeout=4)"]
CMD ["python", "-m", "bot.cluster.container", "rasa"]
