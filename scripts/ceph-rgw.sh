#!/usr/bin/env bash
# A private one-node Ceph (monitor + in-memory OSD) with the RADOS Gateway: a real S3 that checks
# SigV4 signatures and per-user permissions, for the platform tests and for development.
#
#   scripts/ceph-rgw.sh start DIR [BUCKET]   start on free ports of 127.0.0.1; create BUCKET
#                                            (default azaion-models), a write user that owns it and a
#                                            read user that a bucket policy lets read it and nothing
#                                            more; write DIR/s3.json (endpoint, bucket, both key pairs)
#   scripts/ceph-rgw.sh stop DIR             stop every daemon started in DIR, then delete DIR
#
# Needs root and the Debian packages ceph-mon ceph-osd radosgw (--no-install-recommends is enough),
# curl (with --aws-sigv4) and openssl. No systemd: the daemons run from DIR and log to DIR/log.
# Data lives in memory (memstore) and is gone after stop. About 12 s to start, ~360 MB of memory.
# Clients: path-style addressing, and with @aws-sdk/client-s3 requestChecksumCalculation /
# responseChecksumValidation "WHEN_REQUIRED" (Ceph 16 answers a streamed checksummed PUT with 411).
set -euo pipefail
cmd=${1:?usage: ceph-rgw.sh start|stop DIR [BUCKET]}
D=$(realpath -m "${2:?usage: ceph-rgw.sh start|stop DIR [BUCKET]}")
C=(-c "$D/ceph.conf")
trap 'echo "ceph-rgw.sh: \"$BASH_COMMAND\" failed (exit $?); logs in $D/log" >&2' ERR

free_port() {
  node -e 'const s=require("net").createServer();s.listen(0,"127.0.0.1",()=>{console.log(s.address().port);s.close()})'
}

# One signed S3 request: s3 ACCESS SECRET METHOD PATH [BODY_FILE]; prints the HTTP status.
# curl signs with SigV4 but leaves the payload hash to us (x-amz-content-sha256 is part of it).
s3() {
  local access=$1 secret=$2 method=$3 path=$4 body=${5:-/dev/null}
  local hash
  hash=$(sha256sum <"$body" | cut -d' ' -f1)
  curl -s -o "$D/last-response" -w '%{http_code}' -X "$method" \
    --aws-sigv4 "aws:amz:us-east-1:s3" --user "$access:$secret" \
    -H "x-amz-content-sha256: $hash" -H "Content-Type: application/octet-stream" --data-binary "@$body" "$ENDPOINT$path"
}

expect_status() { # expect_status WANT GOT WHAT
  if [ "$2" != "$1" ]; then
    echo "ceph-rgw.sh: $3: HTTP $2, expected $1: $(cat "$D/last-response" 2>/dev/null)" >&2
    exit 1
  fi
}

case $cmd in
start)
  BUCKET=${3:-azaion-models}
  for tool in ceph-mon ceph-osd radosgw radosgw-admin monmaptool curl openssl node; do
    command -v "$tool" >/dev/null || {
      echo "ceph-rgw.sh: $tool is missing; install: apt-get install -y --no-install-recommends ceph-mon ceph-osd radosgw curl openssl" >&2
      exit 1
    }
  done
  [ "$(id -u)" = 0 ] || { echo "ceph-rgw.sh: needs root (the Ceph daemons run as root here)" >&2; exit 1; }
  PORT=$(free_port)
  MONPORT=$(free_port)
  while [ "$MONPORT" = "$PORT" ]; do MONPORT=$(free_port); done
  ENDPOINT="http://127.0.0.1:$PORT"
  rm -rf "$D"
  mkdir -p "$D"/{run,log,mon.a,osd.0,rgw.a}
  FSID=$(cat /proc/sys/kernel/random/uuid)
  cat >"$D/ceph.conf" <<CONF
