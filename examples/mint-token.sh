#!/usr/bin/env bash
# Mints a customer-form scoped token (HS256) from a shell, with openssl only.
# usage: GATEWAY_TOKEN_KEY=... examples/mint-token.sh <sub> <provider> <ops,comma,separated> [customer] [ttl-seconds]
set -euo pipefail
sub=$1 provider=$2 ops=$3 customer=${4:-} ttl=${5:-300}
b64url() { openssl base64 -A | tr '+/' '-_' | tr -d '='; }
now=$(date +%s)
ops_json=$(printf '"%s",' ${ops//,/ }); ops_json="[${ops_json%,}]"
customer_json=${customer:+,\"customer\":\"$customer\"}
header=$(printf '{"alg":"HS256","typ":"JWT"}' | b64url)
payload=$(printf '{"aud":"customer-form","sub":"%s","provider":"%s","ops":%s%s,"iat":%d,"exp":%d}' \
  "$sub" "$provider" "$ops_json" "$customer_json" "$now" "$((now + ttl))" | b64url)
signature=$(printf '%s.%s' "$header" "$payload" | openssl dgst -sha256 -hmac "$GATEWAY_TOKEN_KEY" -binary | b64url)
printf '%s.%s.%s\n' "$header" "$payload" "$signature"
