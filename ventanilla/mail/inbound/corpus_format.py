"""``ParsedEmail`` as the JSON object of ``shared/corpus/email/README.md`` (§4.1), so that the
corpus checker can score the parser. The internal form stays our own; this is only a view."""

import hashlib


def _address(address):
    return {"name": address.name, "email": address.email}


def to_corpus_json(parsed):
    sender = parsed.sender
    return {
        "from": parsed.from_header,
        "from_email": sender.email if sender else "",
        "from_name": sender.name if sender else "",
        "to": [_address(a) for a in parsed.to],
        "cc": [_address(a) for a in parsed.cc],
        "subject": parsed.subject,
        "body": parsed.html_body or parsed.text_body,
        "content_type": parsed.body_format,
        "attachments": [
            {
                "filename": attachment.filename,
                "size": attachment.size,
                "content_type": attachment.content_type,
                "md5": hashlib.md5(attachment.data, usedforsecurity=False).hexdigest(),
                "content_id": attachment.content_id,
                "inline": attachment.inline,
            }
            for attachment in parsed.attachments
        ],
        # not read by the checker; shown so that one command answers "what did we read?"
        "message_id": parsed.message_id,
        "in_reply_to": list(parsed.in_reply_to),
        "references": list(parsed.references),
        "date": parsed.date.isoformat() if parsed.date else None,
        "flags": {
            "automated": parsed.flags.automated,
            "auto_reply": parsed.flags.auto_reply,
            "bounce": parsed.flags.bounce,
            "bulk": parsed.flags.bulk,
            "mailing_list": parsed.flags.mailing_list,
            "reasons": list(parsed.flags.reasons),
        },
        "defects": list(parsed.defects),
    }
