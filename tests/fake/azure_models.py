"""azure_models: checks an ARM request against Azure's own published models, the mappers of
Azure's JavaScript SDK packages pinned in tests/fake/package.json (one api-version per
package version; azure_models.mjs turns them into JSON). A path one of those packages serves
must carry an api-version the package serves for it, and a PUT/PATCH/POST body must fit the
operation's request model: no unknown property, every required one, JSON types and fixed
enum values as the mapper says. Read-only properties are skipped: ARM ignores what a client
sends for them (the SDK sends GET bodies back as PUTs)."""
import json
import os
import re
import subprocess

from fake_core import HERE, aks_error, arm_error

CACHE = os.path.join(HERE, "node_modules", ".studio-azure-models.json")
LOCK = os.path.join(HERE, "package-lock.json")
STRINGS = {"String", "Uuid", "DateTime", "Date", "DateTimeRfc1123", "ByteArray", "Base64Url",
           "TimeSpan", "UnixTime"}


def ensure(path=CACHE):
    """The models, from the JSON azure_models.mjs writes when it is missing or older than the
    lock file or the script."""
    script = os.path.join(HERE, "azure_models.mjs")
    if not os.path.exists(path) or os.path.getmtime(path) < max(os.path.getmtime(LOCK),
                                                                 os.path.getmtime(script)):
        if not os.path.isdir(os.path.join(HERE, "node_modules", "@azure")):
            raise SystemExit("fakecloud: Azure's SDK models are not installed: run tests/fake/fakekube-install.sh")
        subprocess.run(["node", script, path], check=True,
                       stdout=subprocess.DEVNULL)
    with open(path) as f:
        return Models(json.load(f))


def split_name(serialized):
    """'properties.hardwareProfile' -> ['properties', 'hardwareProfile']; '\\.' is a literal dot."""
    return [p.replace("\0", ".") for p in serialized.replace("\\.", "\0").split(".")]


def is_leaf(node):
    """A property mapper, not a level of a flattened name ('properties' of 'properties.x')."""
    return isinstance(node.get("serializedName"), str) and isinstance(node.get("type"), dict)


class Invalid(Exception):
    def __init__(self, kind, path, detail):
        super().__init__(detail)
        self.kind, self.path, self.detail = kind, path, detail


