"""A drf-spectacular postprocessing hook (its own module: DRF's settings import it early)."""

from __future__ import annotations

from typing import Any

PROBLEM = "application/problem+json"


def problem_media_types(result: dict[str, Any], **kwargs: Any) -> dict[str, Any]:
    """Every error response of the API is problem details, so its media type is
    `application/problem+json` (the views answer so, `problems.py`)."""
    for path in result.get("paths", {}).values():
        for operation in path.values():
            if not isinstance(operation, dict):
                continue
            for code, response in operation.get("responses", {}).items():
                content = response.get("content")
                if str(code).startswith(("4", "5")) and content and "application/json" in content:
                    response["content"] = {PROBLEM: content["application/json"]}
    return result
