"""fake_login: Entra ID (device code, refresh, client credentials), the bearer check
ARM and Graph make, and the Microsoft Graph service principal calls."""
import time
import uuid
from urllib.parse import parse_qsl

from fake_core import TENANT, Reply, arm_error, now, oauth_error, recorded


def devicecode(app, body):
    st = app.st
    r = recorded(st, "auth/devicecode_200.json")
    code = "FAKE-DEVICE-CODE-%s" % uuid.uuid4().hex[:16]
    st.devices[code] = {"approved": False, "declined": False, "created": now(), "polls": 0}
    st.secrets.append(code)
    r.body["device_code"] = code
    r.body["interval"] = 1
    r.body["expires_in"] = st.script["device_expires_in"]
    r.body.update(st.script["device_text"])
    return r


def token(app, body):
    st = app.st
    form = dict(parse_qsl(body.decode(errors="replace")))
    grant = form.get("grant_type", "")
    scope = form.get("scope", "https://management.core.windows.net//.default")
    aud = scope.split()[0].replace("/.default", "")
    if grant.endswith("device_code"):
        dev = st.devices.get(form.get("device_code", ""))
        if dev is None:
            return oauth_error(st, "bad_verification_code", "AADSTS70019: unknown device code")
        dev["polls"] += 1
        if now() - dev["created"] > float(st.script["device_expires_in"]):
            return recorded(st, "auth/token_device_expired_token_400.json")
        if dev["declined"]:
            return oauth_error(st, "authorization_declined", "AADSTS70000: the user declined")
        if dev["polls"] <= int(st.script["device_slow_down"]):
            return recorded(st, "auth/token_device_slow_down_400.json")
        if not dev["approved"]:
            return recorded(st, "auth/token_device_authorization_pending_400.json")
        r = recorded(st, "auth/token_device_success_200.json")
        r.body["refresh_token"] = st.mint_refresh()
    elif grant == "refresh_token":
        if form.get("refresh_token") not in st.refresh:
            return oauth_error(st, "invalid_grant", "AADSTS70000: the refresh token is not valid")
        r = recorded(st, "auth/token_refresh_200.json")
        r.body["refresh_token"] = st.mint_refresh()
    elif grant == "client_credentials":
        if form.get("client_secret") != st.script["client_secret"]:
            return recorded(st, "auth/token_client_credentials_invalid_client_401.json")
        r = recorded(st, "auth/token_client_credentials_200.json")
    else:
        return oauth_error(st, "unsupported_grant_type", "AADSTS70003: unsupported grant type")
    r.body["access_token"] = st.mint_access(aud)
    r.body["expires_in"] = r.body["ext_expires_in"] = int(float(st.script["token_lifetime"]))
    return r


def check_auth(app, headers):
    st = app.st
    if not st.script["require_auth"]:
        return None
    h = headers.get("Authorization", "")
    tok = h[7:] if h.lower().startswith("bearer ") else ""
    www = ('Bearer authorization_uri="%s/%s", error="invalid_token", '
           'error_description="The access token is missing or expired."' % (app.base, TENANT))
    if tok not in st.tokens:
        return arm_error(401, "InvalidAuthenticationToken",
                         "The access token is invalid.", {"WWW-Authenticate": www})
    if st.tokens[tok] <= now():
        return arm_error(401, "ExpiredAuthenticationToken",
                         "The access token expiry UTC time '%s' is earlier than current UTC time '%s'." % (
                             time.strftime("%m/%d/%Y %H:%M:%S", time.gmtime(st.tokens[tok])),
                             time.strftime("%m/%d/%Y %H:%M:%S", time.gmtime())),
                         {"WWW-Authenticate": www})
    return None


def graph(app, method, path, body):
    st = app.st
    low = path.lower()
    if method == "POST" and low == "/v1.0/serviceprincipals":
        st.sp_created = now()
    if method == "GET" and low.startswith("/v1.0/serviceprincipals/"):
        if st.sp_created is None or not st.replicated(st.sp_created):
            return recorded(st, "graph/servicePrincipals_get_404_Request_ResourceNotFound.json")
        r = recorded(st, "graph/servicePrincipals_create_201.json")
        r.status = 200
        r.headers.pop("Location", None)
        return r
    rec = st.rec.find(method, path)
    if rec is None:
        return Reply(404, {"error": {"code": "Request_ResourceNotFound", "message": "no such object"}})
    r = recorded(st, rec)
    if isinstance(r.body, dict) and r.body.get("secretText"):
        st.secrets.append(r.body["secretText"])
    return r
