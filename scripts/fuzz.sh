#!/usr/bin/env bash
# `make fuzz`: schemathesis against a running server, from its own /api/openapi.json, every check,
# every phase, anonymous and as an admin. Fails on any response >= 500, any response whose status,
# content type or body the document does not declare, or fewer generated requests than asked for;
# prints the counts of the input checks (schema-valid inputs refused, schema-violating accepted)
# with an example of each; those are gated too, at FUZZ_MAX_INPUT_FAILURES each (default 0).
#   scripts/fuzz.sh                  full run (>= 5,000 requests)
#   FUZZ_MIN_REQUESTS=500 FUZZ_MAX_EXAMPLES=6 scripts/fuzz.sh   the short run inside `make test`
#   FUZZ_KEEP=DIR                    keep the NDJSON reports and schemathesis' output in DIR
#   ECOMM_BIN=PATH                   use this server binary instead of building one
# Installs schemathesis into a virtualenv under ~/.cache/ecomm (pip, once).
#
# scripts/fuzz/schemathesis.toml: the statuses a valid request may get from state (declared in the
# document); scripts/fuzz/hooks.py: values for the rules a schema cannot state (Luhn check digit,
# image bytes, an unexpired card). Excluded: logout in the admin run (it would end the session
# the run signs in with). Nothing else is excluded and no check is turned off.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)
examples=${FUZZ_MAX_EXAMPLES:-100}
min_requests=${FUZZ_MIN_REQUESTS:-5000}
seed=${FUZZ_SEED:-20261126}
venv=${ECOMM_FUZZ_VENV:-$HOME/.cache/ecomm/fuzz-venv}
log() { printf '[fuzz] %s\n' "$*" >&2; }

if [ ! -x "$venv/bin/schemathesis" ]; then
  log "installing schemathesis into $venv"
  python3 -m venv "$venv"
  "$venv/bin/pip" install -q 'schemathesis==4.32.5'
fi

# ECOMM_BIN: a binary built beforehand (so a timed run includes no build).
bin=${ECOMM_BIN:-}
if [ -z "$bin" ]; then
  cargo build -q --locked -p ecomm
  bin="${CARGO_TARGET_DIR:-$root/target}/debug/ecomm"
fi

