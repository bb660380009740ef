#!/usr/bin/python3
"""The part of cloud-init our wizard relies on, for the VM lab (tests/vm/vm.sh).

usage: cloudconfig.py parse USERDATA          prints the document as JSON
       cloudconfig.py apply USERDATA ROOT     applies it to the sandbox root ROOT

YAML subset understood (anything else is an error naming the line):
  * the first line is `#cloud-config`; `#` comments on their own line or after " #"
  * block mappings `key: value` / `key:` + a deeper-indented block
  * block sequences `- value`, `- key: value` (a mapping item, more keys indented
    like the first), nested to any depth; a sequence may sit at its key's indent
  * flow sequences `[a, "b", 'c']` of scalars; `{}` and `[]` empty
  * scalars: plain, 'single' ('' escapes '), "double" (\\n \\t \\" \\\\ \\/),
    block literals `|`, `|-`, `|+` and folded `>`, `>-`
  * every scalar stays a string; consumers read "true"/"false" themselves

Keys applied: ssh_keys.ed25519_private/ed25519_public (the sshd host key, the only
one), users (name, ssh_authorized_keys, sudo, shell, groups, lock_passwd; "default"
is skipped), top-level ssh_authorized_keys (to the first user), write_files (path,
content, encoding b64/base64, permissions, owner, append), runcmd (strings run by
sh, lists as argv; written to /var/lib/cloud/instance/scripts/runcmd and run by the
VM's init once sshd is up). Other keys are reported and ignored.
"""
import base64
import json
import os
import shlex
import subprocess
import sys


class YamlError(Exception):
    pass


def _strip_comment(s):
    """Drops a ' #' comment outside quotes."""
    q = None
    for i, c in enumerate(s):
        if q:
            if c == q:
                q = None
        elif c in "'\"" and (i == 0 or s[i - 1] in " [,:"):
            q = c
        elif c == "#" and (i == 0 or s[i - 1] in " \t"):
            return s[:i].rstrip()
    return s.rstrip()


def _split_flow(body, ln):
    items, cur, q = [], "", None
    for c in body:
        if q:
            cur += c
            if c == q:
                q = None
        elif c in "'\"":
            q = c
            cur += c
        elif c == ",":
            items.append(cur.strip())
            cur = ""
        elif c in "[]{}":
            raise YamlError(f"line {ln}: nested flow collections are not supported")
        else:
            cur += c
    if q:
        raise YamlError(f"line {ln}: unterminated quote")
    if cur.strip():
        items.append(cur.strip())
    return [_scalar(i, ln) for i in items]


def _scalar(s, ln):
    s = s.strip()
    if s == "":
        return ""
    if s == "[]":
        return []
    if s == "{}":
        return {}
    if s[0] == "[":
        if s[-1] != "]":
            raise YamlError(f"line {ln}: unterminated flow sequence")
        return _split_flow(s[1:-1], ln)
    if s[0] == "{":
        raise YamlError(f"line {ln}: flow mappings are not supported")
    if s[0] == "'":
        if len(s) < 2 or s[-1] != "'":
            raise YamlError(f"line {ln}: unterminated single quote")
        return s[1:-1].replace("''", "'")
    if s[0] == '"':
        if len(s) < 2 or s[-1] != '"':
            raise YamlError(f"line {ln}: unterminated double quote")
        out, i, body = [], 0, s[1:-1]
        esc = {"n": "\n", "t": "\t", '"': '"', "\\": "\\", "/": "/", "r": "\r", "0": "\0"}
        while i < len(body):
            c = body[i]
            if c == "\\":
                if i + 1 >= len(body) or body[i + 1] not in esc:
                    raise YamlError(f"line {ln}: unsupported escape in double quotes")
                out.append(esc[body[i + 1]])
                i += 2
            else:
                out.append(c)
                i += 1
        return "".join(out)
    if s[0] in "&*!%@`|>":
        raise YamlError(f"line {ln}: unsupported YAML construct {s[0]!r}")
    return s


