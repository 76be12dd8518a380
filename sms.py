"""Sending short texts: a file in development, an HTTP gateway in production (settings SMS_*).

SMS_SENDER = "file" (default; one JSON line per text in instance/sms-outbox.jsonl, the stand-in for
a gateway), "console" (prints the text with the number masked) or "http" (POSTs JSON
{"to", "from", "text"} to SMS_GATEWAY_URL with SMS_GATEWAY_TOKEN as a bearer token).
Nothing here logs a phone number.
"""

import json
import logging
import os
import urllib.request
from datetime import UTC, datetime

log = logging.getLogger(__name__)


def masked(phone):
    return phone[:3] + "•" * max(len(phone) - 5, 0) + phone[-2:]


class FileSender:
    def __init__(self, path):
        self.path = path

    def send(self, phone, text):
        os.makedirs(os.path.dirname(self.path), exist_ok=True)
        line = json.dumps(
            {"at": datetime.now(UTC).isoformat(), "to": phone, "text": text}, ensure_ascii=False
        )
        with open(self.path, "a", encoding="utf-8") as outbox:
            outbox.write(line + "\n")
        return True


class ConsoleSender:
    def send(self, phone, text):
        print(f"SMS to {masked(phone)}: {text}", flush=True)
        return True


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
        except OSError as error:  # URLError, HTTPError and timeouts are all OSErrors
            log.warning("SMS gateway refused or unreachable: %s", type(error).__name__)
            return False


def sender_for(app):
    """The sender the settings ask for."""
    kind = app.config.get("SMS_SENDER", "file")
    if kind == "http":
        return HttpSender(
            app.config["SMS_GATEWAY_URL"],
            app.config.get("SMS_GATEWAY_TOKEN", ""),
            app.config.get("SMS_FROM", "Info"),
        )
    if kind == "console":
        return ConsoleSender()
    return FileSender(app.config.get("SMS_FILE") or os.path.join(app.instance_path, "sms-outbox.jsonl"))
