"""The client's address, as the rate limits and throttles must count it.

Behind N trusted reverse proxies (setting PILOTS_PROXY_COUNT), each proxy appends the address it
received the request from to X-Forwarded-For, so the real client is the N-th entry from the right;
anything further left was written by the client and cannot be trusted. With no proxy (0, the
default) the address is the socket's, REMOTE_ADDR.
"""

from django.conf import settings


def client_ip(request) -> str:
    proxies = getattr(settings, "PILOTS_PROXY_COUNT", 0)
    remote = request.META.get("REMOTE_ADDR", "")
    if proxies <= 0:
        return remote
    forwarded = [part.strip() for part in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")]
    forwarded = [part for part in forwarded if part]
    if len(forwarded) < proxies:
        # Fewer entries than proxies: the request did not come through all of them.
        return forwarded[0] if forwarded else remote
    return forwarded[-proxies]


def ratelimit_key(group, request) -> str:
    """django-ratelimit key function: one bucket per real client."""
    return client_ip(request)
