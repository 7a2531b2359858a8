"""The record of API calls: every call made with a token goes through `record_call`, and only it.

Who (the token, hence its owner), what (method and endpoint) and how many teachers' data the
answer held. An answer that held teachers' data is also an access record of its owner
(`pilots.privacy.access_log`), beside the views of the pages, exports and admin.
"""

from pilots.privacy.access_log import record_access

from .models import ApiCall


def record_call(*, token, endpoint: str, method: str, status_code: int, teachers: int = 0, request=None) -> None:
    ApiCall.objects.create(
        token=token, endpoint=endpoint[:200], method=method, status_code=status_code, teachers=teachers
    )
    if teachers:
        record_access(request if request is not None else token.owner, f"API {method} {endpoint}", teachers)
