"""The record of API calls: every call made with a token goes through `record_call`, and only it.

Who (the token, hence its owner), what (method and endpoint) and how many teachers' data the
answer held. Kept to one function so that it can be pointed at a general access record later.
"""

from .models import ApiCall


def record_call(*, token, endpoint: str, method: str, status_code: int, teachers: int = 0) -> None:
    ApiCall.objects.create(
        token=token, endpoint=endpoint[:200], method=method, status_code=status_code, teachers=teachers
    )