class Package:
    def __init__(self, doc):
        self.name, self.version = doc["name"], doc["version"]
        self.mappers = doc["mappers"]
        self.discriminators = doc["discriminators"]
        self.exact = {}     # segment count -> [(lower-case literals, None for a parameter), ...]
        self.wide = []
        for op in doc["ops"]:
            t = op["path"]
            # A nextLink is any URL; a template that is one parameter ("/{resourceId}") or
            # names no type matches every path: the typed templates say more.
            if not t.startswith("/") or not op["apiVersions"] or re.fullmatch(r"/\{[^}]+\}", t) \
                    or "{resourceType}" in t or "{parentResourcePath}" in t:
                continue
            segs = t.strip("/").split("/")
            literal = sum(len(x) for x in segs if "{" not in x)
            if any(x[1:-1] in op["wide"] for x in segs if "{" in x):
                # A parameter that spans segments ({scope}): a regular expression, for the few.
                rx = "".join((".+" if x[1:-1] in op["wide"] else "[^/]+") if x.startswith("{")
                             else re.escape(x) for x in re.split(r"(\{[^}]+\})", t))
                self.wide.append((re.compile("^" + rx + "$", re.I), literal, op))
            else:
                key = tuple(None if "{" in x else x.lower() for x in segs)
                self.exact.setdefault(len(segs), []).append((key, literal, op))

    def matches(self, path):
        """(literal length, op) of every template that matches path."""
        segs = path.strip("/").lower().split("/")
        for key, literal, op in self.exact.get(len(segs), ()):
            if all(k is None or k == s for k, s in zip(key, segs)):
                yield literal, op
        for rx, literal, op in self.wide:
            if rx.match(path):
                yield literal, op

    # Bodies -----------------------------------------------------------------------------
    def props(self, mapper):
        """(class name, {json key: leaf mapper or nested dict}, open) of a composite mapper."""
        t = mapper["type"]
        cls = t.get("className") or "Object"
        full = self.mappers.get(cls, mapper)
        ft = full["type"]
        model = t.get("modelProperties") or ft.get("modelProperties") or {}
        tree = {}
        for p in model.values():
            if not p.get("serializedName"):
                continue
            node = tree
            parts = split_name(p["serializedName"])
            for part in parts[:-1]:
                node = node.setdefault(part, {})
            node[parts[-1]] = p
        return cls, tree, bool(ft.get("additionalProperties") or t.get("additionalProperties"))

    def subtype(self, mapper, value):
        """The polymorphic subtype the body's discriminator names, else mapper."""
        cls = mapper["type"].get("className")
        full = self.mappers.get(cls or "", {}).get("type", {})
        disc = full.get("polymorphicDiscriminator")
        if not disc or not isinstance(value, dict):
            return mapper
        kind = value.get(disc["serializedName"])
        sub = self.discriminators.get("%s.%s" % (cls, kind)) or \
            self.discriminators.get("%s.%s" % (full.get("uberParent") or cls, kind))
        return self.mappers[sub] if sub and sub != cls else mapper

    def check(self, value, mapper, path):
        t = mapper["type"]
        name = t["name"]
        if value is None:
            return
        if name == "Composite":
            mapper = self.subtype(mapper, value)
            if not isinstance(value, dict):
                raise Invalid("type", path, (value, mapper["type"].get("className")))
            cls, tree, open_ = self.props(mapper)
            self.walk(value, tree, cls, open_, path)
        elif name == "Sequence":
            if not isinstance(value, list):
                raise Invalid("type", path, (value, "List"))
            for i, v in enumerate(value):
                self.check(v, t["element"], "%s[%d]" % (path, i))
        elif name == "Dictionary":
            if not isinstance(value, dict):
                raise Invalid("type", path, (value, "Dictionary"))
            for k, v in value.items():
                self.check(v, t["value"], "%s.%s" % (path, k) if path else k)
        elif name == "Enum":
            if not isinstance(value, str) or value.lower() not in [a.lower() for a in t["allowedValues"]]:
                raise Invalid("enum", path, (value, t["allowedValues"]))
        elif name in STRINGS:
            if not isinstance(value, str):
                raise Invalid("type", path, (value, name))
        elif name == "Number":
            if isinstance(value, bool) or not isinstance(value, (int, float)):
                raise Invalid("type", path, (value, name))
        elif name == "Boolean":
            if not isinstance(value, bool):
                raise Invalid("type", path, (value, name))
        if mapper.get("isConstant") and value != mapper.get("defaultValue"):
            raise Invalid("enum", path, (value, [mapper.get("defaultValue")]))

    def walk(self, value, tree, cls, open_, path):
        # Member names match case-insensitively, as ARM's and the providers' JSON readers do.
        low = {k.lower(): k for k in tree}
        for k, v in value.items():
            here = "%s.%s" % (path, k) if path else k
            key = low.get(k.lower())
            if key is None:
                if open_:
                    continue
                raise Invalid("unknown", here, cls)
            node = tree[key]
            if is_leaf(node):
                if not node.get("readOnly"):
                    self.check(v, node, here)
            elif v is not None:
                if not isinstance(v, dict):
                    raise Invalid("type", here, (v, cls))
                self.walk(v, node, cls, open_, here)
        got = {k.lower(): v for k, v in value.items()}
        for key, node in tree.items():
            here = "%s.%s" % (path, key) if path else key
            if is_leaf(node):
                if node.get("required") and not node.get("readOnly") and not node.get("isConstant") \
                        and got.get(key.lower()) is None:
                    raise Invalid("required", here, cls)
            elif got.get(key.lower()) is None:
                need = self.first_required(node, here)
                if need:
                    raise Invalid("required", need, cls)

    def first_required(self, tree, path):
        for key, node in tree.items():
            here = "%s.%s" % (path, key)
            if is_leaf(node):
                if node.get("required") and not node.get("readOnly") and not node.get("isConstant"):
                    return here
            else:
                need = self.first_required(node, here)
                if need:
                    return need
        return None


