#!/bin/sh
# Container entry point: put the mounted CA where the proxy reads it, then run aipolicy.
#
#   <image> run [--ruleset PATH] [mitmdump options ...]   start the proxy
#   <image> check PATH | ca ... | test ...                  any other aipolicy command
#
# The CA arrives on a read-only mount ($AIPOLICY_CA_DIR, a Kubernetes Secret or a
# podman secret): mitmproxy-ca.pem (private key + certificate) and, for
# `aipolicy ca export`, mitmproxy-ca-cert.pem. It is copied into certs/ with mode 0600
# because mitmproxy writes into its confdir (mitmproxy-dhparam.pem) and aipolicy keeps
# the key private. Without a CA, `run` stops: a CA made inside a container would differ
# per replica and be trusted by no client.
set -eu

certs=/opt/aipolicy/certs
src=${AIPOLICY_CA_DIR:-/etc/aipolicy/ca}

if [ "${1:-}" = run ]; then
    if [ -f "$src/mitmproxy-ca.pem" ]; then
        umask 077
        for name in mitmproxy-ca.pem mitmproxy-ca-cert.pem; do
            if [ -f "$src/$name" ]; then
                cp "$src/$name" "$certs/.$name.tmp"
                mv -f "$certs/.$name.tmp" "$certs/$name"
            fi
        done
        chmod 0600 "$certs/mitmproxy-ca.pem"
    elif [ ! -f "$certs/mitmproxy-ca.pem" ]; then
        echo "aipolicy: no CA found: mount mitmproxy-ca.pem (and mitmproxy-ca-cert.pem)" \
             "at $src; see deploy/README.md" >&2
        exit 2
    fi
fi
exec aipolicy "$@"
