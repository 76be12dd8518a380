"""The production set-up in deploy/: Debian's nginx running deploy/nginx/kalender.conf itself (only its
ports and paths rewritten) in front of gunicorn started as deploy/systemd/kalender.service starts it.

Slow clients are absorbed by nginx (and do stop gunicorn alone), the access log holds no token and no query
string, HTTPS carries HSTS and the app's own headers once each, and plain HTTP redirects to HTTPS."""

import contextlib
import datetime
import http.client
import ipaddress
import json
import os
import re
import secrets
import shlex
import signal
import socket
import ssl
import subprocess
import sys
import threading
import time
import urllib.parse
import uuid
from pathlib import Path

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

from app import CONTENT_SECURITY_POLICY

ROOT = Path(__file__).resolve().parent.parent
SITE = ROOT / "deploy" / "nginx" / "kalender.conf"
SERVICE = ROOT / "deploy" / "systemd" / "kalender.service"
NGINX = "/usr/sbin/nginx"
HOST = "kalender.example.dk"  # the site's server_name, and the host of FLASK_PUBLIC_URL here
UPSTREAM = "127.0.0.1:8000"  # where the site sends requests and the service binds gunicorn


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def ensure_nginx():
    """Debian's nginx, installed as `make nginx` does (as root or with sudo) when it is missing."""
    if not Path(NGINX).exists():
        subprocess.run(["make", "-s", "nginx"], cwd=ROOT, check=False)
    if not Path(NGINX).exists():
        pytest.fail(f"Debian's nginx is missing at {NGINX}: run 'sudo apt-get install -y nginx'")


def stop(process):
    """Stop a server started here and the workers it started (its own process group), whatever happened:
    SIGINT is a quick stop for gunicorn and nginx both; a master that does not stop, or that died and left
    workers behind, has its group killed."""
    if process.poll() is None:
        process.send_signal(signal.SIGINT)
        with contextlib.suppress(subprocess.TimeoutExpired):
            process.wait(5)
            return
    with contextlib.suppress(ProcessLookupError):
        os.killpg(process.pid, signal.SIGKILL)
    process.wait()


def self_signed_certificate(folder):
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, HOST)])
    now = datetime.datetime.now(datetime.UTC)
    names = [x509.DNSName(HOST), x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]
    certificate = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(minutes=5))
        .not_valid_after(now + datetime.timedelta(days=1))
        .add_extension(x509.SubjectAlternativeName(names), critical=False)
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .sign(key, hashes.SHA256())
    )
    cert, key_file = folder / "cert.pem", folder / "key.pem"
    cert.write_bytes(certificate.public_bytes(serialization.Encoding.PEM))
    key_file.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
        )
    )
    return cert, key_file


def rewrite(text, pattern, replacement, count):
    """Replace a directive of the site file; fail when it is not there as often as expected, so that a
    changed site file cannot silently run with its production paths or untested."""
    text, found = re.subn(pattern, replacement, text, flags=re.MULTILINE)
    assert found == count, f"{pattern!r} found {found} times in {SITE.name}, expected {count}"
    return text


def site_for_test(folder, http_port, https_port, upstream_port, cert, key):
    """The site file with only its addresses and paths changed: every other directive is the real one."""
    text = SITE.read_text()
    text = rewrite(text, r"^\s*listen \[::\]:\d+[^;]*;\n", "", 2)  # the loopback here has IPv4 only
    text = rewrite(text, r"listen 80;", f"listen 127.0.0.1:{http_port};", 1)
    text = rewrite(text, r"listen 443 ", f"listen 127.0.0.1:{https_port} ", 1)
    text = rewrite(text, rf"server {re.escape(UPSTREAM)};", f"server 127.0.0.1:{upstream_port};", 1)
    text = rewrite(text, r"ssl_certificate \S+;", f"ssl_certificate {cert};", 1)
    text = rewrite(text, r"ssl_certificate_key \S+;", f"ssl_certificate_key {key};", 1)
    text = rewrite(text, r"root /srv/kalender;", f"root {ROOT};", 1)
    text = rewrite(text, r"access_log \S+ kalender;", f"access_log {folder / 'access.log'} kalender;", 2)
    text = rewrite(text, r"error_log \S+ ", f"error_log {folder / 'site-error.log'} ", 2)
    return text


