"""Schemathesis hooks for `make fuzz` (scripts/fuzz.sh, SCHEMATHESIS_HOOKS).

How to make values for the rules the OpenAPI document names but a JSON Schema cannot state. Each
rule is still enforced by the server and still described in the document; nothing here turns a
check off or changes what counts as a failure.
"""

import datetime
import hashlib
import hmac
import json
import os
import time
import struct
import zlib

import schemathesis
from hypothesis import strategies as st


def _luhn_check_digit(body: str) -> str:
    total = 0
    for i, ch in enumerate(reversed(body)):
        d = int(ch)
        if i % 2 == 0:  # doubled: the check digit will sit to the right of it
            d = d * 2 - 9 if d > 4 else d * 2
        total += d
    return str((10 - total % 10) % 10)


@st.composite
def _card_numbers(draw):
    """`format: card-number`: 12 to 19 digits ending in their Luhn check digit, maybe grouped."""
    body = draw(st.text("0123456789", min_size=11, max_size=18))
    number = body + _luhn_check_digit(body)
    sep = draw(st.sampled_from(["", " ", "-"]))
    return sep.join(number[i : i + 4] for i in range(0, len(number), 4))


schemathesis.openapi.format("card-number", _card_numbers())


def _png(payload: bytes) -> bytes:
    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    ihdr = struct.pack(">IIBBBBB", 1, 1, 8, 0, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr) + chunk(b"IDAT", zlib.compress(b"\x00\x00")) + chunk(b"tEXt", payload) + chunk(b"IEND", b"")


# The upload's part types (`encoding.image.contentType`): the server sniffs the bytes, so a part
# must start like the image it claims to be; the rest is fuzzed.
_tail = st.binary(max_size=64)
schemathesis.openapi.media_type("image/png", _tail.map(_png))
schemathesis.openapi.media_type("image/jpeg", _tail.map(lambda t: b"\xff\xd8\xff\xe0" + t))
schemathesis.openapi.media_type("image/gif", _tail.map(lambda t: b"GIF89a" + t))
schemathesis.openapi.media_type(
    "image/webp", _tail.map(lambda t: b"RIFF" + struct.pack("<I", 4 + len(t)) + b"WEBP" + t)
)


@schemathesis.hook("filter_body").apply_to(method="POST", path="/api/checkout")
def filter_body(ctx, body):
    """A card that expired before this month is refused (400 naming payment.exp_month): the
    document describes that rule, but a static document cannot state a bound that moves with the
    date. Generated checkouts keep to unexpired cards; every other field stays as generated."""
    payment = body.get("payment") if isinstance(body, dict) else None
    if not isinstance(payment, dict):
        return True
    year, month = payment.get("exp_year"), payment.get("exp_month")
    if not all(isinstance(v, (int, float)) and not isinstance(v, bool) for v in (year, month)):
        return True
    today = datetime.datetime.now(datetime.timezone.utc)
    return (year, month) >= (today.year, today.month)


@schemathesis.hook("filter_query").apply_to(method="GET", path="/api/products")
def filter_query(ctx, query):
    """The result window: `page × per_page` above 10,000 is refused (400 naming page). The document
    states it in words (a schema cannot bound a product of two parameters); generated valid
    requests keep inside it, and the negative phase still sends the rest."""
    if not isinstance(query, dict):
        return True
    page, per_page = query.get("page", 1), query.get("per_page", 24)
    if not all(isinstance(v, int) and not isinstance(v, bool) for v in (page, per_page)):
        return True
    return page * per_page <= 10_000


@schemathesis.hook("before_call").apply_to(method="POST", path="/api/payments/stripe/webhook")
def before_call(ctx, case, kwargs):
    """`Stripe-Signature` is an HMAC of the exact bytes sent, which no schema can state: sign the
    body as Stripe would, with the secret fuzz.sh gave the server. Only schema-valid cases (an
    event-shaped body with a generated header) are signed: the negative ones stay as generated,
    unsigned, and must be refused."""
    body, headers = case.body, case.headers
    meta = getattr(case, "_meta", None)
    if meta is not None and not meta.generation.mode.is_positive:
        # A negative case can be derived from a positive one this hook already signed: it goes
        # out without that signature, as generated cases are never signed.
        signature = headers.get("Stripe-Signature") if headers is not None else None
        if isinstance(signature, str) and signature.startswith("t=") and ",v1=" in signature:
            case.headers = {k: v for k, v in headers.items() if k != "Stripe-Signature"}
        return
    if headers is None or not isinstance(headers.get("Stripe-Signature"), str):
        return
    data = body.get("data") if isinstance(body, dict) else None
    if not (
        isinstance(body, dict)
        and isinstance(body.get("id"), str)
        and isinstance(body.get("type"), str)
        and isinstance(data, dict)
        and "object" in data
    ):
        return
    # The bytes the transport will send (requests' `json=`); the body itself stays as generated,
    # so the case is still judged as the schema-valid case it is.
    raw = json.dumps(body, allow_nan=False).encode()
    stamp = str(int(time.time()))
    secret = os.environ["ECOMM_STRIPE_WEBHOOK_SECRET"].encode()
    mac = hmac.new(secret, stamp.encode() + b"." + raw, hashlib.sha256).hexdigest()
    # A new dict: the generator may share one headers dict between cases.
    case.headers = {**headers, "Stripe-Signature": f"t={stamp},v1={mac}"}
