# shellcheck shell=bash
# Makes sure the headless browser the dashboard's end-to-end test drives is installed: Debian's
# Chromium at /usr/bin/chromium and its matching driver at /usr/bin/chromedriver (Selenium is
# pointed at both, so it downloads nothing). Source this file, then:
#
#   baton_ensure_browser              succeeds if both are there, installing the packages chromium
#                                     and chromium-driver with apt-get first when they are missing
#                                     and installing is allowed.
#
# Settings (environment):
#   BATON_NO_INSTALL    if set (to anything), never install packages.
#
# Installing needs apt-get and root (directly or through passwordless sudo), as in
# scripts/lib/services.sh.

_BATON_BROWSER_BINARY=/usr/bin/chromium
_BATON_BROWSER_DRIVER=/usr/bin/chromedriver
_BATON_BROWSER_APT_UPDATED=""

_baton_browser_say() {
  printf '%s\n' "$*"
}

# Prints an error; the caller returns 1 after it.
_baton_browser_fail() {
  printf 'error: %s\n' "$*" >&2
}

# Runs a command as root: directly when already root, else through passwordless sudo.
_baton_browser_as_root() {
  if ((EUID == 0)); then
    "$@"
  elif command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then
    sudo -n "$@"
  else
    "$@"
  fi
}

_baton_browser_can_install() {
  [[ -z ${BATON_NO_INSTALL+set} ]] || return 1
  command -v apt-get >/dev/null 2>&1 || return 1
  ((EUID == 0)) && return 0
  command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null
}

_baton_browser_apt_install() {
  if [[ -z $_BATON_BROWSER_APT_UPDATED ]]; then
    _baton_browser_say "apt-get update"
    _baton_browser_as_root env DEBIAN_FRONTEND=noninteractive apt-get update -q >/dev/null ||
      return 1
    _BATON_BROWSER_APT_UPDATED=1
  fi
  _baton_browser_say "apt-get install $*"
  _baton_browser_as_root env DEBIAN_FRONTEND=noninteractive \
    apt-get install -y -q --no-install-recommends "$@" >/dev/null
}

baton_ensure_browser() {
  local -a missing=()
  [[ -x $_BATON_BROWSER_BINARY ]] || missing+=(chromium)
  [[ -x $_BATON_BROWSER_DRIVER ]] || missing+=(chromium-driver)
  if ((${#missing[@]} == 0)); then
    _baton_browser_say "browser: $_BATON_BROWSER_BINARY and $_BATON_BROWSER_DRIVER are installed"
    return 0
  fi
  if ! _baton_browser_can_install; then
    _baton_browser_fail "browser: the dashboard's end-to-end test needs $_BATON_BROWSER_BINARY and" \
      "$_BATON_BROWSER_DRIVER (missing: ${missing[*]}). Install both packages together, so" \
      "that the driver's version matches the browser's (Debian: apt-get install chromium" \
      "chromium-driver);" \
      "this script installs them itself when run as root or with passwordless sudo, unless" \
      "BATON_NO_INSTALL is set."
    return 1
  fi
  # Both packages, so that the driver's version matches the browser's.
  _baton_browser_apt_install chromium chromium-driver || {
    _baton_browser_fail "browser: apt-get install chromium chromium-driver failed"
    return 1
  }
  if [[ ! -x $_BATON_BROWSER_BINARY || ! -x $_BATON_BROWSER_DRIVER ]]; then
    _baton_browser_fail "browser: installed chromium and chromium-driver, but" \
      "$_BATON_BROWSER_BINARY or $_BATON_BROWSER_DRIVER is still missing"
    return 1
  fi
  _baton_browser_say "browser: installed $("$_BATON_BROWSER_BINARY" --version 2>/dev/null || echo chromium)"
}