def nginx_conf(folder, site):
    """What Debian's nginx.conf gives a site (mime types, an http block), with every path in `folder`."""
    temp = "\n".join(
        f"    {kind}_temp_path {folder / kind};"
        for kind in ("client_body", "proxy", "fastcgi", "uwsgi", "scgi")
    )
    user = "user root;\n" if os.geteuid() == 0 else ""  # workers as this user, not nobody
    return (
        f"{user}worker_processes 2;\npid {folder / 'nginx.pid'};\nerror_log {folder / 'error.log'};\n"
        "events { worker_connections 256; }\n"
        "http {\n    include /etc/nginx/mime.types;\n    default_type application/octet-stream;\n"
        f"    access_log {folder / 'other-access.log'};\n{temp}\n{site}\n}}\n"
    )


def gunicorn_command(port):
    """The service's ExecStart, with this virtualenv's gunicorn and a free port."""
    line = next(line for line in SERVICE.read_text().splitlines() if line.startswith("ExecStart="))
    command = shlex.split(line.removeprefix("ExecStart="))
    assert command[0] == "/srv/kalender/.venv/bin/gunicorn", command
    assert UPSTREAM in command, f"the service binds {command}, the site sends to {UPSTREAM}"
    command[0] = str(Path(sys.executable).with_name("gunicorn"))
    return [f"127.0.0.1:{port}" if part == UPSTREAM else part for part in command]


def wait_for(check, what, process, log, seconds=15):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if process.poll() is not None:
            pytest.fail(f"{what} stopped: {log.read_text()[-2000:]}")
        try:
            check()
            return
        except OSError:
            time.sleep(0.1)
    pytest.fail(f"{what} did not answer within {seconds} s: {log.read_text()[-2000:]}")


@pytest.fixture(scope="module")
def folder(tmp_path_factory):
    return tmp_path_factory.mktemp("deploy")


@pytest.fixture(scope="module")
def gunicorn_env(folder):
    return {
        **os.environ,
        "FLASK_DATABASE": str(folder / "app.sqlite"),
        "FLASK_SECRET_KEY": "deploy-test",
        "FLASK_PUBLIC_URL": f"https://{HOST}",
        "FLASK_TRUSTED_PROXIES": "1",
    }


@pytest.fixture(scope="module")
def gunicorn(folder, gunicorn_env):
    """gunicorn as the service runs it (4 sync workers), on a fresh database; yields its port."""
    flask = str(Path(sys.executable).with_name("flask"))
    subprocess.run(
        [flask, "--app", "app", "init-db"], cwd=ROOT, env=gunicorn_env, check=True, capture_output=True
    )
    port = free_port()
    log = folder / "gunicorn.log"
    with open(log, "wb") as output:
        process = subprocess.Popen(
            gunicorn_command(port),
            cwd=ROOT,
            env=gunicorn_env,
            stdout=output,
            stderr=output,
            start_new_session=True,
        )
    try:
        wait_for(lambda: plain_get(port, "/da/offline"), "gunicorn", process, log)
        yield port
    finally:
        stop(process)


@pytest.fixture(scope="module")
def nginx(folder, gunicorn):
    """Debian's nginx with the site file, as this user; yields (HTTP port, HTTPS port, TLS context)."""
    ensure_nginx()
    cert, key = self_signed_certificate(folder)
    http_port, https_port = free_port(), free_port()
    conf = folder / "nginx.conf"
    conf.write_text(nginx_conf(folder, site_for_test(folder, http_port, https_port, gunicorn, cert, key)))
    log = folder / "nginx.out"
    command = [NGINX, "-p", str(folder), "-e", str(folder / "error.log"), "-c", str(conf)]
    checked = subprocess.run([*command, "-t"], capture_output=True, text=True)
    assert checked.returncode == 0, checked.stderr
    with open(log, "wb") as output:
        process = subprocess.Popen(
            [*command, "-g", "daemon off;"], stdout=output, stderr=output, start_new_session=True
        )
    tls = ssl.create_default_context(cafile=str(cert))  # verified: the certificate names 127.0.0.1
    try:
        wait_for(lambda: https_get(https_port, tls, "/da/offline"), "nginx", process, log)
        yield http_port, https_port, tls
    finally:
        stop(process)


