FROM python:3.11.14-slim-bookworm
ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1
# Hearth runs as its own user; its data folder exists in the image, owned by that user, so a
# fresh named volume mounted there starts out writable.
RUN useradd --system --uid 10001 --user-group --home-dir /var/lib/hearth --shell /usr/sbin/nologin hearth \
    && mkdir -p /var/lib/hearth \
    && chown hearth:hearth /var/lib/hearth
WORKDIR /app
COPY pyproject.toml README.md ./
COPY adapters adapters
COPY bots bots
COPY twins twins
COPY memory memory
COPY jobs jobs
COPY locales locales
RUN pip install --no-cache-dir .
ENV HEARTH_DATA_DIR=/var/lib/hearth HOME=/var/lib/hearth
USER hearth
VOLUME /var/lib/hearth
CMD ["hearth", "run"]
