"""The model price form -> the body POST /api/public/models takes, validated by that route's own `model_from_wire`.

Prices are USD per unit (per token for TOKENS), like the API. Prices for other usage keys (cached tokens, say) and
conditional tiers go in the pricing-tiers JSON, in the API's `pricingTiers` shape.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import orjson

from spyglass.api.errors import ApiError
from spyglass.api.public.models import model_from_wire, model_to_wire
from spyglass.domain.pricing import ModelDefinition
from spyglass.web.auth import WebError

_FLAT = ("input", "output", "total")


@dataclass(frozen=True, slots=True)
class ModelForm:
    model_name: str = ""
    match_pattern: str = ""
    start_date: str = ""
    unit: str = "TOKENS"
    input_price: str = ""
    output_price: str = ""
    total_price: str = ""
    pricing_tiers: str = ""
    tokenizer_id: str = ""
    tokenizer_config: str = ""

    @staticmethod
    def from_fields(fields: Mapping[str, str]) -> ModelForm:
        names = ModelForm.__dataclass_fields__
        return ModelForm(**{k: str(v) for k, v in fields.items() if k in names})


def _price(value: float | None) -> str:
    return "" if value is None else format(value, ".12g")


def form_from_definition(definition: ModelDefinition) -> ModelForm:
    """The form filled with a definition (to edit it, or to override a built-in one in the project)."""
    wire = model_to_wire(definition)
    simple = not definition.tiers and set(definition.prices) <= set(_FLAT)
    tiers = "" if simple else orjson.dumps(wire["pricingTiers"], option=orjson.OPT_INDENT_2).decode()
    start = definition.start_date.strftime("%Y-%m-%dT%H:%M") if definition.start_date else ""
    config = orjson.dumps(definition.tokenizer_config).decode() if definition.tokenizer_config is not None else ""
    return ModelForm(
        definition.model_name, definition.match_pattern, start, definition.unit,
        _price(definition.prices.get("input")) if simple else "", _price(definition.prices.get("output")) if simple
        else "", _price(definition.prices.get("total")) if simple else "", tiers, definition.tokenizer_id or "",
        config,
    )  # fmt: skip


def _number(text: str) -> Any:
    """A float when the text is one; otherwise the text itself, so the API's validator names the bad price."""
    try:
        return float(text)
    except ValueError:
        return text


def _json(text: str, field: str) -> Any:
    try:
        return orjson.loads(text)
    except orjson.JSONDecodeError as exc:
        raise WebError(400, f"{field} is not valid JSON: {exc}") from None


def definition_from_form(form: ModelForm) -> ModelDefinition:
    """The definition the form describes; WebError 400 naming the field, with the API's own messages."""
    body: dict[str, Any] = {"modelName": form.model_name, "matchPattern": form.match_pattern, "unit": form.unit}
    if form.start_date.strip():
        body["startDate"] = form.start_date.strip()
    for key, text in (("inputPrice", form.input_price), ("outputPrice", form.output_price),
                      ("totalPrice", form.total_price)):  # fmt: skip
        if text.strip():
            body[key] = _number(text.strip())
    if form.pricing_tiers.strip():
        body["pricingTiers"] = _json(form.pricing_tiers, "pricingTiers")
    if form.tokenizer_id:
        body["tokenizerId"] = form.tokenizer_id
    if form.tokenizer_config.strip():
        body["tokenizerConfig"] = _json(form.tokenizer_config, "tokenizerConfig")
    try:
        return model_from_wire(body)
    except ApiError as exc:
        raise WebError(400, exc.message) from None
