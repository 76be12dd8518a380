"""Sending short texts: a file in development, an HTTP gateway in production (settings SMS_*).

SMS_SENDER = "http" POSTs JSON {"to", "from", "text"} to SMS_GATEWAY_URL with SMS_GATEWAY_TOKEN as a
bearer token. For development: "file" (one JSON line per text in instance/sms-outbox.jsonl, the
stand-in for a gateway) or "console" (the text printed, number and personal links masked). Unset, it
is "file" when the app runs in debug or test mode and "none" otherwise: nothing is sent and staff are
told so, rather than texts (with personal links) piling up in a file on a server.
Nothing here logs a phone number.
"""

import json
import logging
import os
import re
import urllib.request

import clock

log = logging.getLogger(__name__)
PERSONAL_LINK = re.compile(r"/c/[A-Za-z0-9_-]{16,}")


def masked(phone):
    return phone[:3] + "•" * max(len(phone) - 5, 0) + phone[-2:]


class FileSender:
    def __init__(self, path):
        self.path = path

    def send(self, phone, text):
        os.makedirs(os.path.dirname(self.path), exist_ok=True)
        line = json.dumps({"at": clock.now().isoformat(), "to": phone, "text": text}, ensure_ascii=False)
        # Numbers and words: readable by the app's user only.
        descriptor = os.open(self.path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)
        with os.fdopen(descriptor, "a", encoding="utf-8") as outbox:
            outbox.write(line + "\n")
        return True


class ConsoleSender:
    def send(self, phone, text):
        print(f"SMS to {masked(phone)}: {PERSONAL_LINK.sub('/c/…', text)}", flush=True)
        return True


class NoSender:
    """No gateway set up: every text fails, and the page says so."""

    def send(self, phone, text):
        return False


class HttpSender:
    def __init__(self, url, token, sender_name, timeout=10):
        self.url, self.token, self.sender_name, self.timeout = url, token, sender_name, timeout

    def send(self, phone, text):
        body = json.dumps({"to": phone, "from": self.sender_name, "text": text}).encode()
        request = urllib.request.Request(
            self.url,
            data=body,
            method="POST",
            headers={"Content-Type": "application/json", "Authorization": f"Bearer {self.token}"},
        )
        try:
            with urllib.request.urlopen(request, timeout=self.timeout) as response:
                return 200 <= response.status < 300
        except Exception as error:  # refused, unreachable, timed out, garbled: the text is not sent
            log.warning("SMS gateway refused or unreachable: %s", type(error).__name__)
            return False


def sender_for(app):
    """The sender the settings ask for."""
    kind = app.config.get("SMS_SENDER") or ("file" if app.debug or app.testing else "none")
    if kind == "http":
        return HttpSender(
            app.config["SMS_GATEWAY_URL"],
            app.config.get("SMS_GATEWAY_TOKEN", ""),
            app.config.get("SMS_FROM", "Info"),
        )
    if kind == "console":
        return ConsoleSender()
    if kind != "file":
        return NoSender()
    return FileSender(app.config.get("SMS_FILE") or os.path.join(app.instance_path, "sms-outbox.jsonl"))