class _Parser:
    def __init__(self, text):
        self.lines = text.split("\n")  # raw lines, block scalars need them
        self.i = 0

    def _next_content(self):
        """Index of the next line with content, skipping blanks and comments."""
        j = self.i
        while j < len(self.lines):
            t = self.lines[j]
            if "\t" in t[: len(t) - len(t.lstrip())]:
                raise YamlError(f"line {j + 1}: tab in indentation")
            if t.strip() and not t.lstrip().startswith("#"):
                return j
            j += 1
        return j

    @staticmethod
    def _indent(t):
        return len(t) - len(t.lstrip(" "))

    def parse_block(self, indent):
        """Parses the node whose lines are indented >= indent."""
        j = self._next_content()
        if j >= len(self.lines):
            return None
        t = self.lines[j]
        ind = self._indent(t)
        if ind < indent:
            return None
        if t.lstrip().startswith("- ") or t.strip() == "-":
            return self.parse_seq(ind)
        return self.parse_map(ind)

    def _value_after(self, rest, ln, indent):
        """The value after 'key:' or '- ': inline scalar, block scalar or nested block."""
        rest = _strip_comment(rest).strip() if not rest.strip().startswith(("|", ">")) else rest.strip()
        if rest.startswith(("|", ">")):
            return self.block_scalar(rest, ln, indent)
        if rest == "":
            v = self.parse_block(indent + 1)
            return "" if v is None else v
        return _scalar(rest, ln)

    def block_scalar(self, head, ln, parent_indent):
        head = _strip_comment(head)
        style, chomp = head[0], head[1:].strip()
        if chomp not in ("", "-", "+"):
            raise YamlError(f"line {ln}: unsupported block scalar header {head!r}")
        body, ind = [], None
        while self.i < len(self.lines):
            t = self.lines[self.i]
            if t.strip() == "":
                body.append("")
                self.i += 1
                continue
            ti = self._indent(t)
            if ind is None:
                if ti <= parent_indent:
                    break
                ind = ti
            if ti < ind:
                break
            body.append(t[ind:])
            self.i += 1
        # Trailing blank lines belong to chomping, not content.
        trail = 0
        while body and body[-1] == "":
            body.pop()
            trail += 1
        if style == "|":
            text = "\n".join(body)
        else:
            text, prev_blank = "", True
            for b in body:
                if b == "":
                    text += "\n"
                    prev_blank = True
                else:
                    text += ("" if prev_blank else " ") + b
                    prev_blank = False
        if chomp == "-":
            return text
        if chomp == "+":
            return text + "\n" * (1 + trail) if body else "\n" * trail
        return text + "\n" if body else ""

    def parse_map(self, indent):
        out = {}
        while True:
            j = self._next_content()
            if j >= len(self.lines):
                return out
            t = self.lines[j]
            ind = self._indent(t)
            if ind < indent:
                return out
            if ind > indent:
                raise YamlError(f"line {j + 1}: unexpected indentation")
            s = t.strip()
            if s.startswith("- "):
                return out
            if ":" not in s:
                raise YamlError(f"line {j + 1}: expected 'key: value'")
            key, rest = self._split_key(s, j + 1)
            self.i = j + 1
            if key in out:
                raise YamlError(f"line {j + 1}: duplicate key {key!r}")
            # A sequence may sit at its key's own indent.
            if _strip_comment(rest).strip() == "":
                k = self._next_content()
                if k < len(self.lines) and self._indent(self.lines[k]) == indent \
                        and self.lines[k].lstrip().startswith("-"):
                    out[key] = self.parse_seq(indent)
                    continue
            out[key] = self._value_after(rest, j + 1, indent)

    @staticmethod
    def _split_key(s, ln):
        if s[0] in "'\"":
            end = s.find(s[0], 1)
            if end < 0 or s[end + 1: end + 2] != ":":
                raise YamlError(f"line {ln}: bad quoted key")
            return s[1:end], s[end + 2:]
        k = s.find(": ")
        if k < 0:
            if not s.endswith(":"):
                raise YamlError(f"line {ln}: expected 'key: value'")
            k = len(s) - 1
        return s[:k].strip(), s[k + 1:]

    def parse_seq(self, indent):
        out = []
        while True:
            j = self._next_content()
            if j >= len(self.lines):
                return out
            t = self.lines[j]
            ind = self._indent(t)
            s = t.strip()
            if ind != indent or not (s.startswith("- ") or s == "-"):
                if ind > indent:
                    raise YamlError(f"line {j + 1}: unexpected indentation")
                return out
            rest = s[1:].lstrip(" ")
            item_ind = ind + (len(s) - len(rest))
            if rest and not rest.startswith(("'", '"', "[", "|", ">")) and (": " in _strip_comment(rest) or _strip_comment(rest).endswith(":")):
                # A mapping item: rewrite the line as the mapping's first key.
                self.lines[j] = " " * item_ind + rest
                self.i = j
                out.append(self.parse_map(item_ind))
            else:
                self.i = j + 1
                out.append(self._value_after(rest, j + 1, ind))


def parse(text):
    lines = text.split("\n")
    if not lines or lines[0].rstrip() != "#cloud-config":
        raise YamlError("line 1: user data must start with '#cloud-config'")
    p = _Parser(text)
    p.i = 1
    doc = p.parse_block(0)
    j = p._next_content()
    if j < len(p.lines):
        raise YamlError(f"line {j + 1}: unexpected content")
    if doc is None:
        return {}
    if not isinstance(doc, dict):
        raise YamlError("the document must be a mapping")
    return doc


# ---- applying it to the sandbox root ----

def _chroot(root, *argv):
    subprocess.run(["chroot", root, *argv], check=True, stdin=subprocess.DEVNULL)


def _write(root, path, data, mode, owner=None):
    full = os.path.join(root, path.lstrip("/"))
    os.makedirs(os.path.dirname(full), exist_ok=True)
    with open(full, "wb") as f:
        f.write(data)
    os.chmod(full, mode)
    if owner:
        _chroot(root, "chown", owner, path)


