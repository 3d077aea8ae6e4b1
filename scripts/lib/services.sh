# shellcheck shell=bash
# Makes sure the servers Baton's tests need answer on loopback. Source this file, then:
#
#   baton_ensure_services NAME...     NAME is redis, rabbitmq or postgresql. A server already
#                                     answering on its port is used as is (and never stopped).
#                                     Otherwise it is started, after installing it with apt-get if
#                                     it is missing and installing is allowed.
#   baton_stop_started_services       stops, by pid, only the servers baton_ensure_services started.
#                                     Call it from an EXIT trap.
#
# Settings (environment):
#   BATON_REDIS_PORT, BATON_RABBITMQ_PORT, BATON_POSTGRES_PORT
#                       ports to check on 127.0.0.1 (defaults 6379, 5672, 5432). A Redis started
#                       here listens on BATON_REDIS_PORT; RabbitMQ and PostgreSQL listen where their
#                       own configuration says (RabbitMQ also honours its RABBITMQ_* variables).
#   BATON_NO_INSTALL    if set (to anything), never install packages.
#   BATON_SERVICES_DIR  where pid and log files of started servers go (default: a new temp dir,
#                       removed at stop unless a start failed).

# shellcheck source=scripts/lib/apt.sh
source "$(dirname "${BASH_SOURCE[0]}")/apt.sh"

_BATON_SVC_STARTED_NAMES=()
_BATON_SVC_STARTED_PIDS=()
_BATON_SVC_STARTED_SIGNALS=()
_BATON_SVC_STARTED_WAITS=()
_BATON_SVC_STARTED_STARTTIMES=()
_BATON_SVC_DIR=""
_BATON_SVC_DIR_OWNED=""
_BATON_SVC_KEEP_DIR=""

_baton_svc_say() {
  printf '%s\n' "$*"
}

# Prints an error; the caller returns 1 after it.
_baton_svc_fail() {
  printf 'error: %s\n' "$*" >&2
}

# Succeeds if something accepts TCP connections on 127.0.0.1:$1.
baton_port_open() {
  # shellcheck disable=SC2016 # $1 expands in the inner bash, which gets the port as its argument.
  timeout 2 bash -c 'exec 3<>"/dev/tcp/127.0.0.1/$1"' _ "$1" 2>/dev/null
}

# Waits up to $2 seconds for 127.0.0.1:$1 to accept connections, polling every 0.5 s. If $3 is a
# pid, gives up early when that process is gone.
_baton_svc_wait_port() {
  local port=$1 seconds=$2 pid=${3:-} tries
  for ((tries = seconds * 2; tries > 0; tries--)); do
    baton_port_open "$port" && return 0
    if [[ -n $pid ]] && ! _baton_svc_alive "$pid"; then
      return 1
    fi
    sleep 0.5
  done
  baton_port_open "$port"
}

# Sets _BATON_SVC_DIR, the directory for pid and log files of servers started here. (Not called in
# $(...): the subshell would lose the assignment.)
_baton_svc_make_dir() {
  if [[ -z $_BATON_SVC_DIR ]]; then
    if [[ -n ${BATON_SERVICES_DIR:-} ]]; then
      mkdir -p "$BATON_SERVICES_DIR" || return 1
      _BATON_SVC_DIR=$BATON_SERVICES_DIR
    else
      _BATON_SVC_DIR=$(mktemp -d "${TMPDIR:-/tmp}/baton-services.XXXXXX") || return 1
      _BATON_SVC_DIR_OWNED=1
    fi
    # Servers that drop privileges (RabbitMQ runs as its own user) must reach their subdirectory.
    chmod 0711 "$_BATON_SVC_DIR" || return 1
  fi
}