work=$(mktemp -d /tmp/ecomm-fuzz.XXXXXX)
server=""
# shellcheck disable=SC2329  # invoked by the EXIT trap
cleanup() {
  if [ -n "$server" ]; then kill "$server" 2>/dev/null; wait "$server" 2>/dev/null; fi
  if [ -n "${FUZZ_KEEP:-}" ]; then mkdir -p "$FUZZ_KEEP" && cp "$work"/*.ndjson "$work"/*.out "$FUZZ_KEEP"/ 2>/dev/null; fi
  rm -rf "$work"
}
trap cleanup EXIT

db="sqlite://$work/fuzz.db"
media="file://$work/media"
"$bin" migrate --database-url "$db" >/dev/null
"$bin" seed --products 50 --database-url "$db" --storage-url "$media" >/dev/null
admin_password=$(python3 -c 'import secrets; print(secrets.token_urlsafe(16))')
# The webhook endpoint accepts only events signed with its secret: the hooks sign what they send
# (scripts/fuzz/hooks.py), as Stripe would; the negative phase still sends unsigned and bad ones.
ECOMM_STRIPE_WEBHOOK_SECRET="whsec_$(python3 -c 'import secrets; print(secrets.token_hex(16))')"
export ECOMM_STRIPE_WEBHOOK_SECRET
ECOMM_ADMIN_PASSWORD=$admin_password "$bin" admin create --email fuzz-admin@example.com \
  --database-url "$db" >/dev/null
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
base="http://127.0.0.1:$port"
# The per-client auth budget is off: one fuzzer is one client, and it should reach the handlers.
# --api-docs: the fuzzer reads the document the server serves.
# The documented checkout body is still the old card-number one until the storefront moves.
ECOMM_LEGACY_CARD_CHECKOUT=true "$bin" serve --addr "127.0.0.1:$port" --database-url "$db" --storage-url "$media" --payments test \
  --auth-per-minute 0 --declines-per-hour 0 --api-docs >"$work/server.log" 2>&1 &
server=$!
for _ in $(seq 1 100); do curl -fsS -o /dev/null "$base/health" 2>/dev/null && break; sleep 0.2; done

# The admin's session goes to schemathesis as the document's `session` scheme (not a raw header),
# so its auth checks know which requests carry credentials and which leave them out on purpose.
ECOMM_FUZZ_SESSION=$(curl -fsS -D - -o /dev/null -H 'Content-Type: application/json' \
  -d "{\"email\":\"fuzz-admin@example.com\",\"password\":\"$admin_password\"}" "$base/api/auth/login" \
  | tr -d '\r' | sed -n 's/^[Ss]et-[Cc]ookie: ecomm_session=\([^;]*\).*/\1/p')
[ -n "$ECOMM_FUZZ_SESSION" ] || { log "admin login failed"; exit 1; }
# The anonymous run keeps one guest cart the same way (the `cart` scheme): otherwise every request
# would start a new cart and nothing added could be read back.
ECOMM_FUZZ_CART=$(curl -fsS -D - -o /dev/null "$base/api/cart" \
  | tr -d '\r' | sed -n 's/^[Ss]et-[Cc]ookie: ecomm_cart=\([^;]*\).*/\1/p')
[ -n "$ECOMM_FUZZ_CART" ] || { log "no guest cart cookie"; exit 1; }
# And one line in it (the `cart_lines` scheme, the cookie a real add-to-cart answers with), so the
# cart and checkout operations see a filled cart; its product gets stock for every checkout.
cart_sku=$(curl -fsS "$base/api/products/1" | python3 -c 'import json, sys; print(json.load(sys.stdin)["sku"])')
curl -fsS -o /dev/null -X PUT -H 'Content-Type: application/json' -H "Cookie: ecomm_session=$ECOMM_FUZZ_SESSION" \
  -d '{"available": 1000000}' "$base/api/admin/inventory/$cart_sku"
ECOMM_FUZZ_CART_LINES=$(curl -fsS -D - -o /dev/null -H 'Content-Type: application/json' \
  -H "Cookie: ecomm_cart=$ECOMM_FUZZ_CART" -d '{"product_id": 1, "quantity": 1}' "$base/api/cart/items" \
  | tr -d '\r' | sed -n 's/^[Ss]et-[Cc]ookie: ecomm_cart_lines=\([^;]*\).*/\1/p')
[ -n "$ECOMM_FUZZ_CART_LINES" ] || { log "no guest cart lines cookie"; exit 1; }
export ECOMM_FUZZ_SESSION ECOMM_FUZZ_CART ECOMM_FUZZ_CART_LINES
export SCHEMATHESIS_HOOKS="$root/scripts/fuzz/hooks.py"
# The ${…} stay literal: schemathesis expands them from the environment (secrets stay off disk).
# shellcheck disable=SC2016
{ cat scripts/fuzz/schemathesis.toml; printf '\n[auth.openapi.cart]\napi_key = "${ECOMM_FUZZ_CART}"\n'
  printf '\n[auth.openapi.cart_lines]\napi_key = "${ECOMM_FUZZ_CART_LINES}"\n'; } >"$work/anonymous.toml"
# shellcheck disable=SC2016
{ cat scripts/fuzz/schemathesis.toml; printf '\n[auth.openapi.session]\napi_key = "${ECOMM_FUZZ_SESSION}"\n'; } \
  >"$work/admin.toml"

run() { # LABEL [schemathesis args...]
  local label=$1; shift
  log "$label: at most $examples examples per operation and phase"
  # The exit code counts every check; the gate below decides (see the header).
  # From the work dir: schemathesis keeps a .schemathesis/ cache in the current directory.
  # One worker: with two, CPython 3.11's ast module (Hypothesis describing its lambdas in two
  # threads at once) fails with "AST constructor recursion depth mismatch" and cases are lost.
  (cd "$work" && "$venv/bin/schemathesis" --config-file "$work/$label.toml" run "$base/api/openapi.json" \
    --checks all --phases examples,coverage,fuzzing,stateful \
    --max-examples "$examples" --seed "$seed" --workers 1 --no-shrink --continue-on-failure \
    --suppress-health-check all --request-timeout 30 \
    --report ndjson --report-ndjson-path "$work/$label.ndjson" "$@" >"$work/$label.out" 2>&1) || true
  # Schemathesis' own errors (e.g. a strategy it cannot build) are shown, not gated.
  grep -m 5 -A 3 'Runtime Error\|^[A-Za-z]*Error:' "$work/$label.out" || true
  sed -n '/= SUMMARY =/,$p' "$work/$label.out"
}

run anonymous
# Logging out would end the admin session half-way through the run.
run admin --exclude-path /api/auth/logout

# Gate: every response answered (< 500) and as documented (status, content type, body schema), and
# enough requests. The input-acceptance checks (positive/negative data, ST201/ST202) are reported.
status=0
python3 - "$work" "$min_requests" "${FUZZ_MAX_INPUT_FAILURES:-0}" <<'EOF2' || status=$?
import base64, collections, json, pathlib, sys
work, minimum, max_input = pathlib.Path(sys.argv[1]), int(sys.argv[2]), int(sys.argv[3])
gating = {"not_a_server_error", "status_code_conformance", "content_type_conformance",
          "response_schema_conformance"}
inputs = {"positive_data_acceptance", "negative_data_rejection"}
requests, server_errors, failed = 0, 0, collections.Counter()
examples = {}

def text(v):
    if isinstance(v, dict) and "$base64" in v:
        return base64.b64decode(v["$base64"]).decode("utf-8", "replace")
    return "" if v is None else str(v)

for f in sorted(work.glob("*.ndjson")):
    for line in f.read_text().splitlines():
        event = json.loads(line).get("ScenarioFinished")
        if not event:
            continue
        rec = event["recorder"]
        for i in rec.get("interactions", {}).values():
            requests += 1
            status = (i.get("response") or {}).get("status_code", 0)
            if status >= 500:
                server_errors += 1
        for case_id, checks in rec.get("checks", {}).items():
            for c in checks:
                if c.get("status") == "failure":
                    failed[c["name"]] += 1
                    i = rec.get("interactions", {}).get(case_id) or {}
                    req, res = i.get("request") or {}, i.get("response") or {}
                    examples.setdefault(c["name"], "{} {} {} -> {} {}".format(
                        req.get("method"), req.get("uri"), text(req.get("body"))[:300],
                        res.get("status_code"), text(res.get("content"))[:300]))
print(f"requests: {requests} (minimum {minimum}); responses >= 500: {server_errors}")
for name, n in sorted(failed.items()):
    kind = "GATE " if name in gating or (name in inputs and max_input >= 0) else "info "
    print(f"  {kind}{name}: {n} failed\n      e.g. {examples[name]}")
bad = requests < minimum or server_errors or any(failed[n] for n in gating)
bad = bad or (max_input >= 0 and any(failed[n] > max_input for n in inputs))
sys.exit(1 if bad else 0)
EOF2
if [ "$status" = 0 ]; then log "green"; else log "FAILED"; tail -40 "$work/server.log"; fi
exit "$status"
