#!/usr/bin/env bash
# `make serve`: the site as production runs it (gunicorn, cop_kb.settings.prod), on this machine over plain HTTP.
#
# Migrates and collects static files first, then execs gunicorn with cop_kb/gunicorn.conf.py: HOST (127.0.0.1)
# and PORT (8000), WEB_CONCURRENCY workers (2). LOCAL_HTTP=1 lets production settings answer plain HTTP, and only
# for loopback host names and addresses. What production requires still comes from the environment, with local
# defaults only where a local run needs one:
#   DATABASE_URL   default sqlite:///db.sqlite3 (the file `make run` uses); postgres://... for PostgreSQL
#   ALLOWED_HOSTS  default 127.0.0.1,localhost
#   SITE_URL       default http://HOST:PORT (the address the whole-data downloads name pages with)
#   SECRET_KEY     default: a random key kept in var/serve-secret-key (made once), so sessions survive restarts and
#                  every server started here signs alike
# DATABASE_REPLICA_URL and REDIS_URL are passed on as they are.
set -euo pipefail

cd "$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")/.."
PY=${PY:-.venv/bin/python}

export DJANGO_SETTINGS_MODULE=cop_kb.settings.prod
export LOCAL_HTTP=1
export HOST=${HOST:-127.0.0.1}
export DATABASE_URL=${DATABASE_URL:-sqlite:///db.sqlite3}
export ALLOWED_HOSTS=${ALLOWED_HOSTS:-127.0.0.1,localhost}
export SITE_URL=${SITE_URL:-http://$HOST:${PORT:-8000}}
if [ -z "${SECRET_KEY:-}" ]; then
	key_file=var/serve-secret-key
	if [ ! -s "$key_file" ]; then
		mkdir -p var
		(umask 077 && "$PY" -c 'import secrets; print(secrets.token_urlsafe(50))' >"$key_file")
	fi
	SECRET_KEY=$(<"$key_file")
	export SECRET_KEY
fi

"$PY" manage.py migrate --noinput
"$PY" manage.py collectstatic --noinput -v0
# The whole-data downloads for the current content, built beside the server rather than before it, so start-up never
# waits for them (a request for one meanwhile answers 503 with Retry-After; see README "Whole-data downloads").
# In a subshell, so that it is not gunicorn's child (gunicorn reaps and counts its children as workers).
("$PY" manage.py build_downloads &)
echo "serve: http://$HOST:${PORT:-8000}/ (${WEB_CONCURRENCY:-2} workers, production settings, plain HTTP locally)"
exec "$PY" -m gunicorn -c cop_kb/gunicorn.conf.py
