#!/usr/bin/env bash
# `make run`: build everything, prepare the embedded database once, serve on http://127.0.0.1:8080.
set -euo pipefail
cd "$(dirname "$0")/.."
export ECOMM_DATABASE_URL=${ECOMM_DATABASE_URL:-sqlite://./data/ecomm.db}
export ECOMM_STORAGE_URL=${ECOMM_STORAGE_URL:-file://./data/media}
addr=${ECOMM_ADDR:-127.0.0.1:8080}

if [ -f frontend/package.json ]; then
  if [ ! -d frontend/node_modules ] || [ frontend/package-lock.json -nt frontend/node_modules/.package-lock.json ]; then
    (cd frontend && npm ci --no-audit --no-fund)
  fi
  if [ ! -f frontend/dist/index.html ] || [ -n "$(find frontend/src frontend/index.html -newer frontend/dist/index.html 2>/dev/null | head -1)" ]; then
    npm --prefix frontend run build
  fi
fi
cargo build --release --locked -p ecomm
bin=target/release/ecomm
mkdir -p data
"$bin" migrate
"$bin" seed --products "${ECOMM_SEED_PRODUCTS:-10000}"
if [ ! -f data/admin-credentials.txt ]; then
  password=$(python3 -c 'import secrets; print(secrets.token_urlsafe(12))')
  ECOMM_ADMIN_PASSWORD=$password "$bin" admin create --email admin@ecomm.local >/dev/null
  umask 077
  printf 'email: admin@ecomm.local\npassword: %s\n' "$password" > data/admin-credentials.txt
  echo "================================================================"
  echo " Demo admin created (shown once; also in data/admin-credentials.txt)"
  echo "   email:    admin@ecomm.local"
  echo "   password: $password"
  echo "================================================================"
fi
static=()
[ -f frontend/dist/index.html ] && static=(--static-dir frontend/dist)
echo "ecomm: serving http://$addr  (API docs: http://$addr/api/docs)"
if [ "${ECOMM_PAYMENTS:-test}" = test ]; then
  echo "test payments (nothing is charged; Stripe's test cards, any future expiry, any CVC):"
  echo "   4242 4242 4242 4242  approved"
  echo "   4000 0025 0000 3155  asks for 3-D Secure (the stand-in's page at /test-gateway/3ds/...)"
  echo "   4000 0000 0000 0002  declined"
fi
# --api-docs: the OpenAPI document and Swagger UI are a development aid (off in production).
# Test mode: the storefront posts the card to the stand-in under /test-gateway, never to the API.
exec "$bin" serve --addr "$addr" "${static[@]}" --drain-seconds 0 --payments "${ECOMM_PAYMENTS:-test}" --api-docs
