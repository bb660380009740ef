#!/usr/bin/env python3
"""tests/unit/s3verify.py: a tiny, strict S3 on 127.0.0.1 for the S3 probe tests.
Header SigV4 only (AWS4-HMAC-SHA256, region us-east-1, service s3): every request must be
signed over host, x-amz-date and x-amz-content-sha256, the payload hash must match the body,
or the answer is 403 with S3's XML error. In-memory buckets; path-style URLs.
Usage: s3verify.py --port-file F --access-key AK --secret-file F (the secret never in argv)."""
import argparse, datetime, hashlib, hmac, http.server, re, sys, urllib.parse

ap = argparse.ArgumentParser()
ap.add_argument("--port-file", required=True)
ap.add_argument("--access-key", required=True)
ap.add_argument("--secret-file", required=True)
args = ap.parse_args()
SECRET = open(args.secret_file).read()
buckets = {}
AUTH = re.compile(r"AWS4-HMAC-SHA256 Credential=([^/]+)/(\d{8})/us-east-1/s3/aws4_request,\s*"
                  r"SignedHeaders=([a-z0-9;-]+),\s*Signature=([0-9a-f]{64})$")

def enc(s):
    return urllib.parse.quote(s, safe="-_.~")

class H(http.server.BaseHTTPRequestHandler):
    def reply(self, status, body=b"", ctype="application/xml"):
        self.send_response(status)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def error(self, status, code, msg):
        self.reply(status, ("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<Error><Code>%s</Code>"
                            "<Message>%s</Message><RequestId>1</RequestId></Error>" % (code, msg)).encode())

    def verify(self, body):
        m = AUTH.match(self.headers.get("Authorization", ""))
        if not m:
            return "AccessDenied", "Missing or malformed AWS4-HMAC-SHA256 Authorization"
        ak, day, signed, sig = m.groups()
        if ak != args.access_key:
            return "InvalidAccessKeyId", "The AWS Access Key Id you provided does not exist in our records."
        names = signed.split(";")
        if names != sorted(names) or not {"host", "x-amz-date", "x-amz-content-sha256"} <= set(names):
            return "AccessDenied", "host, x-amz-date and x-amz-content-sha256 must be signed"
        missing = [n for n in names if self.headers.get(n) is None]
        if missing:
            return "AccessDenied", "signed header %s is not in the request" % missing[0]
        amzdate, phash = self.headers.get("x-amz-date", ""), self.headers.get("x-amz-content-sha256", "")
        try:
            when = datetime.datetime.strptime(amzdate, "%Y%m%dT%H%M%SZ").replace(tzinfo=datetime.timezone.utc)
        except ValueError:
            return "AccessDenied", "bad x-amz-date"
        if abs((datetime.datetime.now(datetime.timezone.utc) - when).total_seconds()) > 900 or day != amzdate[:8]:
            return "RequestTimeTooSkewed", "The difference between the request time and the current time is too large."
        if phash != hashlib.sha256(body).hexdigest():
            return "XAmzContentSHA256Mismatch", "The provided 'x-amz-content-sha256' header does not match what was computed."
        path, _, query = self.path.partition("?")
        pairs = sorted((enc(urllib.parse.unquote(k)), enc(urllib.parse.unquote(v)))
                       for k, _, v in (p.partition("=") for p in query.split("&") if p))
        headers = "".join("%s:%s\n" % (n, " ".join((self.headers.get(n) or "").split())) for n in names)
        creq = "\n".join([self.command, path, "&".join("%s=%s" % p for p in pairs), headers, signed, phash])
        scope = "%s/us-east-1/s3/aws4_request" % day
        sts = "\n".join(["AWS4-HMAC-SHA256", amzdate, scope, hashlib.sha256(creq.encode()).hexdigest()])
        key = ("AWS4" + SECRET).encode()
        for part in (day, "us-east-1", "s3", "aws4_request"):
            key = hmac.new(key, part.encode(), hashlib.sha256).digest()
        if not hmac.compare_digest(hmac.new(key, sts.encode(), hashlib.sha256).hexdigest(), sig):
            return "SignatureDoesNotMatch", ("The request signature we calculated does not match the signature "
                                             "you provided. Check your key and signing method.")
        return None, None

    def handle_any(self):
        body = self.rfile.read(int(self.headers.get("Content-Length", "0") or 0))
        code, msg = self.verify(body)
        if code:
            return self.error(403, code, msg)
        parts = urllib.parse.unquote(self.path.partition("?")[0]).lstrip("/").split("/", 1)
        bucket, key = parts[0], parts[1] if len(parts) > 1 else ""
        if not bucket and self.command == "GET":
            names = "".join("<Bucket><Name>%s</Name></Bucket>" % b for b in sorted(buckets))
            return self.reply(200, ("<ListAllMyBucketsResult><Buckets>%s</Buckets></ListAllMyBucketsResult>" % names).encode())
        if bucket and not key and self.command == "PUT":
            if not re.fullmatch(r"[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]", bucket):
                return self.error(400, "InvalidBucketName", "The specified bucket is not valid.")
            if bucket in buckets:
                return self.error(409, "BucketAlreadyOwnedByYou", "Your previous request to create the named bucket succeeded and you already own it.")
            buckets[bucket] = {}
            return self.reply(200)
        if bucket not in buckets:
            return self.error(404, "NoSuchBucket", "The specified bucket does not exist")
        objs = buckets[bucket]
        if self.command == "PUT" and key:
            objs[key] = body
            return self.reply(200)
        if self.command == "GET" and key in objs:
            return self.reply(200, objs[key], "application/octet-stream")
        if self.command == "DELETE" and key:
            objs.pop(key, None)
            return self.reply(204)
        return self.error(404, "NoSuchKey", "The specified key does not exist.")

    do_GET = do_PUT = do_DELETE = do_HEAD = do_POST = handle_any

    def log_message(self, fmt, *a):
        sys.stderr.write("s3verify: %s\n" % (fmt % a))

srv = http.server.HTTPServer(("127.0.0.1", 0), H)
with open(args.port_file + ".tmp", "w") as f:
    f.write("%d\n" % srv.server_address[1])
import os
os.rename(args.port_file + ".tmp", args.port_file)
srv.serve_forever()
