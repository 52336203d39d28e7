#!/usr/bin/env bash
# `make run`: the background task worker and the sweep scheduler next to the development server.
# When runserver stops (Ctrl+C), the worker and the scheduler are stopped too.
#
# TASKS_BACKEND=rq runs `manage.py rqworker` (Redis at REDIS_URL) instead of the database worker.
# The demo's e-mails are written as files under $EMAIL_FILE_PATH unless EMAIL_BACKEND is set.
set -euo pipefail
cd "$(dirname "$0")/.."
PY="${PY:-.venv/bin/python}"
export EMAIL_BACKEND="${EMAIL_BACKEND:-django.core.mail.backends.filebased.EmailBackend}"
export EMAIL_FILE_PATH="${EMAIL_FILE_PATH:-${TMPDIR:-/tmp}/tukipolku-demo-mail}"
mkdir -p "$EMAIL_FILE_PATH"

pids=()
stop() {
  trap - EXIT INT TERM
  for pid in "${pids[@]}"; do kill -TERM "$pid" 2>/dev/null || true; done
  wait "${pids[@]}" 2>/dev/null || true
}
trap stop EXIT INT TERM

if [ "${TASKS_BACKEND:-database}" = "rq" ]; then
  "$PY" manage.py rqworker --job-class django_tasks_rq.Job default &
else
  "$PY" manage.py db_worker --no-reload --interval 2 -v0 &
fi
pids+=($!)
"$PY" manage.py sweep_scheduler &
pids+=($!)
echo "Task worker and sweep scheduler started (every ${TUKIPOLKU_SWEEP_INTERVAL_MINUTES:-15} min); e-mails go to $EMAIL_FILE_PATH"
"$PY" manage.py runserver "${RUNSERVER_ADDR:-127.0.0.1:8000}"
