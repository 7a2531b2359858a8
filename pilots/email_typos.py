"""A likely typo in the domain of an email address (gmial.com, yaho.com), and what was probably
meant. The teacher decides: the form offers the suggestion and accepts either answer."""

import difflib
import functools

# Mail providers teachers in Cambodia, Thailand and Vietnam use most.
COMMON_DOMAINS = (
    "gmail.com", "yahoo.com", "hotmail.com", "outlook.com", "icloud.com", "live.com", "msn.com",
    "yahoo.co.th", "hotmail.co.th", "outlook.co.th", "yahoo.com.vn", "ymail.com", "proton.me",
    "protonmail.com", "mail.com",
)


def suggest_email(address: str) -> str | None:
    """The address with its domain corrected when it is one letter or two away from a common
    provider's (`sok@gmial.com` -> `sok@gmail.com`); None when it looks right or unlike any."""
    local, at, domain = address.rpartition("@")
    if not at or not local or not domain:
        return None
    close = _closest_domain(domain.lower())
    return f"{local}@{close}" if close else None


@functools.lru_cache(maxsize=4096)  # a school's teachers share a domain: compared once per process
def _closest_domain(domain: str) -> str | None:
    if domain in COMMON_DOMAINS:
        return None
    close = difflib.get_close_matches(domain, COMMON_DOMAINS, n=1, cutoff=0.8)
    return close[0] if close else None
