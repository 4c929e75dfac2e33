#!/usr/bin/env bash
# Installs the Debian packages the interop tests use (SIPp, Kamailio, openssl).
# Idempotent: does nothing when everything is present. Needs root for apt-get; without root it
# only reports what is missing (the interop tests then skip with that reason).
set -u
PKGS=(sip-tester kamailio kamailio-websocket-modules kamailio-tls-modules openssl)
missing=()
for p in "${PKGS[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
[ ${#missing[@]} -eq 0 ] && exit 0
if [ "$(id -u)" != "0" ] || ! command -v apt-get >/dev/null 2>&1; then
  echo "install_deps: missing ${missing[*]} (not root or no apt-get): interop tests will be skipped" >&2
  exit 0
fi
echo "install_deps: installing ${missing[*]}" >&2
export DEBIAN_FRONTEND=noninteractive
# policy-rc.d keeps package scripts from starting system services (kamailio) in CI
if [ ! -e /usr/sbin/policy-rc.d ]; then
  printf '#!/bin/sh\nexit 101\n' > /usr/sbin/policy-rc.d && chmod +x /usr/sbin/policy-rc.d
  trap 'rm -f /usr/sbin/policy-rc.d' EXIT
fi
apt-get update -qq >/dev/null 2>&1 || apt-get update
apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null 2>&1 ||
  apt-get install -y --no-install-recommends "${missing[@]}"