[global]
fsid = $FSID
mon host = v1:127.0.0.1:$MONPORT
public addr = 127.0.0.1
auth cluster required = none
auth service required = none
auth client required = none
osd pool default size = 1
osd pool default min size = 1
osd pool default pg num = 8
osd pool default pgp num = 8
mon allow pool size one = true
osd crush chooseleaf type = 0
mon max pg per osd = 1000
run dir = $D/run
log file = $D/log/\$name.log
admin socket = $D/run/\$name.asok
pid file = $D/run/\$name.pid
ms bind ipv6 = false
[mon.a]
mon data = $D/mon.a
[osd.0]
osd data = $D/osd.0
osd objectstore = memstore
memstore device bytes = 2147483648
osd class update on start = false
osd crush update on start = false
[client.rgw.a]
rgw frontends = beast endpoint=127.0.0.1:$PORT
rgw data = $D/rgw.a
CONF
  monmaptool --create --add a "v1:127.0.0.1:$MONPORT" --clobber --fsid "$FSID" "$D/monmap" >/dev/null
  ceph-mon "${C[@]}" --mkfs -i a --monmap "$D/monmap"
  ceph-mon "${C[@]}" -i a </dev/null >/dev/null 2>&1
  # Register osd.0 with the uuid its store gets, so the OSD's own "osd create" at start agrees.
  OSD_UUID=$(cat /proc/sys/kernel/random/uuid)
  ceph "${C[@]}" osd create "$OSD_UUID" >/dev/null
  # Place it in the CRUSH map here: an OSD that does it itself at start races its monitor client
  # (Ceph 16 sends the command before it has the monitor map: "wrong fsid", and the OSD exits).
  # (Retried: a monitor still settling its first maps can refuse it for a moment on a busy machine.)
  for try in 1 2 3 4 5 6 7 8 9 10; do
    ceph "${C[@]}" osd crush add osd.0 1.0 host=localhost root=default >"$D/log/crush-add.out" 2>&1 && break
    [ "$try" = 10 ] && { echo "ceph-rgw.sh: osd crush add failed: $(cat "$D/log/crush-add.out")" >&2; exit 1; }
    sleep 1
  done
  ceph-osd "${C[@]}" -i 0 --mkfs --osd-uuid "$OSD_UUID" >/dev/null 2>&1
  for try in 1 2 3; do
    ceph-osd "${C[@]}" -i 0 </dev/null >/dev/null 2>&1 && break
    [ "$try" = 3 ] && { echo "ceph-rgw.sh: ceph-osd did not start: $(tail -2 "$D/log/osd.0.log")" >&2; exit 1; }
    sleep 1
  done
  radosgw "${C[@]}" -n client.rgw.a </dev/null >/dev/null 2>&1
  for _ in $(seq 1 120); do curl -sf -o /dev/null "$ENDPOINT/" && break; sleep 0.5; done
  curl -sf -o /dev/null "$ENDPOINT/" || { echo "ceph-rgw.sh: radosgw did not answer on $PORT; logs in $D/log" >&2; exit 1; }

  # Random keys for this run only: nothing static, nothing shared between runs.
  WA=$(openssl rand -hex 10 | tr a-f A-F); WS=$(openssl rand -hex 20)
  RA=$(openssl rand -hex 10 | tr a-f A-F); RS=$(openssl rand -hex 20)
  radosgw-admin "${C[@]}" user create --uid=azaion-writer --display-name=azaion-writer \
    --access-key="$WA" --secret="$WS" >/dev/null
  radosgw-admin "${C[@]}" user create --uid=azaion-reader --display-name=azaion-reader \
    --access-key="$RA" --secret="$RS" >/dev/null

  # The writer owns the bucket; the reader gets read and list through a bucket policy, nothing else
  # (a user that does not own a bucket has no other right on it).
  expect_status 200 "$(s3 "$WA" "$WS" PUT "/$BUCKET")" "create bucket $BUCKET"
  cat >"$D/policy.json" <<POLICY
{"Version": "2012-10-17", "Statement": [{"Sid": "azaion-read-only", "Effect": "Allow",
  "Principal": {"AWS": ["arn:aws:iam:::user/azaion-reader"]},
  "Action": ["s3:GetObject", "s3:ListBucket"],
  "Resource": ["arn:aws:s3:::$BUCKET", "arn:aws:s3:::$BUCKET/*"]}]}
POLICY
  expect_status 204 "$(s3 "$WA" "$WS" PUT "/$BUCKET?policy=" "$D/policy.json")" "set the bucket policy"

  # Check what the keys can do: the writer writes, the reader reads and is refused a write.
  echo probe >"$D/probe"
  expect_status 200 "$(s3 "$WA" "$WS" PUT "/$BUCKET/.probe" "$D/probe")" "write with the write key"
  expect_status 200 "$(s3 "$RA" "$RS" GET "/$BUCKET/.probe")" "read with the read key"
  expect_status 403 "$(s3 "$RA" "$RS" PUT "/$BUCKET/.probe-by-reader" "$D/probe")" "write with the read key"
  expect_status 403 "$(s3 "$RA" "$RS" DELETE "/$BUCKET/.probe")" "delete with the read key"
  expect_status 204 "$(s3 "$WA" "$WS" DELETE "/$BUCKET/.probe")" "delete with the write key"
  rm -f "$D/last-response" "$D/probe"

  umask 077
  cat >"$D/s3.json" <<JSON
{"endpoint": "$ENDPOINT", "region": "us-east-1", "bucket": "$BUCKET",
 "write": {"accessKeyId": "$WA", "secretAccessKey": "$WS"},
 "read": {"accessKeyId": "$RA", "secretAccessKey": "$RS"}}
JSON
  echo "S3 (Ceph RGW) on $ENDPOINT, bucket $BUCKET; keys in $D/s3.json; stop: $0 stop $D"
  ;;
stop)
  [ -d "$D/run" ] || exit 0
  for f in "$D"/run/*.pid; do [ -f "$f" ] && kill "$(cat "$f")" 2>/dev/null || true; done
  for f in "$D"/run/*.pid; do
    [ -f "$f" ] || continue
    p=$(cat "$f")
    for _ in $(seq 1 40); do kill -0 "$p" 2>/dev/null || break; sleep 0.25; done
    kill -9 "$p" 2>/dev/null || true
  done
  rm -rf "$D"
  ;;
*)
  echo "usage: $0 start DIR [BUCKET] | stop DIR" >&2
  exit 2
  ;;
esac
