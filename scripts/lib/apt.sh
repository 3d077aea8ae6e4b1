# shellcheck shell=bash
# Running as root and installing Debian packages, shared by services.sh and browser.sh. Source it
# (they source it themselves), then:
#
#   baton_as_root CMD...           runs CMD as root: directly when already root, else through
#                                  passwordless sudo (else as is, and CMD fails on its own)
#   baton_can_install              succeeds if packages may be installed here: BATON_NO_INSTALL is
#                                  unset, apt-get exists, and we are root or have passwordless sudo
#   baton_apt_install PACKAGE...   apt-get update (once per shell), then installs the packages
#
# Settings (environment):
#   BATON_NO_INSTALL    if set (to anything), never install packages.

[[ -n ${_BATON_APT_SOURCED:-} ]] && return 0
_BATON_APT_SOURCED=1
_BATON_APT_UPDATED=""

baton_as_root() {
  if ((EUID == 0)); then
    "$@"
  elif command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then
    sudo -n "$@"
  else
    "$@"
  fi
}

baton_can_install() {
  [[ -z ${BATON_NO_INSTALL+set} ]] || return 1
  command -v apt-get >/dev/null 2>&1 || return 1
  ((EUID == 0)) && return 0
  command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null
}

baton_apt_install() {
  if [[ -z $_BATON_APT_UPDATED ]]; then
    printf '%s\n' "apt-get update"
    baton_as_root env DEBIAN_FRONTEND=noninteractive apt-get update -q >/dev/null || return 1
    _BATON_APT_UPDATED=1
  fi
  printf '%s\n' "apt-get install $*"
  baton_as_root env DEBIAN_FRONTEND=noninteractive \
    apt-get install -y -q --no-install-recommends "$@" >/dev/null
}