# The start time of a process (field 22 of /proc/PID/stat), to tell it from a later process that
# reuses its pid.
_baton_svc_starttime() {
  local stat
  stat=$(cat "/proc/$1/stat" 2>/dev/null) || return 1
  stat=${stat##*) }
  # After "comm)", fields start at field 3 (state); the start time is field 22.
  local -a fields
  read -r -a fields <<<"$stat"
  printf '%s\n' "${fields[19]}"
}

# Succeeds if the process is running (a zombie, which only awaits reaping, counts as gone).
_baton_svc_alive() {
  local stat
  stat=$(cat "/proc/$1/stat" 2>/dev/null) || return 1
  stat=${stat##*) }
  [[ ${stat:0:1} != Z ]]
}

# Records a started server: name, pid, stop signal, seconds to wait after the signal.
_baton_svc_record() {
  local starttime
  starttime=$(_baton_svc_starttime "$2") || starttime=""
  _BATON_SVC_STARTED_NAMES+=("$1")
  _BATON_SVC_STARTED_PIDS+=("$2")
  _BATON_SVC_STARTED_SIGNALS+=("$3")
  _BATON_SVC_STARTED_WAITS+=("$4")
  _BATON_SVC_STARTED_STARTTIMES+=("$starttime")
}

# The pid of the process listening on TCP 127.0.0.1:$1 (or any address), if ss can tell.
_baton_svc_listener_pid() {
  local line pattern='pid=([0-9]+)'
  command -v ss >/dev/null 2>&1 || return 1
  line=$(baton_as_root ss -Hltnp "sport = :$1" 2>/dev/null) || return 1
  [[ $line =~ $pattern ]] || return 1
  printf '%s\n' "${BASH_REMATCH[1]}"
}

# Prints the last lines of a log, if there is one, to stderr, and then keeps the services dir (which
# may hold that log) for inspection.
_baton_svc_show_log() {
  local log=$1
  if baton_as_root test -s "$log"; then
    _BATON_SVC_KEEP_DIR=1
    printf -- '--- last lines of %s ---\n' "$log" >&2
    baton_as_root tail -n 20 "$log" >&2 || true
    printf -- '---\n' >&2
  fi
}

_baton_svc_start_redis() {
  local port=$1 dir pidfile log pid=""
  _baton_svc_make_dir || return 1
  dir=$_BATON_SVC_DIR/redis
  mkdir -p "$dir" || return 1
  pidfile=$dir/redis.pid
  log=$dir/redis.log
  redis-server --daemonize yes --bind 127.0.0.1 -::1 --port "$port" --save "" --appendonly no \
    --dir "$dir" --logfile "$log" --pidfile "$pidfile" ||
    {
      _baton_svc_show_log "$log"
      _baton_svc_fail "redis: redis-server failed to start (see its output above and $log)"
      return 1
    }
  # The daemon writes its pid file just after it forks; wait for it and for the port.
  local tries
  for ((tries = 60; tries > 0; tries--)); do
    [[ -s $pidfile ]] && pid=$(<"$pidfile") && break
    sleep 0.5
  done
  if [[ -z $pid ]]; then
    _baton_svc_show_log "$log"
    _baton_svc_fail "redis: no pid file $pidfile after 30 s; log: $log"
    return 1
  fi
  _baton_svc_record redis "$pid" TERM 30
  if ! _baton_svc_wait_port "$port" 30 "$pid"; then
    _baton_svc_show_log "$log"
    _baton_svc_fail "redis: started (pid $pid) but 127.0.0.1:$port did not answer within 30 s; log: $log"
    return 1
  fi
  _baton_svc_say "redis: started (pid $pid) on 127.0.0.1:$port"
}

_baton_svc_start_rabbitmq() {
  local port=$1 dir pidfile pid epmd_was_up="" epmd_pid
  local log=/var/log/rabbitmq
  _baton_svc_make_dir || return 1
  dir=$_BATON_SVC_DIR/rabbitmq
  mkdir -p "$dir" || return 1
  pidfile=$dir/rabbitmq.pid
  # On Debian, rabbitmq-server run as root switches to the rabbitmq user, which writes the pid file.
  if id rabbitmq >/dev/null 2>&1 && [[ $(id -un) != rabbitmq ]]; then
    baton_as_root chown rabbitmq: "$dir" || return 1
  fi
  baton_port_open 4369 && epmd_was_up=1

  if ! baton_as_root env RABBITMQ_PID_FILE="$pidfile" rabbitmq-server -detached; then
    _baton_svc_fail "rabbitmq: rabbitmq-server -detached failed; logs: $log/"
    return 1
  fi
  local waited=0
  baton_as_root rabbitmqctl wait "$pidfile" --timeout 120 >"$dir/wait.log" 2>&1 || waited=$?
  if ! pid=$(baton_as_root cat "$pidfile" 2>/dev/null) || ! [[ $pid =~ ^[0-9]+$ ]]; then
    pid=""
  fi
  [[ -z $pid ]] || _baton_svc_record rabbitmq "$pid" TERM 60
  # Erlang starts its port mapper (epmd) if none runs; it is then ours to stop too, after RabbitMQ.
  if [[ -z $epmd_was_up ]] && epmd_pid=$(_baton_svc_listener_pid 4369); then
    _baton_svc_record epmd "$epmd_pid" TERM 10
    _baton_svc_say "rabbitmq: its port mapper epmd started too (pid $epmd_pid)"
  fi
  if ((waited != 0)) || [[ -z $pid ]]; then
    _BATON_SVC_KEEP_DIR=1
    _baton_svc_fail "rabbitmq: did not finish starting within 120 s (rabbitmqctl wait said:" \
      "$dir/wait.log); logs: $log/"
    return 1
  fi
  if ! _baton_svc_wait_port "$port" 120 "$pid"; then
    _baton_svc_fail "rabbitmq: started (pid $pid) but 127.0.0.1:$port did not answer within 120 s; logs: $log/"
    return 1
  fi
  _baton_svc_say "rabbitmq: started (pid $pid) on 127.0.0.1:$port"
}

# Prints "VERSION PORT DATADIR LOGFILE" of the newest "main" PostgreSQL cluster.
_baton_svc_pg_cluster() {
  local ver cluster port datadir logfile best=""
  command -v pg_lsclusters >/dev/null 2>&1 || return 1
  # Columns: Ver Cluster Port Status Owner Data-directory Log-file
  while read -r ver cluster port _ _ datadir logfile; do
    [[ $cluster == main ]] || continue
    best="$ver $port $datadir $logfile"
  done < <(pg_lsclusters -h 2>/dev/null | sort -V)
  [[ -n $best ]] || return 1
  printf '%s\n' "$best"
}

_baton_svc_start_postgresql() {
  local port=$1 info ver cluster_port datadir log pid
  if ! info=$(_baton_svc_pg_cluster); then
    _baton_svc_fail "postgresql: no 'main' cluster (pg_lsclusters lists none); create one with" \
      "pg_createcluster <version> main"
    return 1
  fi
  read -r ver cluster_port datadir log <<<"$info"
  if [[ $cluster_port != "$port" ]]; then
    _baton_svc_fail "postgresql: cluster $ver/main is configured for port $cluster_port, not $port;" \
      "start a cluster on $port or set BATON_POSTGRES_PORT=$cluster_port"
    return 1
  fi
  if ! baton_as_root pg_ctlcluster --skip-systemctl-redirect "$ver" main start; then
    _baton_svc_show_log "$log"
    _baton_svc_fail "postgresql: pg_ctlcluster $ver main start failed; log: $log"
    return 1
  fi
  pid=$(baton_as_root head -n 1 "$datadir/postmaster.pid" 2>/dev/null) || pid=""
  if ! [[ $pid =~ ^[0-9]+$ ]]; then
    _baton_svc_fail "postgresql: started but $datadir/postmaster.pid holds no pid; log: $log"
    return 1
  fi
  # SIGINT is PostgreSQL's "fast shutdown": it ends sessions instead of waiting for them.
  _baton_svc_record postgresql "$pid" INT 60
  if ! _baton_svc_wait_port "$port" 30 "$pid"; then
    _baton_svc_show_log "$log"
    _baton_svc_fail "postgresql: started (pid $pid) but 127.0.0.1:$port did not answer within 30 s; log: $log"
    return 1
  fi
  _baton_svc_say "postgresql: started (pid $pid) on 127.0.0.1:$port"
}

baton_ensure_services() {
  local name port binary package pid signal
  # rabbitmq-server and friends live in /usr/sbin, which is not on every user's PATH.
  local PATH=$PATH
  [[ :$PATH: == *:/usr/sbin:* ]] || PATH=$PATH:/usr/sbin
  [[ :$PATH: == *:/sbin:* ]] || PATH=$PATH:/sbin
  for name in "$@"; do
    case $name in
      redis)
        port=${BATON_REDIS_PORT:-6379} binary=redis-server package=redis-server
        ;;
      rabbitmq)
        port=${BATON_RABBITMQ_PORT:-5672} binary=rabbitmq-server package=rabbitmq-server
        ;;
      postgresql)
        port=${BATON_POSTGRES_PORT:-5432} binary=pg_ctlcluster package=postgresql
        ;;
      *)
        _baton_svc_fail "unknown service '$name' (known: redis, rabbitmq, postgresql)"
        return 1
        ;;
    esac

    if baton_port_open "$port"; then
      _baton_svc_say "$name: reachable on 127.0.0.1:$port"
      continue
    fi

    if ! command -v "$binary" >/dev/null 2>&1; then
      if ! baton_can_install; then
        _baton_svc_fail "$name: nothing answers on 127.0.0.1:$port and $binary is not installed." \
          "Install it (Debian/Ubuntu: apt-get install $package) or start $name on that port;" \
          "this script installs it itself when run as root or with passwordless sudo, unless" \
          "BATON_NO_INSTALL is set."
        return 1
      fi
      baton_apt_install "$package" || {
        _baton_svc_fail "$name: apt-get install $package failed"
        return 1
      }
      # A package whose install scripts started the server: that server is ours to stop.
      if baton_port_open "$port"; then
        if pid=$(_baton_svc_listener_pid "$port"); then
          signal=TERM
          [[ $name != postgresql ]] || signal=INT
          _baton_svc_record "$name" "$pid" "$signal" 60
          _baton_svc_say "$name: started by its package's install scripts (pid $pid)"
        else
          _baton_svc_say "$name: started by its package's install scripts (pid unknown; left running)"
        fi
        continue
      fi
    fi

    "_baton_svc_start_$name" "$port" || return 1
  done
}

