"""`/api/public/models`: model price definitions (list, create, get, delete) in Langfuse's shapes.

Built-in definitions are listed with `isLangfuseManaged: true` (and their price date and source); a project's own
definitions win over them when both match a generation. Wire <-> domain conversion lives here, beside its only user.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any

import orjson
from fastapi import APIRouter, Depends, Request

from spyglass.api.auth import project_id
from spyglass.api.body import read_json
from spyglass.api.context import AppContext, context
from spyglass.api.errors import ApiError
from spyglass.api.params import page_request, timestamp
from spyglass.api.wire import iso, page_meta
from spyglass.domain.bounds import MAX_KEY_BYTES, check_datetime
from spyglass.domain.pricing import (
    OPERATORS,
    TOKENIZERS,
    UNITS,
    ModelDefinition,
    PricingError,
    PricingTier,
    UsageCondition,
    compile_pattern,
    validate_prices,
)

router = APIRouter()

_FLAT = {"inputPrice": "input", "outputPrice": "output", "totalPrice": "total"}
_BUILTIN_CREATED = datetime(2026, 11, 27, tzinfo=UTC)


@router.get("/models")
async def list_models(
    project: str = Depends(project_id),
    ctx: AppContext = Depends(context),  # noqa: B008
    page: int | None = None,
    limit: int | None = None,
) -> dict[str, Any]:
    result = await ctx.store.list_models(project, page_request(page, limit))
    return {"data": [model_to_wire(m) for m in result.items], "meta": page_meta(result)}


@router.post("/models")
async def create_model(
    request: Request,
    project: str = Depends(project_id),
    ctx: AppContext = Depends(context),  # noqa: B008
) -> dict[str, Any]:
    definition = model_from_wire(await read_json(request, ctx.settings.max_body_bytes))
    return model_to_wire(await ctx.store.create_model(project, definition))


@router.get("/models/{model_id}")
async def get_model(
    model_id: str,
    project: str = Depends(project_id),
    ctx: AppContext = Depends(context),  # noqa: B008
) -> dict[str, Any]:
    return model_to_wire(await ctx.store.get_model(project, model_id))


@router.delete("/models/{model_id}")
async def delete_model(
    model_id: str,
    project: str = Depends(project_id),
    ctx: AppContext = Depends(context),  # noqa: B008
) -> dict[str, Any]:
    await ctx.store.delete_model(project, model_id)
    return {"message": "Model successfully deleted"}


# --- wire <-> domain ---


def _tier_to_wire(tier: PricingTier) -> dict[str, Any]:
    return {
        "id": tier.id,
        "name": tier.name,
        "isDefault": tier.is_default,
        "priority": tier.priority,
        "conditions": [
            {
                "usageDetailPattern": c.usage_detail_pattern,
                "operator": c.operator,
                "value": c.value,
                "caseSensitive": c.case_sensitive,
            }
            for c in tier.conditions
        ],
        "prices": dict(tier.prices),
    }


def model_to_wire(model: ModelDefinition) -> dict[str, Any]:
    tiers = model.tiers or (PricingTier(id=f"{model.id}-standard", name="Standard", is_default=True, priority=0,
                                        prices=model.prices),)  # fmt: skip
    out: dict[str, Any] = {
        "id": model.id,
        "projectId": model.project_id,
        "modelName": model.model_name,
        "matchPattern": model.match_pattern,
        "startDate": iso(model.start_date),
        "unit": model.unit,
        "inputPrice": model.prices.get("input"),
        "outputPrice": model.prices.get("output"),
        "totalPrice": model.prices.get("total"),
        "prices": {key: {"price": price} for key, price in model.prices.items()},
        "pricingTiers": [_tier_to_wire(t) for t in tiers],
        "tokenizerId": model.tokenizer_id,
        "tokenizerConfig": model.tokenizer_config,
        "isLangfuseManaged": model.is_builtin,
        "createdAt": iso(model.created_at or _BUILTIN_CREATED),
    }
    if model.is_builtin:
        out["priceDate"] = model.price_date
        out["priceSource"] = model.source
    return out


def _number(payload: Mapping[str, Any], key: str) -> float | None:
    value = payload.get(key)
    if value is None:
        return None
    try:
        return validate_prices({key: value}, "body")[key]
    except PricingError as exc:
        raise ApiError(400, str(exc)) from None


def model_from_wire(payload: Any) -> ModelDefinition:
    """A CreateModelRequest body as a definition (id and creation time are assigned by the store). 400 on bad input."""
    if not isinstance(payload, Mapping):
        raise ApiError(400, "the body must be a JSON object (a model definition)")
    if b"\\u0000" in orjson.dumps(payload).replace(b"\\\\", b""):
        raise ApiError(400, "a model definition cannot hold a NUL character (\\u0000)")
    name, pattern = payload.get("modelName"), payload.get("matchPattern")
    if not isinstance(name, str) or not name.strip():
        raise ApiError(400, "modelName is required and must be a non-empty string")
    if len(name.encode()) > MAX_KEY_BYTES:
        raise ApiError(400, f"modelName must be at most {MAX_KEY_BYTES} bytes long")
    if not isinstance(pattern, str) or not pattern:
        raise ApiError(400, "matchPattern is required and must be a regular expression (e.g. '(?i)^gpt-4o$')")
    try:
        compile_pattern(pattern)
    except PricingError as exc:
        raise ApiError(400, str(exc)) from None
    start = payload.get("startDate")
    if start is not None and not isinstance(start, str):
        raise ApiError(400, "startDate must be an ISO-8601 timestamp")
    start_date = timestamp("startDate", start)
    if start_date is not None:
        try:
            start_date = check_datetime(start_date, "startDate")
        except ValueError as exc:
            raise ApiError(400, str(exc)) from None
    unit = payload.get("unit") or "TOKENS"
    if not isinstance(unit, str) or unit.upper() not in UNITS:
        raise ApiError(400, f"unit must be one of {', '.join(UNITS)}, got {unit!r}"[:200])
    prices = {target: value for key, target in _FLAT.items() if (value := _number(payload, key)) is not None}
    if "total" in prices and ("input" in prices or "output" in prices):
        raise ApiError(400, "totalPrice cannot be set together with inputPrice or outputPrice")
    tiers: tuple[PricingTier, ...] = ()
    if payload.get("pricingTiers") is not None:
        if prices:
            raise ApiError(400, "send either pricingTiers or inputPrice/outputPrice/totalPrice, not both")
        tiers = _tiers_from_wire(payload["pricingTiers"])
        prices = dict(next(t for t in tiers if t.is_default).prices)
    tokenizer = payload.get("tokenizerId")
    if tokenizer is not None and tokenizer not in TOKENIZERS:
        raise ApiError(400, f"tokenizerId must be one of {', '.join(TOKENIZERS)} or null, got {tokenizer!r}"[:200])
    return ModelDefinition(
        id="", model_name=name.strip(), match_pattern=pattern, prices=prices,
        start_date=start_date, unit=unit.upper(), tokenizer_id=tokenizer,
        tokenizer_config=payload.get("tokenizerConfig"), tiers=tiers,
    )  # fmt: skip


def _tiers_from_wire(raw: Any) -> tuple[PricingTier, ...]:
    if not isinstance(raw, list) or not raw:
        raise ApiError(400, "pricingTiers must be a non-empty list of tiers")
    tiers: list[PricingTier] = []
    for index, item in enumerate(raw):
        where = f"pricingTiers[{index}]"
        if not isinstance(item, Mapping):
            raise ApiError(400, f"{where} must be an object")
        name, priority = item.get("name"), item.get("priority")
        if not isinstance(name, str) or not name:
            raise ApiError(400, f"{where}.name is required")
        if isinstance(priority, bool) or not isinstance(priority, int):
            raise ApiError(400, f"{where}.priority must be an integer")
        prices_raw = item.get("prices")
        if not isinstance(prices_raw, Mapping) or not prices_raw:
            raise ApiError(400, f"{where}.prices must define at least one price")
        try:
            prices = validate_prices(prices_raw, f"{where}.prices")
        except PricingError as exc:
            raise ApiError(400, str(exc)) from None
        conditions = tuple(
            _condition(c, f"{where}.conditions[{i}]") for i, c in enumerate(item.get("conditions") or [])
        )
        is_default = bool(item.get("isDefault", False))
        if is_default and (priority != 0 or conditions):
            raise ApiError(400, f"{where}: the default tier must have priority 0 and no conditions")
        tiers.append(PricingTier(id=f"tier-{index}", name=name, is_default=is_default, priority=priority,
                                 prices=prices, conditions=conditions))  # fmt: skip
    if sum(t.is_default for t in tiers) != 1:
        raise ApiError(400, "pricingTiers must hold exactly one tier with isDefault true")
    if len({t.name for t in tiers}) != len(tiers) or len({t.priority for t in tiers}) != len(tiers):
        raise ApiError(400, "pricingTiers names and priorities must be unique")
    return tuple(tiers)


def _condition(raw: Any, where: str) -> UsageCondition:
    if not isinstance(raw, Mapping) or not isinstance(raw.get("usageDetailPattern"), str):
        raise ApiError(400, f"{where} must be a usage condition with usageDetailPattern, operator and value"
                            " (attribute conditions are not supported)")  # fmt: skip
    operator, value = raw.get("operator"), raw.get("value")
    if operator not in OPERATORS:
        raise ApiError(400, f"{where}.operator must be one of {', '.join(OPERATORS)}")
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise ApiError(400, f"{where}.value must be a number")
    try:
        compile_pattern(raw["usageDetailPattern"], f"{where}.usageDetailPattern", bool(raw.get("caseSensitive")))
    except PricingError as exc:
        raise ApiError(400, str(exc)) from None
    return UsageCondition(raw["usageDetailPattern"], str(operator), float(value), bool(raw.get("caseSensitive")))