def plain_get(port, path, headers=None, timeout=10):
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
    try:
        connection.request("GET", path, headers={"Host": HOST, **(headers or {})})
        response = connection.getresponse()
        response.read()
        return response
    finally:
        connection.close()


def https_request(port, tls, method, path, headers=None, body=None, timeout=10):
    connection = http.client.HTTPSConnection("127.0.0.1", port, context=tls, timeout=timeout)
    try:
        connection.request(method, path, body=body, headers={"Host": HOST, **(headers or {})})
        response = connection.getresponse()
        response.body = response.read()
        response.tls_version = connection.sock.version() if connection.sock else None
        return response
    finally:
        connection.close()


def https_get(port, tls, path, headers=None, timeout=10):
    return https_request(port, tls, "GET", path, headers, timeout=timeout)


class SlowClients:
    """Connections that send their request one byte a second, as a phone on a bad line (or anyone who
    wants the server stopped) does: headers byte by byte, or a POST's whole head and then its body."""

    HEAD = f"GET /da/login HTTP/1.1\r\nHost: {HOST}\r\nUser-Agent: slow\r\nAccept: text/html\r\n\r\n".encode()
    # The login form reads its body before it answers: a worker given this head waits for every byte.
    POST = (
        f"POST /da/login HTTP/1.1\r\nHost: {HOST}\r\nContent-Type: application/x-www-form-urlencoded\r\n"
        "Content-Length: 2000\r\n\r\n"
    ).encode()

    def __init__(self, port, count, tls=None, posts=0):
        self.sockets, self.left = [], []
        self.stopped = threading.Event()
        try:
            for n in range(count):
                sock = socket.create_connection(("127.0.0.1", port), timeout=5)
                if tls:
                    sock = tls.wrap_socket(sock, server_hostname="127.0.0.1")
                self.sockets.append(sock)
                if n < posts:
                    sock.sendall(self.POST)
                    self.left.append(b"a" * 2000)
                else:
                    self.left.append(self.HEAD)
            self.send_next()
        except BaseException:
            self.close()
            raise
        self.thread = threading.Thread(target=self.dribble, daemon=True)
        self.thread.start()

    def send_next(self):
        for n, sock in enumerate(self.sockets):
            if len(self.left[n]) > 1:  # never the last byte: the request stays unfinished
                try:
                    sock.send(self.left[n][:1])
                except OSError:
                    continue
                self.left[n] = self.left[n][1:]

    def dribble(self):
        while not self.stopped.wait(1):
            self.send_next()

    def still_waiting(self):
        """How many connections the server still holds open without an answer."""
        self.stopped.set()
        self.thread.join()
        waiting = 0
        for sock in self.sockets:
            sock.setblocking(False)
            try:
                sock.recv(1)  # an answer (a 408) or the end of the connection
            except (ssl.SSLWantReadError, BlockingIOError):
                waiting += 1
            except OSError:
                pass
        return waiting

    def close(self):
        self.stopped.set()
        for sock in self.sockets:
            sock.close()


def test_slow_clients_wait_in_nginx_not_in_gunicorn(nginx):
    _http_port, https_port, tls = nginx
    slow = SlowClients(https_port, 20, tls=tls, posts=10)
    try:
        time.sleep(1.5)  # each has sent a byte or two since
        started = time.monotonic()
        try:
            response = https_get(https_port, tls, "/da/login", timeout=2)
        except TimeoutError:
            pytest.fail("with nginx, 20 slow clients: /da/login not answered within 2 s")
        elapsed = time.monotonic() - started
        print(f"\nwith nginx, 20 slow clients: /da/login answered in {elapsed:.3f} s")
        assert response.status == 200
        assert elapsed < 2
        assert slow.still_waiting() == 20  # they were all still there, not cut off before the request
    finally:
        slow.close()


def test_without_nginx_the_same_slow_clients_stop_gunicorn(gunicorn):
    """The contrast: 8 slow clients straight at gunicorn's 4 sync workers, and nobody else is served."""
    slow = SlowClients(gunicorn, 8)
    try:
        time.sleep(1)
        started = time.monotonic()
        with pytest.raises(TimeoutError):
            plain_get(gunicorn, "/da/login", timeout=2)
        print(
            f"\nwithout nginx, 8 slow clients: /da/login not answered in {time.monotonic() - started:.3f} s"
        )
    finally:
        slow.close()
    assert plain_get(gunicorn, "/da/login").status == 200  # and served again once they are gone


