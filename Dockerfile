# The cloud services (API, ingest workers, jobs) in one image; docker-compose.yml picks the
# command. Dependencies are installed from the exact pins in constraints.txt.
FROM python:3.11-slim-bookworm

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1

RUN useradd --create-home --uid 10001 medmind
WORKDIR /app

# Dependencies first, so code changes do not reinstall them.
COPY pyproject.toml constraints.txt README.md ./
RUN mkdir -p shared cloud && touch shared/__init__.py cloud/__init__.py \
    && pip install -c constraints.txt ".[cloud]" \
    && pip uninstall -y medmind

COPY shared ./shared
COPY cloud ./cloud
RUN pip install --no-deps -c constraints.txt . && rm -rf build

USER medmind
EXPOSE 8000
CMD ["medmind", "cloud", "serve", "--host", "0.0.0.0", "--port", "8000"]