# Always succeeds (an EXIT trap that fails would replace the script's exit status); a server that
# outlives its grace period is killed with SIGKILL and reported on stderr.
baton_stop_started_services() {
  local i name pid signal seconds starttime tries
  for ((i = ${#_BATON_SVC_STARTED_PIDS[@]} - 1; i >= 0; i--)); do
    name=${_BATON_SVC_STARTED_NAMES[i]}
    pid=${_BATON_SVC_STARTED_PIDS[i]}
    signal=${_BATON_SVC_STARTED_SIGNALS[i]}
    seconds=${_BATON_SVC_STARTED_WAITS[i]}
    starttime=${_BATON_SVC_STARTED_STARTTIMES[i]}
    if ! _baton_svc_alive "$pid"; then
      _baton_svc_say "$name: already stopped (pid $pid)"
      continue
    fi
    if [[ -n $starttime && $(_baton_svc_starttime "$pid") != "$starttime" ]]; then
      _baton_svc_say "$name: pid $pid now belongs to another process; not stopping it"
      continue
    fi
    baton_as_root kill "-$signal" "$pid" 2>/dev/null || true
    for ((tries = seconds * 10; tries > 0; tries--)); do
      _baton_svc_alive "$pid" || break
      sleep 0.1
    done
    if _baton_svc_alive "$pid"; then
      printf '%s: pid %s still running %s s after SIG%s; sending SIGKILL\n' \
        "$name" "$pid" "$seconds" "$signal" >&2
      baton_as_root kill -KILL "$pid" 2>/dev/null || true
    else
      _baton_svc_say "$name: stopped (pid $pid)"
    fi
  done
  _BATON_SVC_STARTED_NAMES=()
  _BATON_SVC_STARTED_PIDS=()
  _BATON_SVC_STARTED_SIGNALS=()
  _BATON_SVC_STARTED_WAITS=()
  _BATON_SVC_STARTED_STARTTIMES=()

  if [[ -n $_BATON_SVC_DIR && -n $_BATON_SVC_DIR_OWNED ]]; then
    if [[ -n $_BATON_SVC_KEEP_DIR ]]; then
      printf 'logs of the servers started here are kept in %s\n' "$_BATON_SVC_DIR" >&2
    else
      baton_as_root rm -rf -- "$_BATON_SVC_DIR" || true
    fi
    _BATON_SVC_DIR=""
    _BATON_SVC_DIR_OWNED=""
  fi
  return 0
}