def test_the_access_log_holds_no_token_and_no_query_string(nginx, folder):
    http_port, https_port, tls = nginx
    token, plain, feed, code, encoded = (secrets.token_urlsafe(24) for _ in range(5))
    asked = {
        f"/da/c/{token}?next=/secret": "/da/c/…",
        f"/c/{plain}": "/c/…",  # the app sends it on under her language: its own token in the log too
        f"/ar/c/feed/{feed}.ics": "/ar/c/feed/….ics",
        f"/tr/j/{code}?utm_source=secret": "/tr/j/…",
        f"/da/j/{code}/thanks": "/da/j/…/thanks",
        f"/da/%63/{encoded}": "/…",  # the app decodes %63 to c: its personal link
        "/da/c/calendar.ics?secret=1": "/da/c/calendar.ics",
        "/da/login?next=/secret": "/da/login",
    }
    log = folder / "access.log"
    before = log.read_text(encoding="utf-8").count("\n")

    def asked_lines():  # not the lines of slow clients nginx let go meanwhile
        return [line for line in log.read_text(encoding="utf-8").splitlines()[before:] if '"GET ' in line]

    for path in asked:
        https_get(https_port, tls, path, headers={"Referer": f"https://{HOST}/da/c/{token}?secret"})
    assert plain_get(http_port, f"/da/c/{token}?next=/secret").status == 301
    deadline = time.monotonic() + 2  # nginx writes a line just after the answer has gone
    while len(asked_lines()) < len(asked) + 1 and time.monotonic() < deadline:
        time.sleep(0.05)
    lines = asked_lines()
    logged = [re.search(r'"GET (\S*) HTTP/1\.1"', line).group(1) for line in lines]
    # Sorted: either of nginx's two workers may write its line first.
    assert sorted(logged) == sorted([*asked.values(), "/da/c/…"]), lines
    everything = "".join(
        (folder / name).read_text(encoding="utf-8") for name in ("access.log", "site-error.log", "error.log")
    )
    for secret in (token, plain, feed, code, encoded, "secret", "?", "%63"):
        assert secret not in everything


def test_https_headers_and_redirect(nginx):
    http_port, https_port, tls = nginx
    page = https_get(https_port, tls, "/da/login")
    assert page.status == 200
    assert page.tls_version in ("TLSv1.2", "TLSv1.3")
    assert page.headers["Strict-Transport-Security"] == "max-age=63072000"
    assert page.headers["Server"] == "nginx"  # no version
    once = {
        "Content-Security-Policy": CONTENT_SECURITY_POLICY,
        "X-Frame-Options": "DENY",
        "X-Content-Type-Options": "nosniff",
        "Referrer-Policy": "no-referrer",
        "Strict-Transport-Security": "max-age=63072000",
        "Cache-Control": "no-store",
    }
    for name, value in once.items():  # the app's own, passed through once, nothing added beside them
        assert page.headers.get_all(name) == [value], name
    assert "Permissions-Policy" in page.headers and "Cross-Origin-Opener-Policy" in page.headers
    cookies = page.headers.get_all("Set-Cookie") or []
    assert any(cookie.startswith("__Host-session=") for cookie in cookies), cookies
    for cookie in cookies:
        assert "; Secure" in cookie, cookie

    # Plain HTTP: to HTTPS on the public name, whatever Host was asked for.
    redirect = plain_get(http_port, "/da/login?x=1", headers={"Host": "evil.example"})
    assert redirect.status == 301
    assert redirect.headers["Location"] == f"https://{HOST}/da/login?x=1"


