#!/bin/sh
# Install every build and test dependency on Debian 12 (run as root).
set -eu
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y --no-install-recommends \
	build-essential cmake pkg-config clang libclang-rt-14-dev \
	libpcap-dev librocksdb-dev libczmq-dev libzmq3-dev libsodium-dev \
	python3 python3-msgpack python3-zmq python3-yaml iproute2 tcpreplay tcpdump \
	libfstrm-dev libprotobuf-c-dev protobuf-c-compiler golang-github-dnstap-golang-dnstap-dev \
	fstrm-bin unbound nsd dnsutils dnsperf \
	libmicrohttpd-dev dnsdbq libcurl4-openssl-dev libssl-dev graphviz openssl >/dev/null
