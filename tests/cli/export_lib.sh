# Sourced after tests/lib.sh by the export tests: a vault with the four entries export
# experimenter reads and a signed state with the outputs it needs (a real RSA public key).
new_vault 2>/dev/null
for e in rabbitmq-password minio-access-key minio-secret-key experimenter-signing-key; do
	printf 'v-%s' "$e" | swp vault set "$e" 2>/dev/null
done
openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:2048 -out "$TEST_TMP/k.pem" 2>/dev/null
openssl rsa -in "$TEST_TMP/k.pem" -RSAPublicKey_out -out "$TEST_TMP/pub.pem" 2>/dev/null
python3 - "$SW_STATE/state.json" "$TEST_TMP/pub.pem" <<'PY'
import json, sys
p = sys.argv[1]; d = json.load(open(p))
d["outputs"] = {"rabbitmq.public_ip": "20.1.2.3", "minio.endpoint": "http://20.1.2.4:9000",
                "overlay.runner_public_key": open(sys.argv[2]).read()}
d["answers"] = {"subscription": "00000000-0000-0000-0000-000000000000"}
json.dump(d, open(p, "w"))
PY
sign_state
