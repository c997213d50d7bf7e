# syntax=docker/dockerfile:1
#
# The one image for every Python process of DTS. docker-compose.yml runs it with different
# commands (all binding to DTS_BIND, default 0.0.0.0:8000):
#   gunicorn -c gunicorn.conf.py 'buy_service.app:create_app()'    (also sell_service, user_service,
#                                                                   quote_server)
#   python -m dts.watcher                                           (the trigger watcher)
# The services and their core are installed as the `dts` package (pyproject.toml), built into a
# wheel by the first stage.
# No secret is baked in: DTS_SECRET_KEY and DTS_OPERATOR_TOKEN come from the environment at run
# time (see .env.example). Healthchecks are set per service in docker-compose.yml, since each
# service answers on its own path.
#
# Python 3.11 on Debian 12, as on the development machines. For a fully reproducible production
# build, pin the base by digest as well (python:3.11-slim-bookworm@sha256:...).
FROM python:3.11-slim-bookworm AS package

# Only the code the services run, and the project file that names it.
WORKDIR /src
COPY pyproject.toml requirements.txt ./
COPY dts/ ./dts/
COPY buy_service/ ./buy_service/
COPY sell_service/ ./sell_service/
COPY user_service/ ./user_service/
COPY quote_server/ ./quote_server/
RUN pip wheel --no-cache-dir --no-deps --wheel-dir /wheel .

FROM python:3.11-slim-bookworm

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    PIP_ROOT_USER_ACTION=ignore

WORKDIR /app

# Dependencies first, so that a code change does not reinstall them. Every version, transitive
# ones included, is pinned by constraints.txt; all of them ship wheels, so no compiler is needed.
COPY requirements.txt constraints.txt ./
RUN pip install --no-cache-dir -r requirements.txt -c constraints.txt

# An unprivileged user with a fixed id (for runAsNonRoot-style policies and volume ownership),
# and the one directory it may write to: the DUMPLOG output, a named volume in compose.
RUN groupadd --system --gid 10001 dts \
    && useradd --system --uid 10001 --gid dts --no-create-home --home-dir /nonexistent \
       --shell /usr/sbin/nologin dts \
    && mkdir -p /var/lib/dts/logs \
    && chown dts:dts /var/lib/dts/logs

# The code, installed from the first stage's wheel without dependencies (the pinned ones are
# above). It stays owned by root: the service user can read it, not change it. pip compiles its
# bytecode here, since the running user cannot write it.
COPY gunicorn.conf.py ./
RUN --mount=type=bind,from=package,source=/wheel,target=/wheel \
    pip install --no-cache-dir --no-deps /wheel/*.whl

ENV DTS_BIND=0.0.0.0:8000 \
    DTS_LOG_DIR=/var/lib/dts/logs

USER 10001:10001
EXPOSE 8000

# A default so that `docker run` of the bare image does something useful; compose sets the
# command of every service explicitly.
CMD ["gunicorn", "-c", "gunicorn.conf.py", "buy_service.app:create_app()"]
