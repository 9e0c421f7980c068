import pytest
import time_machine

from ventanilla.lib.tokens import BadToken, make_token, read_token


def test_round_trip_keeps_the_payload():
    token = make_token("rate", {"ticket": 7, "score": 5})
    assert read_token("rate", token) == {"ticket": 7, "score": 5}


def test_a_token_of_one_purpose_does_not_open_another():
    token = make_token("rate", {"ticket": 7})
    with pytest.raises(BadToken) as error:
        read_token("reset", token)
    assert not error.value.expired


def test_a_tampered_token_is_refused():
    token = make_token("rate", {"ticket": 7})
    with pytest.raises(BadToken):
        read_token("rate", token[:-2] + ("A" if token[-2] != "A" else "B") + token[-1])


def test_tokens_expire():
    with time_machine.travel("2026-11-01 10:00Z", tick=False):
        token = make_token("rate", {"ticket": 7})
    with time_machine.travel("2026-11-01 10:59Z", tick=False):
        assert read_token("rate", token, max_age=3600) == {"ticket": 7}
    with time_machine.travel("2026-11-01 11:01Z", tick=False), pytest.raises(BadToken) as error:
        read_token("rate", token, max_age=3600)
    assert error.value.expired