class Models:
    def __init__(self, doc):
        self.packages = [Package(p) for p in doc["packages"]]

    def match(self, path):
        """[(package, op), ...] of the most specific templates that match path (or [])."""
        best, hits = -1, []
        for pkg in self.packages:
            for literal, op in pkg.matches(path):
                if literal > best:
                    best, hits = literal, [(pkg, op)]
                elif literal == best:
                    hits.append((pkg, op))
        return hits

    def check(self, method, path, query, body):
        """(Reply Azure gives or None, what judged it: "package@version [Class]" or None when
        no package serves the path)."""
        hits = self.match(path)
        if not hits:
            return None, None
        ns = re.findall(r"/providers/([^/]+)", path, re.I)
        err = aks_error if ns and ns[-1].lower() == "microsoft.containerservice" else arm_error
        version = query.get("api-version")
        served = sorted({v for _, op in hits for v in op["apiVersions"]})
        who = "%s@%s" % (hits[0][0].name, hits[0][0].version)
        if version not in served:
            return self.bad_version(path, version, served, hits[0][1]["path"], body), who
        ops = [(p, op) for p, op in hits if op["method"] == method and version in op["apiVersions"]]
        if not ops or method not in ("PUT", "PATCH", "POST") or ops[0][1]["body"] is None:
            return None, who
        pkg, op = ops[0]
        mapper = op["body"]
        who += " " + (mapper["type"].get("className") or mapper["type"]["name"])
        try:
            value = json.loads(body) if body else None
        except ValueError:
            return None, who    # fake_arm's parse_body answers bodies that are not JSON
        try:
            if value is None:
                if mapper.get("required"):
                    raise Invalid("required", mapper.get("serializedName") or "parameters",
                                  mapper["type"].get("className") or "body")
                return None, who
            pkg.check(value, mapper, "")
        except Invalid as e:
            return refusal(err, e), who
        return None, who

    @staticmethod
    def bad_version(path, version, served, template, body):
        ns = re.findall(r"/providers/([^/]+)/([^/?]+)", path, re.I)
        if not ns or ns[-1][0].lower() == "microsoft.resources" or "{resourceProviderNamespace}" in template:
            # Subscription-level routes (groups, providers): ARM's own check.
            return arm_error(400, "InvalidApiVersionParameter",
                             "The api-version '%s' is invalid. The supported versions are '%s'." %
                             (version, ",".join(served)))
        types = [seg for i, seg in enumerate(template.split("/providers/")[-1].split("/")[1:]) if i % 2 == 0]
        where = ""
        try:
            loc = json.loads(body).get("location") if body else None
            where = " for location '%s'" % loc if isinstance(loc, str) else ""
        except (ValueError, AttributeError):
            pass
        return arm_error(400, "NoRegisteredProviderFound",
                         "No registered resource provider found%s and API version '%s' for type '%s'. "
                         "The supported api-versions are '%s'." %
                         (where, version, "/".join(types), ", ".join(served)))


def refusal(err, e):
    """Azure's words for each kind: the JSON reader's for an unknown member or a value it
    cannot convert (InvalidRequestContent), the provider's for a missing parameter."""
    if e.kind == "unknown":
        return err(400, "InvalidRequestContent",
                   "The request content was invalid and could not be deserialized: 'Could not find member "
                   "'%s' on object of type '%s'. Path '%s'.'." % (e.path.rsplit(".", 1)[-1], e.detail, e.path))
    if e.kind == "required":
        return err(400, "InvalidParameter", "Required parameter '%s' is missing (null)." % e.path,
                   target=e.path or None)
    value, want = e.detail
    if e.kind == "enum":
        return err(400, "InvalidRequestContent",
                   "The request content was invalid and could not be deserialized: 'Error converting value "
                   "%s to type '%s'. Path '%s'.'. Allowed values: %s." %
                   (json.dumps(value), e.path.rsplit(".", 1)[-1], e.path, json.dumps(want)),
                   target=e.path)
    return err(400, "InvalidRequestContent",
               "The request content was invalid and could not be deserialized: 'Error converting value "
               "%s to type '%s'. Path '%s'.'." % (json.dumps(value)[:80], want, e.path), target=e.path)
