# One image per service: docker build --build-arg SERVICE=catalog -t fairmarket-catalog .
# The same image runs migrations: fairmarket migrate (the compose `migrate` service, the k8s Job).
FROM python:3.11-slim AS build
WORKDIR /src
COPY pyproject.toml README.md ./
COPY libs libs
COPY services services
COPY schemas schemas
RUN pip install --no-cache-dir --prefix=/install .

FROM python:3.11-slim
ARG SERVICE=catalog
ARG PORT=8000
ENV FAIRMARKET_SERVICE=${SERVICE} \
    FAIRMARKET_HOST=0.0.0.0 \
    FAIRMARKET_PORT=${PORT} \
    PYTHONUNBUFFERED=1 \
    PYTHONDONTWRITEBYTECODE=1
COPY --from=build /install /usr/local
RUN useradd --uid 10001 --no-create-home --shell /usr/sbin/nologin fairmarket
USER 10001
EXPOSE ${PORT}
HEALTHCHECK --interval=10s --timeout=3s --start-period=20s --retries=3 \
  CMD python -c "import os,urllib.request; urllib.request.urlopen(f'http://127.0.0.1:{os.environ[\"FAIRMARKET_PORT\"]}/healthz', timeout=2)"
CMD ["sh", "-c", "exec fairmarket service \"$FAIRMARKET_SERVICE\""]
