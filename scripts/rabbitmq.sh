#!/usr/bin/env bash
# A private RabbitMQ node with the stream plugin, for tests and benchmarks: loopback only, as root,
# no systemd, everything (config, Mnesia, logs) inside one folder.
#
#   scripts/rabbitmq.sh start DIR STREAM_PORT [AMQP_PORT]   prints "ready <node> <stream port>" when it accepts connections
#   scripts/rabbitmq.sh stop DIR                            stops the node started in DIR (a no-op when none runs)
#
# Needs Debian's rabbitmq-server (3.10 on bookworm; streams work there, with the client shim in
# src-workers/queue/compat.ts). The node is called azaion<STREAM_PORT>@localhost; its Erlang
# distribution port is STREAM_PORT + 10000, so two nodes on different ports never collide.
set -euo pipefail

usage() {
  echo "usage: $0 start DIR STREAM_PORT [AMQP_PORT] | stop DIR" >&2
  exit 2
}

action=${1:-}
[ -n "${2:-}" ] || usage
dir=$(realpath -m "$2")
bin=/usr/lib/rabbitmq/bin
if [ ! -x "$bin/rabbitmq-server" ]; then
  echo "$0: RabbitMQ is not installed ($bin/rabbitmq-server missing): apt-get install rabbitmq-server" >&2
  exit 1
fi

# Everything the node needs, derived from DIR alone (stop reads it back from DIR/env).
node_env() {
  export RABBITMQ_NODENAME=$1
  export RABBITMQ_CONFIG_FILE="$dir/rabbitmq.conf"
  export RABBITMQ_ENABLED_PLUGINS_FILE="$dir/enabled_plugins"
  export RABBITMQ_MNESIA_BASE="$dir/mnesia"
  export RABBITMQ_LOG_BASE="$dir/log"
  export RABBITMQ_PID_FILE="$dir/node.pid"
  export RABBITMQ_DIST_PORT=$2
  export ERL_EPMD_ADDRESS=127.0.0.1
  export RABBITMQ_SERVER_ADDITIONAL_ERL_ARGS="-kernel inet_dist_use_interface {127,0,0,1}"
  # The scripts in /usr/lib/rabbitmq/bin run as the caller; the /usr/sbin wrappers switch to the
  # rabbitmq user, whose Erlang cookie is not ours, so rabbitmqctl could not reach our node.
  export PATH="$bin:$PATH"
}

case $action in
start)
  stream=${3:-}
  [[ $stream =~ ^[0-9]+$ ]] || usage
  amqp=${4:-$((stream + 1))}
  node="azaion$stream@localhost"
  mkdir -p "$dir/log" "$dir/mnesia"
  printf 'NODE=%s\nDIST=%s\n' "$node" $((stream + 10000)) >"$dir/env"
  node_env "$node" $((stream + 10000))
  cat >"$RABBITMQ_CONFIG_FILE" <<CONF
listeners.tcp.default = 127.0.0.1:$amqp
stream.listeners.tcp.1 = 127.0.0.1:$stream
stream.advertised_host = 127.0.0.1
stream.advertised_port = $stream
loopback_users = none
log.console = false
log.file.level = warning
CONF
  echo '[rabbitmq_stream].' >"$RABBITMQ_ENABLED_PLUGINS_FILE"
  # A pid file left by a node that was killed would make `rabbitmqctl wait` watch a dead process.
  rm -f "$RABBITMQ_PID_FILE"
  # Detached and with no inherited stdout/stderr: a caller reading our output through a pipe
  # (a test runner) would otherwise wait for the broker to exit.
  rabbitmq-server -detached >"$dir/log/server.out" 2>&1 </dev/null
  if ! rabbitmqctl -n "$node" wait --timeout 120 "$RABBITMQ_PID_FILE" >"$dir/log/wait.out" 2>&1; then
    echo "$0: the node did not start; see $dir/log" >&2
    tail -n 20 "$dir/log/server.out" "$dir/log/wait.out" >&2 || true
    exit 1
  fi
  # The stream listener comes up with the plugin, a moment after the node reports ready.
  for _ in $(seq 1 100); do
    if (exec 3<>"/dev/tcp/127.0.0.1/$stream") 2>/dev/null; then
      echo "ready $node $stream"
      exit 0
    fi
    sleep 0.1
  done
  echo "$0: the node runs but nothing listens on stream port $stream; see $dir/log" >&2
  exit 1
  ;;
stop)
  [ -f "$dir/env" ] || exit 0
  # shellcheck disable=SC1091
  . "$dir/env"
  node_env "$NODE" "$DIST"
  pid=$(cat "$RABBITMQ_PID_FILE" 2>/dev/null || true)
  rabbitmqctl -n "$NODE" stop >/dev/null 2>&1 || true
  for _ in $(seq 1 100); do
    if [ -z "$pid" ] || ! kill -0 "$pid" 2>/dev/null; then break; fi
    sleep 0.1
  done
  if [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null; then kill -9 "$pid" 2>/dev/null || true; fi
  # The Erlang port mapper our node started: end it too, unless another node still uses it.
  epmd=$(ls /usr/lib/erlang/erts-*/bin/epmd 2>/dev/null | head -n 1 || true)
  if [ -n "$epmd" ] && ! "$epmd" -names 2>/dev/null | grep -q '^name '; then
    "$epmd" -kill >/dev/null 2>&1 || true
  fi
  rm -f "$dir/env"
  ;;
*) usage ;;
esac
