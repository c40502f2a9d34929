#!/usr/bin/env bash
# A throwaway single-node Garage (S3-compatible object store) on free loopback ports.
#   scripts/s3-temp.sh start DIR   -> prints lines to `eval`: ECOMM_TEST_S3_URL, AWS_ACCESS_KEY_ID, ...
#   scripts/s3-temp.sh stop DIR
# Garage is installed from crates.io on first use and cached in $ECOMM_TOOLS (default ~/.cache/ecomm-tools).
set -euo pipefail
cmd=${1:?start|stop}; dir=${2:?DIR}
tools=${ECOMM_TOOLS:-$HOME/.cache/ecomm-tools}
garage=$tools/garage/bin/garage
GARAGE_VERSION=2.5.0

# shellcheck source=scripts/lib/common.sh
. "$(dirname "${BASH_SOURCE[0]}")/lib/common.sh"

case "$cmd" in
start)
  if [ ! -x "$garage" ]; then
    echo "installing garage $GARAGE_VERSION (first run only, several minutes)..." >&2
    cargo install garage --version "$GARAGE_VERSION" --locked --root "$tools/garage" >&2
  fi
  mkdir -p "$dir"; dir=$(cd "$dir" && pwd)
  rpc=$(free_port); s3=$(free_port); admin=$(free_port)
  cat > "$dir/garage.toml" <<CONF
metadata_dir = "$dir/meta"
data_dir = "$dir/data"
db_engine = "sqlite"
replication_factor = 1
rpc_bind_addr = "127.0.0.1:$rpc"
rpc_public_addr = "127.0.0.1:$rpc"
rpc_secret = "$(openssl rand -hex 32 2>/dev/null || python3 -c 'import secrets;print(secrets.token_hex(32))')"
[s3_api]
s3_region = "garage"
api_bind_addr = "127.0.0.1:$s3"
root_domain = ".s3.garage.localhost"
[admin]
api_bind_addr = "127.0.0.1:$admin"
CONF
  g() { "$garage" -c "$dir/garage.toml" "$@"; }
  nohup "$garage" -c "$dir/garage.toml" server >"$dir/server.log" 2>&1 &
  echo $! > "$dir/pid"
  for _ in $(seq 1 100); do g status >/dev/null 2>&1 && break; sleep 0.1; done
  node=$(g status 2>/dev/null | grep -oE '^[0-9a-f]{16}' | head -1)
  [ -n "$node" ] || { echo "garage did not start; see $dir/server.log" >&2; exit 1; }
  g layout assign -z dc1 -c 1G "$node" >/dev/null
  g layout apply --version 1 >/dev/null
  key_id="GK$(python3 -c 'import secrets;print(secrets.token_hex(12))')"
  secret=$(python3 -c 'import secrets;print(secrets.token_hex(32))')
  for _ in $(seq 1 50); do g bucket create ecomm-test >/dev/null 2>&1 && break; sleep 0.2; done
  g key import --yes -n ecomm-test "$key_id" "$secret" >/dev/null
  g bucket allow --read --write --owner ecomm-test --key "$key_id" >/dev/null
  echo "export ECOMM_TEST_S3_URL='s3://ecomm-test?endpoint=http://127.0.0.1:$s3&region=garage'"
  echo "export AWS_ACCESS_KEY_ID=$key_id AWS_SECRET_ACCESS_KEY=$secret AWS_REGION=garage"
  ;;
stop)
  [ -f "$dir/pid" ] && kill "$(cat "$dir/pid")" 2>/dev/null || true
  ;;
*) echo "usage: $0 start|stop DIR" >&2; exit 2 ;;
esac
