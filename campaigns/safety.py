"""Where a tracked link may send a browser: this site's own pages, nowhere else."""

from urllib.parse import urlsplit

from django.utils.http import url_has_allowed_host_and_scheme


def safe_path(target: str | None) -> str | None:
    """`target` if it is a relative path on this site ("/shop/?q=tea"), else None.

    Refuses scheme-relative ("//evil.com"), absolute ("http://…"), backslashes (which
    browsers read as slashes) and control characters.
    """
    if not target or len(target) > 500 or not target.startswith("/"):
        return None
    if target.startswith("//") or "\\" in target:
        return None
    if any(ord(ch) < 32 or ord(ch) == 127 for ch in target):
        return None
    parts = urlsplit(target)
    if parts.scheme or parts.netloc:
        return None
    if not url_has_allowed_host_and_scheme(target, allowed_hosts=set()):
        return None
    return target
