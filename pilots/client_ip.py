"""The client's address, the one place that knows how many proxies stand in front of the site.

Login throttling (django-axes, AXES_CLIENT_IP_CALLABLE) and the rate limits (django-ratelimit,
RATELIMIT_IP_META_KEY) both ask `client_ip`. Without a proxy (PILOTS_PROXY_COUNT=0) it is
REMOTE_ADDR: a client-sent X-Forwarded-For is ignored, since anyone can write one. Behind N trusted
proxies, each of which appends the address it received the request from to X-Forwarded-For (nginx:
`proxy_add_x_forwarded_for`), the client's address is the N-th entry from the right; entries further
left were written by the client and are never trusted.
"""

import ipaddress

from django.conf import settings


def _valid(address: str) -> str:
    try:
        return str(ipaddress.ip_address(address.strip()))
    except ValueError:
        return ""


# A request with no usable address (a Unix socket, a test harness) still gets one, shared by all of
# them: the rate limits need an address to count against.
UNKNOWN = "0.0.0.0"


def client_ip(request) -> str:
    remote = _valid(request.META.get("REMOTE_ADDR", "") or "") or UNKNOWN
    proxies = settings.PILOTS_PROXY_COUNT
    if proxies <= 0:
        return remote
    forwarded = [part.strip() for part in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")]
    forwarded = [part for part in forwarded if part]
    if not forwarded:
        return remote  # reached the site without passing through the proxies
    # Fewer entries than proxies: the request entered after the outermost proxy; the leftmost entry
    # was still written by one of ours.
    candidate = forwarded[-proxies] if len(forwarded) >= proxies else forwarded[0]
    return _valid(candidate) or remote
