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
# Installing needs apt-get and root (directly or through passwordless sudo); see
# scripts/lib/apt.sh.

# shellcheck source=scripts/lib/apt.sh
source "$(dirname "${BASH_SOURCE[0]}")/apt.sh"

_BATON_BROWSER_BINARY=/usr/bin/chromium
_BATON_BROWSER_DRIVER=/usr/bin/chromedriver

_baton_browser_say() {
  printf '%s\n' "$*"
}

# Prints an error; the caller returns 1 after it.
_baton_browser_fail() {
  printf 'error: %s\n' "$*" >&2
}

baton_ensure_browser() {
  local -a missing=()
  [[ -x $_BATON_BROWSER_BINARY ]] || missing+=(chromium)
  [[ -x $_BATON_BROWSER_DRIVER ]] || missing+=(chromium-driver)
  if ((${#missing[@]} == 0)); then
    _baton_browser_say "browser: $_BATON_BROWSER_BINARY and $_BATON_BROWSER_DRIVER are installed"
    return 0
  fi
  if ! baton_can_install; then
    _baton_browser_fail "browser: the dashboard's end-to-end test needs $_BATON_BROWSER_BINARY and" \
      "$_BATON_BROWSER_DRIVER (missing: ${missing[*]}). Install both packages together, so" \
      "that the driver's version matches the browser's (Debian: apt-get install chromium" \
      "chromium-driver);" \
      "this script installs them itself when run as root or with passwordless sudo, unless" \
      "BATON_NO_INSTALL is set."
    return 1
  fi
  # Both packages, so that the driver's version matches the browser's.
  baton_apt_install chromium chromium-driver || {
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
