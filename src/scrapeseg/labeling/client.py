"""A thin wrapper over the Label Studio SDK that turns every failure into one clear line (never the token)."""

from __future__ import annotations

import contextlib
import json
import re
from collections.abc import Iterator

ENV_URL = "LABEL_STUDIO_URL"
ENV_TOKEN = "LABEL_STUDIO_API_KEY"
DETAIL_CHARS = 300


class StudioError(RuntimeError):
    """A Label Studio problem the user can act on, in one line without secrets."""


def _detail(body) -> str:
    """The useful part of an error body: Label Studio's validation errors or detail, shortened."""
    if isinstance(body, (bytes, str)):
        with contextlib.suppress(ValueError):
            body = json.loads(body)
    if isinstance(body, dict):
        errors = body.get("validation_errors") or body.get("detail") or body.get("errors") or body
        text = json.dumps(errors, ensure_ascii=False) if not isinstance(errors, str) else errors
    else:
        text = str(body)
    return re.sub(r"\s+", " ", text).strip()[:DETAIL_CHARS]


@contextlib.contextmanager
def translated(action: str, url: str) -> Iterator[None]:
    """Re-raise SDK and network errors met while doing `action` as StudioError with one line."""
    import httpx
    from label_studio_sdk.core.api_error import ApiError

    try:
        yield
    except ApiError as err:
        status = err.status_code
        if status in (401, 403):
            raise StudioError(f"Label Studio at {url} rejected the API token (HTTP {status}) while trying to {action}; check {ENV_TOKEN} or --token") from None
        if status == 404:
            raise StudioError(f"Label Studio at {url} has no such resource (HTTP 404) while trying to {action}") from None
        if status is not None and status >= 500:
            raise StudioError(f"Label Studio at {url} failed with a server error (HTTP {status}) while trying to {action}") from None
        raise StudioError(f"Label Studio at {url} refused to {action} (HTTP {status}): {_detail(err.body)}") from None
    except httpx.ConnectError:
        raise StudioError(f"no Label Studio server answers at {url} (connection refused) while trying to {action}; start it or check {ENV_URL} or --url") from None
    except httpx.TimeoutException:
        raise StudioError(f"Label Studio at {url} did not answer in time while trying to {action}") from None
    except httpx.HTTPError as err:
        raise StudioError(f"HTTP error talking to Label Studio at {url} while trying to {action}: {type(err).__name__}") from None


def connect(url: str | None, token: str | None, timeout: float):
    """An SDK client for the server; URL and token must be given (flags or environment)."""
    if not url:
        raise StudioError(f"no Label Studio URL: set {ENV_URL} or pass --url")
    if not token:
        raise StudioError(f"no Label Studio API token: set {ENV_TOKEN} or pass --token")
    from label_studio_sdk import LabelStudio

    return LabelStudio(base_url=url.rstrip("/"), api_key=token, timeout=timeout)
