# One image for Herald's app, API and workers (docker-compose.yml picks the command).
FROM python:3.11-slim
RUN apt-get update -qq && apt-get install -y -qq --no-install-recommends \
        git espeak-ng fonts-dejavu-core fonts-noto-core make \
    && rm -rf /var/lib/apt/lists/*
WORKDIR /herald
COPY requirements.txt .
RUN python -m venv .venv && .venv/bin/pip install --quiet -r requirements.txt && touch .venv/.installed
COPY . .
ENV PATH="/herald/.venv/bin:${PATH}" HF_HUB_OFFLINE=1 TRANSFORMERS_OFFLINE=1 TOKENIZERS_PARALLELISM=false \
    HERALD_DATA_DIR=/shared/data HERALD_LOG_DIR=/shared/logs
CMD ["python", "scripts/serve.py", "--server.address", "0.0.0.0"]
