def test_cast_builds_and_customer_opens_a_ticket(make_ticket):
    ticket = make_ticket()
    assert ticket.number.startswith("C/")
