#!/usr/bin/python3
"""s3peer: a strict S3 peer for tests, started like minio (standard library only).

usage: s3peer.py server DIR [--address [HOST]:PORT] [--console-address ADDR] [--quiet]
       s3peer.py --version
env:   MINIO_ROOT_USER, MINIO_ROOT_PASSWORD (the one access key and its secret; minio's
       defaults minioadmin/minioadmin when both are unset; the password needs 8+ chars)

--address defaults to :9000. An empty HOST binds the address this host's name resolves
to when that is in 127.0.0.0/8 (inside a VM-lab sandbox: the sandbox's ADDR), else
127.0.0.1; an explicit HOST must be in 127.0.0.0/8. Prints "s3peer listening on
http://HOST:PORT" once it accepts connections. --console-address is accepted and ignored.

Authentication: AWS Signature Version 4 in the Authorization header, checked exactly as
S3 does: canonical request (URI-encoded path, sorted canonical query, SignedHeaders with
trimmed values, x-amz-content-sha256 as the payload hash: a hex SHA-256 that must match
the body, UNSIGNED-PAYLOAD, or STREAMING-UNSIGNED-PAYLOAD-TRAILER with an aws-chunked
body; when the header is absent, as in minio, the SHA-256 of an empty body), scope DATE/us-east-1/s3/aws4_request, x-amz-date within 15 minutes. Errors are S3
XML: AccessDenied (no/other auth), InvalidAccessKeyId, SignatureDoesNotMatch,
AuthorizationHeaderMalformed, RequestTimeTooSkewed, XAmzContentSHA256Mismatch.
Unauthenticated: GET /minio/health/live and /minio/health/ready.

Operations (path-style only): ListBuckets (GET /), CreateBucket (PUT /b), HeadBucket,
DeleteBucket, ListObjectsV2 (GET /b?list-type=2: prefix, delimiter, max-keys,
continuation-token, start-after, encoding-type=url) and ListObjects v1 (marker),
GetBucketLocation, PutObject, GetObject (Range bytes=a-b), HeadObject, DeleteObject,
DeleteObjects (POST /b?delete), multipart uploads (create, upload part, complete, abort).
Objects are plain files DIR/BUCKET/KEY (a key and "key/..." cannot both exist, as in
minio); uploads in progress live in DIR/.s3peer/.
"""
import datetime
import hashlib
import hmac
import html
import os
import re
import shutil
import socket
import sys
import threading
import urllib.parse
import uuid
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

REGION = "us-east-1"
SKEW = datetime.timedelta(minutes=15)
BUCKET_RE = re.compile(r"^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$")
EMPTY_SHA = hashlib.sha256(b"").hexdigest()


class S3Error(Exception):
    def __init__(self, status, code, message):
        super().__init__(message)
        self.status, self.code, self.message = status, code, message


def uri_encode(s, slash=True):
    return urllib.parse.quote(s, safe="-_.~" + ("/" if not slash else ""))


def amz_time(s):
    return datetime.datetime.strptime(s, "%Y%m%dT%H%M%SZ").replace(tzinfo=datetime.timezone.utc)


def http_date(ts):
    return datetime.datetime.fromtimestamp(ts, datetime.timezone.utc).strftime("%a, %d %b %Y %H:%M:%S GMT")


