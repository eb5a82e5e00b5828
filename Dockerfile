FROM python:3.11-slim
WORKDIR /app
COPY pyproject.toml README.md ./
COPY adapters adapters
COPY bots bots
COPY twins twins
COPY memory memory
COPY jobs jobs
COPY locales locales
RUN pip install --no-cache-dir .
USER nobody
CMD ["hearth", "run"]
