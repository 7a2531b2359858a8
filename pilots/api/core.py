"""What every API operation shares: the token, rate limits, the language, the record of calls,
cursors, and the conditional GET of the public answers."""

import datetime as dt
import hashlib
from functools import wraps

from django.conf import settings
from django.core import signing
from django.core.cache import cache
from django.db.models import Q
from django.http import HttpResponseNotModified
from django.utils import timezone, translation
from django.utils.cache import patch_cache_control, patch_vary_headers
from django.utils.http import http_date, parse_http_date_safe
from django_ratelimit.core import get_usage
from ninja.security import HttpBearer

from pilots import data_version
from pilots.i18n.middleware import browser_language
from pilots.reports.cache import cached

from .audit import record_call
from .errors import ApiError, RateLimited
from .tokens import find_token, mark_used


def check_rate(request, *, group: str, key, rate: str) -> None:
    """Count this request against `rate` (django-ratelimit syntax) in the default cache (Redis in
    production); over it, RateLimited (429) with Retry-After: the seconds until the window ends."""
    usage = get_usage(request, group=group, key=key, rate=rate, increment=True)
    if usage and usage["should_limit"]:
        raise RateLimited(usage["time_left"])


class TokenAuth(HttpBearer):
    """`Authorization: Bearer <token>`. The call then acts as the token's owner (request.user, so
    that the history of what it changes names them), counted against the token's rate limit."""

    def authenticate(self, request, token):
        api_token = find_token(token)
        if api_token is None:
            return None
        request.api_token = api_token
        request.user = api_token.owner
        check_rate(request, group="pilots.api.token", key=lambda _group, _request: f"token:{api_token.pk}",
                   rate=settings.PILOTS_API_TOKEN_RATE)
        mark_used(api_token)
        return api_token


def require_perm(request, perm: str, *, write: bool = False) -> None:
    """403 unless the token's owner has `perm`; writes also need a token that may write."""
    token = request.auth
    if not token.owner.has_perm(perm):
        raise ApiError("forbidden", 403)
    if write and not token.can_write:
        raise ApiError("read_only", 403)


def local_time(date: dt.date, time: dt.time) -> str:
    """A session's wall-clock time with its UTC offset (the site's time zone: all three countries
    are UTC+7), e.g. 08:00:00+07:00: an RFC 3339 time that a client elsewhere reads right."""
    offset = dt.datetime.combine(date, time, tzinfo=timezone.get_default_timezone()).strftime("%z")
    return f"{time.isoformat()}{offset[:3]}:{offset[3:]}"


def count_teachers(request, n: int) -> None:
    """How many teachers' data this answer holds, for the record of the call."""
    request.api_teachers = getattr(request, "api_teachers", 0) + n


def api_view(view, route: str):
    """Wrap one of the API's Django views: the language from Accept-Language (never the site's
    cookie: a partner's server asks in its own language), and the record of each call made with a
    token (who, what, how many teachers' data), whatever the answer."""

    @wraps(view)
    def wrapped(request, *args, **kwargs):
        language = browser_language(request) or settings.LANGUAGE_CODE
        with translation.override(language):
            request.LANGUAGE_CODE = language
            response = view(request, *args, **kwargs)
            token = getattr(request, "api_token", None)
            if token is not None:
                record_call(token=token, endpoint=route, method=request.method, status_code=response.status_code,
                            teachers=getattr(request, "api_teachers", 0), request=request)
        response.headers["Content-Language"] = language
        patch_vary_headers(response, ["Accept-Language"])
        return response

    return wrapped


# --- cursors -----------------------------------------------------------------------------------

CURSOR_SALT = "pilots.api.cursor"


def paginate(queryset, *, cursor: str | None, limit: int, field: str):
    """One page of `queryset` in (`field`, pk) order after `cursor`, and the next page's cursor (or
    None). The cursor is signed, so it cannot be forged into another filter; a bad one is a 400.
    One query, whatever the page."""
    queryset = queryset.order_by(field, "pk")
    if cursor:
        try:
            value, pk = signing.loads(cursor, salt=CURSOR_SALT)
        except (signing.BadSignature, ValueError, TypeError) as exc:
            raise ApiError("invalid_cursor", 400) from exc
        queryset = queryset.filter(Q(**{f"{field}__gt": value}) | Q(**{field: value, "pk__gt": pk}))
    items = list(queryset[: limit + 1])
    if len(items) <= limit:
        return items, None
    items = items[:limit]
    last = items[-1]
    value = getattr(last, field)
    return items, signing.dumps([value.isoformat() if hasattr(value, "isoformat") else value, last.pk],
                                salt=CURSOR_SALT, compress=True)


# --- conditional GET of public answers ---------------------------------------------------------

# Registration windows open and close with the clock, not with a write: an answer is also renewed
# every few minutes, so a cohort whose registration has just closed does not linger in caches.
WINDOW_SECONDS = 300
PUBLIC_MAX_AGE = 60


def _window_start() -> dt.datetime:
    now = int(timezone.now().timestamp())
    return dt.datetime.fromtimestamp(now - now % WINDOW_SECONDS, tz=dt.UTC)


def version_seen_at(version: str) -> dt.datetime:
    """When this process's cache first saw data version `version`: the data of that version were
    written no later than that, so it can stand as Last-Modified."""
    key = f"pilots:api:version-seen:{version}"
    # Kept a day: every write makes a new version, and a forgotten one only moves Last-Modified later.
    cache.add(key, timezone.now(), 24 * 60 * 60)
    return cache.get(key) or timezone.now()


def public_cached(request, params, compute):
    """A public answer, computed once per data version, language, host, validated parameters and
    time window (it is the same for every visitor), in the reports' cache (`pilots.reports.cache`).
    Only validated parameters make the key, so made-up query strings cannot fill the cache."""
    parts = ("api-public", translation.get_language(), request.get_host(), request.path, tuple(params),
             _window_start().isoformat())
    return cached(parts, compute)


def public_etag(request, *args, **kwargs) -> str:
    parts = (data_version.current(), translation.get_language(), request.get_full_path(), _window_start().isoformat())
    return hashlib.sha256(repr(parts).encode()).hexdigest()[:32]


def public_last_modified(request, *args, **kwargs) -> dt.datetime:
    return max(version_seen_at(data_version.current()), _window_start())


def public_get(view):
    """ETag and Last-Modified from the data version and the language; If-None-Match or
    If-Modified-Since that still match get 304 without touching the database. Cacheable for a
    minute by anyone (no personal data), and readable from other sites' pages (CORS, see settings)."""

    @wraps(view)
    def wrapped(request, *args, **kwargs):
        etag = f'"{public_etag(request)}"'
        last_modified = public_last_modified(request).replace(microsecond=0)
        if_none_match = request.headers.get("If-None-Match")
        not_modified = (
            etag in [t.strip() for t in if_none_match.split(",")] or if_none_match.strip() == "*"
            if if_none_match else _not_modified_since(request, last_modified)
        )
        if not_modified:
            response = HttpResponseNotModified()
        else:
            response = view(request, *args, **kwargs)
            if response.status_code != 200:
                return response
        response.headers["ETag"] = etag
        response.headers["Last-Modified"] = http_date(last_modified.timestamp())
        patch_cache_control(response, public=True, max_age=PUBLIC_MAX_AGE)
        return response

    return wrapped


def _not_modified_since(request, last_modified) -> bool:
    since = parse_http_date_safe(request.headers.get("If-Modified-Since", ""))
    return since is not None and int(last_modified.timestamp()) <= since