def iso_date(ts):
    return datetime.datetime.fromtimestamp(ts, datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.000Z")


def signing_key(secret, date):
    k = hmac.new(("AWS4" + secret).encode(), date.encode(), hashlib.sha256).digest()
    for part in (REGION, "s3", "aws4_request"):
        k = hmac.new(k, part.encode(), hashlib.sha256).digest()
    return k


class Store:
    def __init__(self, root):
        self.root = os.path.abspath(root)
        self.tmp = os.path.join(self.root, ".s3peer")
        os.makedirs(self.tmp, exist_ok=True)
        self.lock = threading.Lock()

    def bucket_dir(self, b, must_exist=True):
        if not BUCKET_RE.match(b) or ".." in b:
            raise S3Error(400, "InvalidBucketName", "The specified bucket is not valid.")
        d = os.path.join(self.root, b)
        if must_exist and not os.path.isdir(d):
            raise S3Error(404, "NoSuchBucket", "The specified bucket does not exist")
        return d

    def obj_path(self, b, key):
        parts = key.split("/")
        if not key or len(key.encode()) > 1024 or any(p in ("", ".", "..") for p in parts[:-1]) \
                or parts[-1] in (".", "..") or "\0" in key:
            raise S3Error(400, "XMinioInvalidObjectName", "Object name contains unsupported characters.")
        return os.path.join(self.bucket_dir(b), *parts) + ("/" if key.endswith("/") else "")

    def put(self, b, key, data_path):
        p = self.obj_path(b, key)
        if p.endswith("/"):
            os.makedirs(p, exist_ok=True)   # a "folder" marker object
            os.unlink(data_path)
            return
        d = os.path.dirname(p)
        cur = d
        while cur != self.bucket_dir(b):
            if os.path.isfile(cur):
                raise S3Error(409, "XMinioParentIsObject", "Object-prefix is already an object, please choose a different object-prefix name.")
            cur = os.path.dirname(cur)
        if os.path.isdir(p):
            raise S3Error(409, "XMinioObjectExistsAsDirectory", "Object name already exists as a directory.")
        os.makedirs(d, exist_ok=True)
        os.replace(data_path, p)

    def objects(self, b):
        """Every (key, path) of bucket b, sorted by key."""
        base = self.bucket_dir(b)
        out = []
        for dirpath, dirs, files in os.walk(base):
            rel = os.path.relpath(dirpath, base)
            pre = "" if rel == "." else rel.replace(os.sep, "/") + "/"
            for f in files:
                out.append((pre + f, os.path.join(dirpath, f)))
            if not files and not dirs and pre:
                out.append((pre, dirpath))
        return sorted(out)


def md5_file(p):
    h = hashlib.md5()
    with open(p, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = "s3peer"
    sys_version = ""

    def log_message(self, fmt, *args):
        if not self.server.quiet:
            sys.stderr.write("s3peer: %s\n" % (fmt % args))

    # ---- plumbing ----
    def send(self, status, body=b"", headers=None, ctype="application/xml"):
        self.send_response(status)
        self.send_header("x-amz-request-id", self.rid)
        self.send_header("Content-Type", ctype)
        for k, v in (headers or {}).items():
            self.send_header(k, v)
        if "Content-Length" not in (headers or {}):
            self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if self.command != "HEAD" and body:
            self.wfile.write(body)

    def xml(self, status, inner):
        self.send(status, ('<?xml version="1.0" encoding="UTF-8"?>\n' + inner).encode())

    def error(self, e):
        body = (f"<Error><Code>{e.code}</Code><Message>{html.escape(e.message)}</Message>"
                f"<Resource>{html.escape(self.path.split('?')[0])}</Resource>"
                f"<RequestId>{self.rid}</RequestId></Error>")
        if self.body_left:
            self.close_connection = True  # the unread body would be taken for the next request
        self.xml(e.status, body)

    def read_body(self):
        n = int(self.headers.get("Content-Length") or 0)
        self.body_left = 0
        data = self.rfile.read(n) if n else b""
        if len(data) != n:
            raise S3Error(400, "IncompleteBody", "You did not provide the number of bytes specified by the Content-Length HTTP header.")
        return data

    def handle_one(self):
        self.rid = uuid.uuid4().hex[:16].upper()
        self.body_left = int(self.headers.get("Content-Length") or 0)
        try:
            u = urllib.parse.urlsplit(self.path)
            self.raw_path, self.raw_query = u.path, u.query
            self.upath = urllib.parse.unquote(u.path)
            self.q = {}
            for kv in u.query.split("&") if u.query else []:
                k, _, v = kv.partition("=")
                self.q[urllib.parse.unquote(k)] = urllib.parse.unquote(v)
            if self.command == "GET" and self.upath in ("/minio/health/live", "/minio/health/ready"):
                return self.send(200)
            self.authenticate()
            self.route()
        except S3Error as e:
            self.error(e)

    do_GET = do_PUT = do_POST = do_DELETE = do_HEAD = handle_one

    # ---- SigV4 ----
    def authenticate(self):
        auth = self.headers.get("Authorization")
        if not auth:
            if "X-Amz-Signature" in self.q:
                raise S3Error(403, "AccessDenied", "s3peer does not accept presigned URLs")
            raise S3Error(403, "AccessDenied", "Access Denied.")
        if not auth.startswith("AWS4-HMAC-SHA256 "):
            raise S3Error(400, "AuthorizationHeaderMalformed", "Only AWS4-HMAC-SHA256 is supported")
        fields = {}
        for part in auth[len("AWS4-HMAC-SHA256 "):].split(","):
            k, _, v = part.strip().partition("=")
            fields[k] = v
        try:
            cred, signed, sig = fields["Credential"], fields["SignedHeaders"], fields["Signature"]
            akid, date, region, service, term = cred.split("/")
        except (KeyError, ValueError):
            raise S3Error(400, "AuthorizationHeaderMalformed", "The authorization header is malformed.")
        if akid != self.server.access_key:
            raise S3Error(403, "InvalidAccessKeyId", "The Access Key Id you provided does not exist in our records.")
        if region != REGION:
            raise S3Error(400, "AuthorizationHeaderMalformed", f"the region '{region}' is wrong; expecting '{REGION}'")
        if service != "s3" or term != "aws4_request":
            raise S3Error(400, "AuthorizationHeaderMalformed", "The authorization header is malformed; bad scope.")
        xdate = self.headers.get("x-amz-date")
        if not xdate:
            raise S3Error(403, "AccessDenied", "AWS authentication requires a valid Date or x-amz-date header")
        try:
            t = amz_time(xdate)
        except ValueError:
            raise S3Error(403, "AccessDenied", "AWS authentication requires a valid Date or x-amz-date header")
        if abs(datetime.datetime.now(datetime.timezone.utc) - t) > SKEW:
            raise S3Error(403, "RequestTimeTooSkewed", "The difference between the request time and the server's time is too large.")
        if xdate[:8] != date:
            raise S3Error(403, "SignatureDoesNotMatch", "The credential date does not match x-amz-date.")
        names = signed.split(";")
        if names != sorted(names) or "host" not in names:
            raise S3Error(403, "SignatureDoesNotMatch", "SignedHeaders must be sorted and include host.")
        # As minio: without x-amz-content-sha256 the payload hash is that of an empty body.
        payload = self.headers.get("x-amz-content-sha256") or EMPTY_SHA
        if self.headers.get("x-amz-content-sha256") and "x-amz-content-sha256" not in names:
            raise S3Error(403, "SignatureDoesNotMatch", "x-amz-content-sha256 must be signed.")
        canon_headers = ""
        for n in names:
            vals = self.headers.get_all(n)
            if vals is None:
                raise S3Error(403, "SignatureDoesNotMatch", f"signed header {n} is missing")
            canon_headers += n + ":" + ",".join(" ".join(v.split()) for v in vals) + "\n"
        query = sorted((uri_encode(k), uri_encode(v)) for k, v in self.q.items())
        creq = "\n".join([self.command, uri_encode(self.upath, slash=False),
                          "&".join(f"{k}={v}" for k, v in query), canon_headers, signed, payload])
        scope = f"{date}/{REGION}/s3/aws4_request"
        sts = "\n".join(["AWS4-HMAC-SHA256", xdate, scope, hashlib.sha256(creq.encode()).hexdigest()])
        want = hmac.new(signing_key(self.server.secret, date), sts.encode(), hashlib.sha256).hexdigest()
        if not hmac.compare_digest(want, sig):
            raise S3Error(403, "SignatureDoesNotMatch",
                          "The request signature we calculated does not match the signature you provided. Check your key and signing method.")
        self.payload = payload

    def body(self):
        """The request body, checked against x-amz-content-sha256 / Content-MD5."""
        data = self.read_body()
        p = self.payload
        if p == "STREAMING-UNSIGNED-PAYLOAD-TRAILER":
            data = self.dechunk(data)
        elif p.startswith("STREAMING-"):
            raise S3Error(501, "NotImplemented", f"s3peer does not support {p}")
        elif p != "UNSIGNED-PAYLOAD":
            if not re.fullmatch(r"[0-9a-f]{64}", p):
                raise S3Error(400, "InvalidArgument", "x-amz-content-sha256 must be UNSIGNED-PAYLOAD or a hex SHA-256")
            if hashlib.sha256(data).hexdigest() != p:
                raise S3Error(400, "XAmzContentSHA256Mismatch", "The provided 'x-amz-content-sha256' header does not match what was computed.")
        md5 = self.headers.get("Content-MD5")
        if md5:
            import base64
            if base64.b64encode(hashlib.md5(data).digest()).decode() != md5:
                raise S3Error(400, "BadDigest", "The Content-MD5 you specified did not match what we received.")
        return data

    @staticmethod
    def dechunk(data):
        out, i = b"", 0
        while True:
            j = data.find(b"\r\n", i)
            if j < 0:
                raise S3Error(400, "IncompleteBody", "bad aws-chunked body")
            size = int(data[i:j].split(b";")[0], 16)
            if size == 0:
                return out
            out += data[j + 2:j + 2 + size]
            i = j + 2 + size + 2

    # ---- operations ----
    def route(self):
        st, m = self.server.store, self.command
        parts = self.upath.lstrip("/").split("/", 1)
        bucket = parts[0]
        key = parts[1] if len(parts) > 1 else ""
        if not bucket:
            if m != "GET":
                raise S3Error(405, "MethodNotAllowed", "The specified method is not allowed against this resource.")
            return self.list_buckets()
        if not key:
            if m == "PUT":
                self.body()
                d = st.bucket_dir(bucket, must_exist=False)
                with st.lock:
                    if os.path.isdir(d):
                        raise S3Error(409, "BucketAlreadyOwnedByYou", "Your previous request to create the named bucket succeeded and you already own it.")
                    os.mkdir(d)
                return self.send(200, headers={"Location": "/" + bucket})
            if m == "HEAD":
                st.bucket_dir(bucket)
                return self.send(200)
            if m == "DELETE":
                d = st.bucket_dir(bucket)
                if os.listdir(d):
                    raise S3Error(409, "BucketNotEmpty", "The bucket you tried to delete is not empty")
                os.rmdir(d)
                return self.send(204)
            if m == "GET" and "location" in self.q:
                st.bucket_dir(bucket)
                return self.xml(200, '<LocationConstraint xmlns="http://s3.amazonaws.com/doc/2006-03-01/"></LocationConstraint>')
            if m == "GET":
                return self.list_objects(bucket)
            if m == "POST" and "delete" in self.q:
                return self.delete_objects(bucket)
            raise S3Error(501, "NotImplemented", "A header or query you provided implies functionality that is not implemented.")
        if m == "PUT" and "partNumber" in self.q:
            return self.upload_part(bucket, key)
        if m == "POST" and "uploads" in self.q:
            return self.create_upload(bucket, key)
        if m == "POST" and "uploadId" in self.q:
            return self.complete_upload(bucket, key)
        if m == "DELETE" and "uploadId" in self.q:
            shutil.rmtree(self.upload_dir(bucket, key), ignore_errors=True)
            return self.send(204)
        if m == "PUT":
            if self.headers.get("x-amz-copy-source"):
                raise S3Error(501, "NotImplemented", "CopyObject is not implemented by s3peer")
            data = self.body()
            tmp = os.path.join(st.tmp, uuid.uuid4().hex)
            with open(tmp, "wb") as f:
                f.write(data)
            st.put(bucket, key, tmp)
            return self.send(200, headers={"ETag": f'"{hashlib.md5(data).hexdigest()}"'})
        if m in ("GET", "HEAD"):
            return self.get_object(bucket, key)
        if m == "DELETE":
            self.delete_key(bucket, key)
            return self.send(204)
        raise S3Error(405, "MethodNotAllowed", "The specified method is not allowed against this resource.")

    def list_buckets(self):
        st = self.server.store
        items = ""
        for b in sorted(os.listdir(st.root)):
            p = os.path.join(st.root, b)
            if os.path.isdir(p) and BUCKET_RE.match(b):
                items += f"<Bucket><Name>{b}</Name><CreationDate>{iso_date(os.stat(p).st_mtime)}</CreationDate></Bucket>"
        self.xml(200, '<ListAllMyBucketsResult xmlns="http://s3.amazonaws.com/doc/2006-03-01/">'
                      f"<Owner><ID>{self.server.access_key}</ID><DisplayName>{self.server.access_key}</DisplayName></Owner>"
                      f"<Buckets>{items}</Buckets></ListAllMyBucketsResult>")

    def list_objects(self, bucket):
        v2 = self.q.get("list-type") == "2"
        prefix = self.q.get("prefix", "")
        delim = self.q.get("delimiter", "")
        try:
            maxk = min(int(self.q.get("max-keys", "1000")), 1000)
        except ValueError:
            raise S3Error(400, "InvalidArgument", "max-keys must be a number")
        enc = self.q.get("encoding-type") == "url"
        after = self.q.get("continuation-token") or self.q.get("start-after", "") if v2 else self.q.get("marker", "")
        e = (lambda s: urllib.parse.quote(s, safe="/")) if enc else html.escape
        contents, prefixes, n, last, truncated = "", [], 0, None, False
        for key, path in self.server.store.objects(bucket):
            if not key.startswith(prefix) or (after and key <= after):
                continue
            if delim:
                rest = key[len(prefix):]
                i = rest.find(delim)
                if i >= 0:
                    cp = prefix + rest[:i + len(delim)]
                    if (prefixes and prefixes[-1] == cp) or (after and cp <= after):
                        continue
                    if n >= maxk:
                        truncated = True
                        break
                    prefixes.append(cp)
                    n += 1
                    last = cp
                    continue
            if n >= maxk:
                truncated = True
                break
            s = os.stat(path)
            size = 0 if key.endswith("/") else s.st_size
            etag = hashlib.md5(b"").hexdigest() if key.endswith("/") else md5_file(path)
            contents += (f"<Contents><Key>{e(key)}</Key><LastModified>{iso_date(s.st_mtime)}</LastModified>"
                         f"<ETag>&quot;{etag}&quot;</ETag><Size>{size}</Size><StorageClass>STANDARD</StorageClass></Contents>")
            n += 1
            last = key
        cps = "".join(f"<CommonPrefixes><Prefix>{e(p)}</Prefix></CommonPrefixes>" for p in prefixes)
        head = (f"<Name>{bucket}</Name><Prefix>{e(prefix)}</Prefix><MaxKeys>{maxk}</MaxKeys>"
                + (f"<Delimiter>{e(delim)}</Delimiter>" if delim else "")
                + ("<EncodingType>url</EncodingType>" if enc else "")
                + f"<IsTruncated>{'true' if truncated else 'false'}</IsTruncated>")
        if v2:
            head += f"<KeyCount>{n}</KeyCount>"
            if self.q.get("continuation-token"):
                head += f"<ContinuationToken>{html.escape(self.q['continuation-token'])}</ContinuationToken>"
            if truncated:
                head += f"<NextContinuationToken>{html.escape(last)}</NextContinuationToken>"
        else:
            head += f"<Marker>{e(after)}</Marker>" + (f"<NextMarker>{e(last)}</NextMarker>" if truncated else "")
        tag = "ListBucketResult"
        self.xml(200, f'<{tag} xmlns="http://s3.amazonaws.com/doc/2006-03-01/">{head}{contents}{cps}</{tag}>')

    def get_object(self, bucket, key):
        p = self.server.store.obj_path(bucket, key)
        if not os.path.isfile(p) and not (p.endswith("/") and os.path.isdir(p)):
            raise S3Error(404, "NoSuchKey", "The specified key does not exist.")
        s = os.stat(p)
        size = 0 if p.endswith("/") else s.st_size
        hdrs = {"ETag": f'"{md5_file(p) if size or not p.endswith("/") else hashlib.md5(b"").hexdigest()}"',
                "Last-Modified": http_date(s.st_mtime), "Accept-Ranges": "bytes"}
        start, end, status = 0, size - 1, 200
        rng = self.headers.get("Range")
        if rng and size:
            mo = re.fullmatch(r"bytes=(\d*)-(\d*)", rng.strip())
            if not mo or (mo.group(1) == "" and mo.group(2) == ""):
                raise S3Error(416, "InvalidRange", "The requested range is not satisfiable")
            if mo.group(1) == "":
                start = max(0, size - int(mo.group(2)))
            else:
                start = int(mo.group(1))
                end = min(size - 1, int(mo.group(2))) if mo.group(2) else size - 1
            if start > end or start >= size:
                raise S3Error(416, "InvalidRange", "The requested range is not satisfiable")
            status = 206
            hdrs["Content-Range"] = f"bytes {start}-{end}/{size}"
        length = max(0, end - start + 1)
        hdrs["Content-Length"] = str(length)
        self.send(status, b"", hdrs, ctype="binary/octet-stream")
        if self.command == "GET" and length:
            with open(p, "rb") as f:
                f.seek(start)
                left = length
                while left:
                    chunk = f.read(min(left, 1 << 20))
                    if not chunk:
                        break
                    self.wfile.write(chunk)
                    left -= len(chunk)

    def delete_key(self, bucket, key):
        st = self.server.store
        p = st.obj_path(bucket, key)
        try:
            if p.endswith("/"):
                os.rmdir(p)
            else:
                os.unlink(p)
        except (FileNotFoundError, IsADirectoryError, NotADirectoryError, OSError):
            return
        # Drop directories left empty, as minio does.
        base = st.bucket_dir(bucket)
        d = os.path.dirname(p.rstrip("/"))
        while d != base and d.startswith(base):
            try:
                os.rmdir(d)
            except OSError:
                break
            d = os.path.dirname(d)

    def delete_objects(self, bucket):
        body = self.body().decode()
        quiet = "<Quiet>true</Quiet>" in body
        out = ""
        for k in re.findall(r"<Key>(.*?)</Key>", body, re.S):
            key = html.unescape(k)
            self.delete_key(bucket, key)
            if not quiet:
                out += f"<Deleted><Key>{html.escape(key)}</Key></Deleted>"
        self.xml(200, f'<DeleteResult xmlns="http://s3.amazonaws.com/doc/2006-03-01/">{out}</DeleteResult>')

    def upload_dir(self, bucket, key, uid=None):
        self.server.store.obj_path(bucket, key)
        uid = uid or self.q.get("uploadId", "")
        if not re.fullmatch(r"[0-9a-f]{32}", uid):
            raise S3Error(404, "NoSuchUpload", "The specified multipart upload does not exist.")
        return os.path.join(self.server.store.tmp, uid)

    def create_upload(self, bucket, key):
        self.body()
        uid = uuid.uuid4().hex
        os.mkdir(self.upload_dir(bucket, key, uid))
        self.xml(200, '<InitiateMultipartUploadResult xmlns="http://s3.amazonaws.com/doc/2006-03-01/">'
                      f"<Bucket>{bucket}</Bucket><Key>{html.escape(key)}</Key><UploadId>{uid}</UploadId>"
                      "</InitiateMultipartUploadResult>")

    def upload_part(self, bucket, key):
        d = self.upload_dir(bucket, key)
        if not os.path.isdir(d):
            raise S3Error(404, "NoSuchUpload", "The specified multipart upload does not exist.")
        try:
            n = int(self.q["partNumber"])
        except ValueError:
            n = 0
        if not 1 <= n <= 10000:
            raise S3Error(400, "InvalidArgument", "Part number must be an integer between 1 and 10000")
        data = self.body()
        with open(os.path.join(d, f"{n:05d}"), "wb") as f:
            f.write(data)
        self.send(200, headers={"ETag": f'"{hashlib.md5(data).hexdigest()}"'})

    def complete_upload(self, bucket, key):
        d = self.upload_dir(bucket, key)
        if not os.path.isdir(d):
            raise S3Error(404, "NoSuchUpload", "The specified multipart upload does not exist.")
        body = self.body().decode()
        parts = [int(x) for x in re.findall(r"<PartNumber>(\d+)</PartNumber>", body)]
        if not parts or parts != sorted(parts):
            raise S3Error(400, "InvalidPartOrder", "The list of parts was not in ascending order.")
        tmp = os.path.join(self.server.store.tmp, uuid.uuid4().hex)
        digests = b""
        with open(tmp, "wb") as out:
            for n in parts:
                pp = os.path.join(d, f"{n:05d}")
                if not os.path.exists(pp):
                    os.unlink(tmp)
                    raise S3Error(400, "InvalidPart", "One or more of the specified parts could not be found.")
                with open(pp, "rb") as f:
                    data = f.read()
                digests += hashlib.md5(data).digest()
                out.write(data)
        self.server.store.put(bucket, key, tmp)
        shutil.rmtree(d, ignore_errors=True)
        etag = f"{hashlib.md5(digests).hexdigest()}-{len(parts)}"
        self.xml(200, '<CompleteMultipartUploadResult xmlns="http://s3.amazonaws.com/doc/2006-03-01/">'
                      f"<Bucket>{bucket}</Bucket><Key>{html.escape(key)}</Key><ETag>&quot;{etag}&quot;</ETag>"
                      "</CompleteMultipartUploadResult>")


def bind_host(host):
    if host:
        if not host.startswith("127."):
            sys.exit(f"s3peer: --address host must be in 127.0.0.0/8 (got {host})")
        return host
    try:
        a = socket.gethostbyname(socket.gethostname())
    except OSError:
        a = ""
    return a if a.startswith("127.") else "127.0.0.1"


def main(argv):
    if len(argv) == 2 and argv[1] in ("--version", "-v", "version"):
        print("minio version RELEASE.s3peer (the VM lab's stand-in, tests/vm/s3peer.py)")
        return
    if len(argv) < 3 or argv[1] != "server":
        sys.exit("usage: s3peer.py server DIR [--address [HOST]:PORT] [--console-address ADDR] [--quiet]")
    data, address, quiet, i = None, ":9000", False, 2
    while i < len(argv):
        a = argv[i]
        if a == "--address" and i + 1 < len(argv):
            address, i = argv[i + 1], i + 2
        elif a.startswith("--address="):
            address, i = a.split("=", 1)[1], i + 1
        elif a == "--console-address" and i + 1 < len(argv):
            i += 2
        elif a == "--quiet":
            quiet, i = True, i + 1
        elif a.startswith("-") or data:
            sys.exit(f"s3peer: unknown argument {a}")
        else:
            data, i = a, i + 1
    if not data:
        sys.exit("s3peer: no data directory given")
    user = os.environ.get("MINIO_ROOT_USER") or os.environ.get("MINIO_ACCESS_KEY")
    password = os.environ.get("MINIO_ROOT_PASSWORD") or os.environ.get("MINIO_SECRET_KEY")
    if not user and not password:
        user = password = "minioadmin"
    if not user or len(user) < 3:
        sys.exit("s3peer: MINIO_ROOT_USER must be at least 3 characters")
    if not password or len(password) < 8:
        sys.exit("s3peer: MINIO_ROOT_PASSWORD must be at least 8 characters")
    host, _, port = address.rpartition(":")
    host = bind_host(host)
    os.makedirs(data, exist_ok=True)
    srv = ThreadingHTTPServer((host, int(port)), Handler)
    srv.daemon_threads = True
    srv.store = Store(data)
    srv.access_key, srv.secret, srv.quiet = user, password, quiet
    print(f"s3peer listening on http://{host}:{srv.server_address[1]}", flush=True)
    try:
        srv.serve_forever()
    except KeyboardInterrupt:
        pass


if __name__ == "__main__":
    main(sys.argv)
