# ccdeck in a container: the dashboard built by Node, a wheel that carries it, a slim runtime without Node.
#
#   docker build -t ccdeck .
#   docker run --rm -p 127.0.0.1:8484:8484 -e CCDECK_TOKEN=... \
#     -v ~/.claude:/claude:ro -v ccdeck-data:/data ccdeck
#
# It serves on 0.0.0.0 inside the container, so every request needs the token (CCDECK_TOKEN, else one is
# generated and printed with the URL). Claude Code's config dir is read at /claude (mount it read-only); the
# database lives on the /data volume.

# 1. The dashboard: `npm run build` in frontend/ writes ../src/ccdeck/web/static (vite.config.ts).
FROM node:22-slim AS frontend
WORKDIR /build/frontend
COPY frontend/package.json frontend/package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY frontend/ ./
RUN npm run build

# 2. The wheel, with the built dashboard as a hatch artifact (pyproject.toml).
FROM python:3.11-slim AS wheel
WORKDIR /build
COPY pyproject.toml README.md LICENSE ./
COPY src/ src/
COPY --from=frontend /build/src/ccdeck/web/static/ src/ccdeck/web/static/
RUN pip wheel --no-cache-dir --no-deps --wheel-dir /dist . \
    && python -m zipfile -l /dist/ccdeck-*.whl | grep -q 'ccdeck/web/static/index.html'

# 3. The runtime: the wheel and its dependencies, run by an unprivileged user.
FROM python:3.11-slim
RUN useradd --system --uid 10001 --user-group --home-dir /data --no-create-home ccdeck \
    && mkdir -p /data /claude && chown ccdeck:ccdeck /data
COPY --from=wheel /dist/ /tmp/dist/
RUN pip install --no-cache-dir /tmp/dist/ccdeck-*.whl && rm -rf /tmp/dist
ENV CLAUDE_CONFIG_DIR=/claude \
    CCDECK_DB=/data/ccdeck.db \
    HOME=/data \
    PYTHONUNBUFFERED=1
USER ccdeck
WORKDIR /data
VOLUME ["/data"]
EXPOSE 8484
ENTRYPOINT ["ccdeck"]
CMD ["serve", "--host", "0.0.0.0", "--port", "8484", "--config-dir", "/claude"]