def _as_list(v):
    if v is None or v == "":
        return []
    return v if isinstance(v, list) else [v]


def apply(doc, root, log=sys.stderr):
    for key in doc:
        if key not in ("ssh_keys", "users", "ssh_authorized_keys", "write_files", "runcmd",
                       "ssh_pwauth", "disable_root", "hostname", "preserve_hostname"):
            print(f"cloud-config: key {key!r} ignored by the VM lab", file=log)
    keys = doc.get("ssh_keys") or {}
    if keys:
        if "ed25519_private" not in keys or "ed25519_public" not in keys:
            raise YamlError("ssh_keys: ed25519_private and ed25519_public are both needed")
        priv = keys["ed25519_private"]
        _write(root, "/etc/ssh/ssh_host_ed25519_key", priv.encode() + (b"" if priv.endswith("\n") else b"\n"), 0o600)
        _write(root, "/etc/ssh/ssh_host_ed25519_key.pub", keys["ed25519_public"].strip().encode() + b"\n", 0o644)
    else:
        hk = os.path.join(root, "etc/ssh/ssh_host_ed25519_key")
        for p in (hk, hk + ".pub"):
            if os.path.exists(p):
                os.unlink(p)
        subprocess.run(["ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-f", hk], check=True)
    first = None
    for u in _as_list(doc.get("users")):
        if u == "default":
            continue
        if not isinstance(u, dict) or "name" not in u:
            raise YamlError("users: each entry needs a name")
        name = u["name"]
        first = first or name
        argv = ["useradd", "-m", "-U"]
        if u.get("shell"):
            argv += ["-s", u["shell"]]
        groups = u.get("groups")
        if isinstance(groups, list):
            groups = ",".join(groups)
        if groups:
            argv += ["-G", groups.replace(" ", "")]
        _chroot(root, *argv, name)
        # '!' would make sshd (without PAM) refuse the key login as a locked account.
        _chroot(root, "usermod", "-p", "*", name)
        sudo = u.get("sudo")
        for i, rule in enumerate(_as_list(sudo)):
            if rule in ("false", "False"):
                continue
            _write(root, f"/etc/sudoers.d/90-cloud-init-{name}-{i}", f"{name} {rule}\n".encode(), 0o440)
        _authorize(root, name, _as_list(u.get("ssh_authorized_keys")))
    if doc.get("ssh_authorized_keys"):
        if not first:
            raise YamlError("ssh_authorized_keys: no user in users: to give them to")
        _authorize(root, first, _as_list(doc["ssh_authorized_keys"]))
    for wf in _as_list(doc.get("write_files")):
        if not isinstance(wf, dict) or "path" not in wf:
            raise YamlError("write_files: each entry needs a path")
        data = wf.get("content", "")
        data = data.encode() if isinstance(data, str) else b""
        if wf.get("encoding") in ("b64", "base64"):
            data = base64.b64decode(data)
        elif wf.get("encoding") not in (None, "text/plain"):
            raise YamlError(f"write_files: encoding {wf.get('encoding')!r} not supported")
        full = os.path.join(root, wf["path"].lstrip("/"))
        if str(wf.get("append", "false")).lower() == "true" and os.path.exists(full):
            with open(full, "rb") as f:
                data = f.read() + data
        _write(root, wf["path"], data, int(str(wf.get("permissions", "0644")), 8), wf.get("owner"))
    script = ["#!/bin/sh", "set -e"]
    for c in _as_list(doc.get("runcmd")):
        script.append(" ".join(shlex.quote(a) for a in c) if isinstance(c, list) else c)
    _write(root, "/var/lib/cloud/instance/scripts/runcmd", ("\n".join(script) + "\n").encode(), 0o700)


def _authorize(root, name, keys):
    if not keys:
        return
    home = subprocess.run(["chroot", root, "getent", "passwd", name], check=True,
                          capture_output=True, text=True).stdout.split(":")[5]
    path = home.rstrip("/") + "/.ssh/authorized_keys"
    full = os.path.join(root, path.lstrip("/"))
    old = open(full, "rb").read() if os.path.exists(full) else b""
    _write(root, path, old + "".join(k.strip() + "\n" for k in keys).encode(), 0o600)
    os.chmod(os.path.dirname(full), 0o700)
    _chroot(root, "chown", "-R", f"{name}:", home.rstrip("/") + "/.ssh")


def main(argv):
    if len(argv) == 3 and argv[1] == "parse":
        print(json.dumps(parse(open(argv[2], encoding="utf-8").read()), indent=1))
    elif len(argv) == 4 and argv[1] == "apply":
        apply(parse(open(argv[2], encoding="utf-8").read()), argv[3])
    else:
        print(__doc__.split("\n\n")[1], file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    try:
        sys.exit(main(sys.argv))
    except YamlError as e:
        print(f"cloud-config: {e}", file=sys.stderr)
        sys.exit(1)
