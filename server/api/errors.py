"""Turn domain errors and validation errors into JSON responses with Chinese messages."""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse

from server.errors import DomainError, TooManyRequests

# Pydantic's own messages are English; users get these instead, keyed by error type.
_PYDANTIC_MESSAGES_ZH: dict[str, str] = {
    "missing": "请填写此项",
    "string_too_short": "内容太短",
    "string_too_long": "内容太长",
    "string_type": "应为文字",
    "int_parsing": "应为整数",
    "int_type": "应为整数",
    "float_parsing": "应为数字",
    "decimal_parsing": "应为数字",
    "greater_than": "数值太小",
    "greater_than_equal": "数值太小",
    "less_than": "数值太大",
    "less_than_equal": "数值太大",
    "enum": "不是可选的值",
    "literal_error": "不是可选的值",
    "url_parsing": "链接格式不正确",
    "url_scheme": "链接必须以 https:// 开头",
    "bool_parsing": "应为是或否",
    "json_invalid": "请求内容不是有效的 JSON",
    "list_type": "应为列表",
    "too_short": "至少需要一项",
    "too_long": "项目太多",
    "extra_forbidden": "不认识的字段",
    "datetime_parsing": "时间格式不正确",
    "datetime_from_date_parsing": "时间格式不正确",
}


def _field_path(loc: tuple[Any, ...]) -> str:
    return ".".join(str(p) for p in loc if p not in ("body", "query", "path", "header"))


def validation_problems(errors: list[dict[str, Any]]) -> list[dict[str, str]]:
    """Pydantic errors as [{field, message}] with Chinese messages."""
    problems = []
    for err in errors:
        if err.get("type") == "value_error":
            # Our validators raise ValueError with a Chinese message already.
            cause = err.get("ctx", {}).get("error")
            message = str(cause) if cause else err.get("msg", "")
        else:
            message = _PYDANTIC_MESSAGES_ZH.get(err.get("type", ""), "填写内容不正确")
        problems.append({"field": _field_path(tuple(err.get("loc", ()))), "message": message})
    return problems


def install_error_handlers(app: FastAPI) -> None:
    """Register the handlers on `app`."""

    @app.exception_handler(DomainError)
    async def _domain_error(_request: Request, exc: DomainError) -> JSONResponse:
        headers = {}
        if isinstance(exc, TooManyRequests) and exc.retry_after:
            headers["Retry-After"] = str(exc.retry_after)
        body = {"detail": exc.message, "code": exc.code, **exc.details}
        return JSONResponse(body, status_code=exc.status_code, headers=headers)

    @app.exception_handler(RequestValidationError)
    async def _validation_error(_request: Request, exc: RequestValidationError) -> JSONResponse:
        problems = validation_problems(list(exc.errors()))
        first = problems[0] if problems else {"field": "", "message": "填写内容不正确"}
        detail = f"{first['field']}: {first['message']}" if first["field"] else first["message"]
        return JSONResponse({"detail": detail, "code": "invalid", "errors": problems}, status_code=422)
