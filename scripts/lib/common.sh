# shellcheck shell=bash
# Helpers shared by the scripts: `. "$(dirname "$0")/lib/common.sh"` (from scripts/).

# A TCP port on 127.0.0.1 that nothing listens on right now (the kernel picks it).
free_port() {
  python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'
}