def test_static_files(nginx):
    _http_port, https_port, tls = nginx
    # An image from the disk, with the headers the app gives it.
    icon = https_get(https_port, tls, "/static/icons/icon-192.png?v=0123456789")
    assert icon.status == 200 and icon.body == (ROOT / "static/icons/icon-192.png").read_bytes()
    assert icon.headers.get_all("Cache-Control") == ["public, max-age=31536000, immutable"]
    assert icon.headers.get_all("X-Content-Type-Options") == ["nosniff"]
    assert icon.headers.get_all("Strict-Transport-Security") == ["max-age=63072000"]
    # A script from the app: minified, compressed at brotli's best, its headers once each.
    script = https_get(https_port, tls, "/static/js/app.js?v=0123456789", {"Accept-Encoding": "br"})
    assert script.status == 200 and script.headers["Content-Encoding"] == "br"
    assert script.headers.get_all("Cache-Control") == ["public, max-age=31536000, immutable"]
    assert script.headers.get_all("Strict-Transport-Security") == ["max-age=63072000"]


class Staff:
    """A staff member's browser through nginx: her cookies, and the token her page fetched."""

    PASSWORD = "deploy test password"

    def __init__(self, port, tls, username):
        self.port, self.tls, self.cookies = port, tls, {}
        page = self.request("GET", "/da/login").body.decode()
        token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page).group(1)
        form = urllib.parse.urlencode({"csrf_token": token, "username": username, "password": self.PASSWORD})
        login = self.request("POST", "/da/login", form, {"Content-Type": "application/x-www-form-urlencoded"})
        assert login.status == 302, login.body[:500]
        self.token = json.loads(self.request("GET", "/api/v1/csrf").body)["csrf_token"]

    def request(self, method, path, body=None, headers=None):
        cookie = "; ".join(f"{name}={value}" for name, value in self.cookies.items())
        response = https_request(
            self.port, self.tls, method, path, {"Cookie": cookie, **(headers or {})}, body
        )
        for header in response.headers.get_all("Set-Cookie") or []:
            name, value = header.split(";", 1)[0].split("=", 1)
            self.cookies[name] = value
        return response

    def send(self, items, referer=True):
        headers = {"Content-Type": "application/json", "X-CSRFToken": self.token}
        if referer:
            headers["Referer"] = f"https://{HOST}/da/signup"
        return self.request("POST", "/api/v1/outbox", json.dumps({"items": items}), headers)


@pytest.fixture(scope="module")
def outreach(nginx, gunicorn_env):
    """An outreach worker (no second factor asked of her role), logged in through nginx."""
    command = [str(Path(sys.executable).with_name("flask")), "--app", "app", "create-user", "outreach"]
    command += ["--role", "outreach", "--password", Staff.PASSWORD]
    subprocess.run(command, cwd=ROOT, env=gunicorn_env, check=True, capture_output=True)
    return Staff(nginx[1], nginx[2], "outreach")


def contacts(count, note):
    moment = datetime.datetime.now(datetime.UTC).isoformat()
    data = {"participant_id": 1, "kind": "home_visit", "contacted_at": moment, "note": note}
    return [
        {"id": str(uuid.uuid4()), "kind": "contact", "recorded_at": moment, "data": data}
        for _ in range(count)
    ]


def test_a_phones_largest_send_passes(nginx, outreach):
    """1,000 queued items (the most one send carries) with 500-character Arabic notes, \\u-escaped: the
    largest send a phone makes reaches the app whole and is answered item by item."""
    items = contacts(1000, "ش" * 500)
    assert 3_000_000 < len(json.dumps({"items": items})) < 4 * 1024 * 1024
    answer = outreach.send(items)
    assert answer.status == 200, answer.body[:300]
    assert len(json.loads(answer.body)["results"]) == 1000
    # More than the app's own limit (4 MiB) nginx refuses from the request's head alone.
    assert declared_too_big(nginx[1], nginx[2], 4 * 1024 * 1024 + 1) == 413


def test_a_browsers_post_over_https_needs_no_referer(outreach):
    answer = outreach.send(contacts(1, "ok"), referer=False)
    assert answer.status == 200, answer.body[:300]


def declared_too_big(port, tls, length):
    """Send only a head declaring `length` bytes: nginx answers from the head alone."""
    connection = http.client.HTTPSConnection("127.0.0.1", port, context=tls, timeout=10)
    try:
        connection.putrequest("POST", "/api/v1/outbox", skip_host=True)
        for name, value in (("Host", HOST), ("Content-Type", "application/json"), ("Content-Length", length)):
            connection.putheader(name, str(value))
        connection.endheaders()
        response = connection.getresponse()
        response.read()
        return response.status
    finally:
        connection.close()
