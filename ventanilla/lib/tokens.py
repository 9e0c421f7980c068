"""Signed, expiring, purpose-bound tokens for links sent by email (reset, verify, rate, approve).

A token carries a small JSON payload, signed with SECRET_KEY and a salt per purpose, so a token
made for one purpose never opens another. Expiry is checked on reading. Single use is the
caller's rule: bind the payload to state that the use changes (a password hash, a pending state,
the absence of a rating) and check it again when the link is used.
"""

from django.core import signing

DEFAULT_MAX_AGE = 60 * 60 * 24 * 3  # three days


class BadToken(Exception):
    """The token is malformed, forged, made for another purpose, or expired."""

    def __init__(self, expired=False):
        super().__init__("expired" if expired else "invalid")
        self.expired = expired


def make_token(purpose, payload):
    return signing.dumps(payload, salt=f"ventanilla.{purpose}", compress=True)


def read_token(purpose, token, max_age=DEFAULT_MAX_AGE):
    """The payload of a token of this purpose, or BadToken (with .expired set when it expired)."""
    try:
        return signing.loads(token, salt=f"ventanilla.{purpose}", max_age=max_age)
    except signing.SignatureExpired as error:
        raise BadToken(expired=True) from error
    except signing.BadSignature as error:
        raise BadToken() from error


def make_short_token(purpose, value):
    """A short, lower-case token binding an integer to a purpose, for email addresses
    (``soporte+<token>@…``): MTAs may fold case, and ``:`` is not allowed there. Never expires."""
    from django.utils.crypto import salted_hmac

    digest = salted_hmac(f"ventanilla.{purpose}", str(int(value)), algorithm="sha256").hexdigest()[
        :16
    ]
    return f"{int(value)}x{digest}"


def read_short_token(purpose, token):
    """The integer of a short token of this purpose, or BadToken."""
    from django.utils.crypto import constant_time_compare

    head, _, _digest = (token or "").lower().partition("x")
    if not head.isdigit():
        raise BadToken()
    if not constant_time_compare(make_short_token(purpose, int(head)), token.lower()):
        raise BadToken()
    return int(head)
