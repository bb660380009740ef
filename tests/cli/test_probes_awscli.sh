# The S3 verifier used by test_s3 (tests/unit/s3verify.py) judged by an independent SigV4
# signer, the aws CLI: it must accept the CLI's requests with the right keys and answer
# SignatureDoesNotMatch with a wrong secret. Keys reach the CLI in files, never argv or env.
. "$SW_TOP/tests/lib.sh"

if ! command -v aws >/dev/null 2>&1; then
	not_ok "aws CLI is installed (Debian package awscli)"
	finish
fi
secret=$(head -c 30 /dev/urandom | od -An -tx1 | tr -d ' \n')
printf '%s' "$secret" > "$TEST_TMP/secret"
python3 "$SW_TOP/tests/unit/s3verify.py" --port-file "$TEST_TMP/port" --access-key SWCLIKEY \
	--secret-file "$TEST_TMP/secret" 2> "$TEST_TMP/verifier.log" &
vpid=$!
trap 'kill $vpid 2>/dev/null' EXIT
while [ ! -s "$TEST_TMP/port" ] && kill -0 $vpid 2>/dev/null; do sleep 0.05; done
port=$(cat "$TEST_TMP/port" 2>/dev/null)
check "verifier listens" [ -n "$port" ]

printf '[default]\naws_access_key_id = SWCLIKEY\naws_secret_access_key = %s\n' "$secret" > "$TEST_TMP/creds"
printf '[default]\naws_access_key_id = SWCLIKEY\naws_secret_access_key = wrong%s\n' "$secret" > "$TEST_TMP/creds-wrong"
printf '[default]\nregion = us-east-1\n' > "$TEST_TMP/config"
awsc() { # CREDFILE ARGS...
	f=$1; shift
	env -u AWS_ACCESS_KEY_ID -u AWS_SECRET_ACCESS_KEY -u AWS_SESSION_TOKEN -u AWS_PROFILE \
		AWS_SHARED_CREDENTIALS_FILE="$f" AWS_CONFIG_FILE="$TEST_TMP/config" HOME="$TEST_TMP" \
		aws --endpoint-url "http://127.0.0.1:$port" "$@"
}

check "aws CLI creates a bucket" awsc "$TEST_TMP/creds" s3api create-bucket --bucket cli-bucket --output text
printf 'payload \001\377 bytes' > "$TEST_TMP/obj"
check "aws CLI puts an object with an odd key" \
	awsc "$TEST_TMP/creds" s3api put-object --bucket cli-bucket --key "dir/a b+c.bin" --body "$TEST_TMP/obj" --output text
awsc "$TEST_TMP/creds" s3api get-object --bucket cli-bucket --key "dir/a b+c.bin" "$TEST_TMP/back" >/dev/null
check "aws CLI gets the same bytes back" cmp -s "$TEST_TMP/obj" "$TEST_TMP/back"
out=$(awsc "$TEST_TMP/creds" s3api list-buckets --query 'Buckets[].Name' --output text 2>&1)
check "aws CLI lists the bucket" [ "$out" = "cli-bucket" ]
out=$(awsc "$TEST_TMP/creds-wrong" s3api list-buckets 2>&1); rc=$?
check "a wrong secret fails" [ "$rc" -ne 0 ]
case "$out" in *SignatureDoesNotMatch*) ok "a wrong secret gives SignatureDoesNotMatch" ;;
	*) not_ok "a wrong secret gives SignatureDoesNotMatch (got: $out)" ;; esac
n=$(grep -c '" 403 ' "$TEST_TMP/verifier.log")
check "the verifier logged exactly one refusal" [ "$n" -eq 1 ]
finish
