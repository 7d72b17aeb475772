"""The guarded HTTP client against real servers on 127.0.0.1."""

import datetime
import gzip
import ipaddress
import time

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID
from django.test import override_settings

from tests.git.servers import http_server, tls_server
from tinyforge.git import http as git_http
from tinyforge.git.errors import AddressBlocked, InvalidLocation, Timeout, UpstreamError
from tinyforge.git.http import HttpClient

ALLOW_LOOPBACK = override_settings(TINYFORGE_GIT_ALLOWED_HOSTS=["127.0.0.1"])


def answer(body=b"hello", status=200, headers=None):
    def respond(handler):
        handler.send_body(status, body, headers)
    return respond


def test_loopback_refused_by_default():
    with http_server(answer()) as server:
        with pytest.raises(AddressBlocked) as caught:
            HttpClient().get(f"{server.url}/file", max_bytes=100)
        assert server.accepted == 0
    assert "Plain http:// is allowed only to hosts listed" in caught.value.message


def test_loopback_https_refused_as_loopback():
    with pytest.raises(AddressBlocked) as caught:
        HttpClient().get("https://127.0.0.1:9/file", max_bytes=100)
    assert caught.value.message == (
        "127.0.0.1 resolves to a loopback address; an operator can allow it with "
        "TINYFORGE_GIT_ALLOWED_HOSTS."
    )


@pytest.mark.parametrize("host", ["127.1", "2130706433", "0177.0.0.1", "0x7f.1", "[::1]",
                                  "[::ffff:127.0.0.1]", "loopback.example.com",
                                  "mapped.example.com"])
def test_loopback_notations_refused(host):
    with http_server(answer()) as server:
        with pytest.raises(AddressBlocked):
            HttpClient().get(f"https://{host}:{server.port}/", max_bytes=100)
        assert server.accepted == 0


@ALLOW_LOOPBACK
def test_allow_listed_loopback_reached():
    with http_server(answer(b"content")) as server:
        response = HttpClient().get(f"{server.url}/file", max_bytes=100)
    assert response.status == 200
    assert response.body == b"content"
    assert server.accepted == 1


@ALLOW_LOOPBACK
def test_host_name_resolving_to_private_refused():
    with pytest.raises(AddressBlocked) as caught:
        HttpClient().get("https://private.example.com/file", max_bytes=100)
    assert caught.value.message == (
        "private.example.com resolves to a private address; an operator can allow it with "
        "TINYFORGE_GIT_ALLOWED_HOSTS."
    )


@override_settings(TINYFORGE_GIT_ALLOWED_HOSTS=["169.254.0.0/16", "metadata.example.com"])
def test_metadata_refused_even_when_allow_listed():
    with pytest.raises(AddressBlocked) as caught:
        HttpClient().get("https://metadata.example.com/latest/", max_bytes=100)
    assert caught.value.message == (
        "metadata.example.com resolves to a cloud metadata address, which is never allowed."
    )


@ALLOW_LOOPBACK
def test_redirect_to_refused_address_not_followed():
    def respond(handler):
        handler.send_body(302, b"", {"Location": "http://private.example.com/steal"})

    with http_server(respond) as server:
        with pytest.raises(UpstreamError) as caught:
            HttpClient().get(f"{server.url}/start", max_bytes=100)
    assert "redirected to http://private.example.com, another origin" in caught.value.message
    assert len(server.requests) == 1


@ALLOW_LOOPBACK
def test_redirect_within_origin_followed():
    def respond(handler):
        if handler.path == "/start":
            handler.send_body(301, b"", {"Location": "/moved"})
        else:
            handler.send_body(200, b"moved content")

    with http_server(respond) as server:
        response = HttpClient().get(f"{server.url}/start", max_bytes=100)
    assert response.body == b"moved content"
    assert [request["path"] for request in server.requests] == ["/start", "/moved"]


@ALLOW_LOOPBACK
def test_redirect_loop_stops_after_three():
    with http_server(answer(b"", 302, {"Location": "/again"})) as server:
        with pytest.raises(UpstreamError) as caught:
            HttpClient().get(f"{server.url}/start", max_bytes=100)
    assert "redirected more than 3 times" in caught.value.message
    assert len(server.requests) == 4


@ALLOW_LOOPBACK
def test_redirect_to_other_port_keeps_token():
    with http_server(answer(b"secret")) as other:
        with http_server(answer(b"", 307, {"Location": f"{other.url}/x"})) as server:
            with pytest.raises(UpstreamError):
                HttpClient().get(f"{server.url}/start", headers={"Authorization": "Bearer t"},
                                 max_bytes=100)
        assert other.accepted == 0


@override_settings(TINYFORGE_GIT_ALLOWED_HOSTS=["127.0.0.1"], TINYFORGE_GIT_READ_TIMEOUT=0.3)
def test_stalled_server_hits_read_timeout():
    def respond(handler):
        time.sleep(2)
        handler.send_body(200, b"late")

    with http_server(respond) as server:
        started = time.monotonic()
        with pytest.raises(Timeout) as caught:
            HttpClient().get(f"{server.url}/slow", max_bytes=100)
    assert time.monotonic() - started < 1.5
    assert caught.value.message == (
        f"http://127.0.0.1:{server.port} sent no data for 0.3 seconds "
        "(TINYFORGE_GIT_READ_TIMEOUT)."
    )


@override_settings(TINYFORGE_GIT_ALLOWED_HOSTS=["127.0.0.1"], TINYFORGE_GIT_READ_TIMEOUT=1,
                   TINYFORGE_GIT_TOTAL_TIMEOUT=0.8)
def test_trickling_body_hits_total_deadline():
    def respond(handler):
        handler.send_response(200)
        handler.send_header("Content-Length", "50")
        handler.end_headers()
        for _ in range(50):
            try:
                handler.wfile.write(b"x")
                handler.wfile.flush()
            except OSError:
                return
            time.sleep(0.1)

    with http_server(respond) as server:
        started = time.monotonic()
        with pytest.raises(Timeout) as caught:
            HttpClient().get(f"{server.url}/trickle", max_bytes=100)
    assert time.monotonic() - started < 2
    assert "did not finish within 0.8 seconds (TINYFORGE_GIT_TOTAL_TIMEOUT)" in caught.value.message


@override_settings(TINYFORGE_GIT_ALLOWED_HOSTS=["127.0.0.1"], TINYFORGE_GIT_READ_TIMEOUT=1,
                   TINYFORGE_GIT_TOTAL_TIMEOUT=0.8)
def test_trickling_headers_hit_total_deadline():
    def respond(handler):
        for byte in b"HTTP/1.1 200 OK\r\nX-Slow: " + b"y" * 40:
            try:
                handler.wfile.write(bytes([byte]))
                handler.wfile.flush()
            except OSError:
                return
            time.sleep(0.1)

    with http_server(respond) as server:
        started = time.monotonic()
        with pytest.raises(Timeout):
            HttpClient().get(f"{server.url}/trickle", max_bytes=100)
    assert time.monotonic() - started < 2


@ALLOW_LOOPBACK
def test_gzip_body_over_cap_cut():
    decoded = b"a" * 100_000
    headers = {"Content-Encoding": "gzip"}
    with http_server(answer(gzip.compress(decoded), headers=headers)) as server:
        response = HttpClient().get(f"{server.url}/bomb", max_bytes=65_536)
    assert response.truncated
    assert len(response.body) == 65_536


@ALLOW_LOOPBACK
def test_gzip_body_under_cap_decoded():
    headers = {"Content-Encoding": "gzip"}
    with http_server(answer(gzip.compress(b"b" * 1000), headers=headers)) as server:
        response = HttpClient().get(f"{server.url}/small", max_bytes=65_536)
    assert not response.truncated
    assert response.body == b"b" * 1000


@ALLOW_LOOPBACK
def test_content_length_over_cap_refused_early():
    with http_server(answer(b"c" * 2000)) as server:
        response = HttpClient().get(f"{server.url}/big", max_bytes=1000)
    assert response.truncated
    assert response.body == b""


@ALLOW_LOOPBACK
def test_body_without_length_cut_at_cap():
    def respond(handler):
        handler.protocol_version = "HTTP/1.0"
        handler.send_response(200)
        handler.end_headers()
        handler.wfile.write(b"d" * 5000)
        handler.close_connection = True

    with http_server(respond) as server:
        response = HttpClient().get(f"{server.url}/stream", max_bytes=1000)
    assert response.truncated
    assert len(response.body) == 1000


@ALLOW_LOOPBACK
def test_connection_refused_reported():
    with http_server(answer()) as server:
        port = server.port
    with pytest.raises(UpstreamError) as caught:
        HttpClient().get(f"http://127.0.0.1:{port}/", max_bytes=100)
    assert caught.value.message == (
        f"Could not connect to http://127.0.0.1:{port}; check that the server is running "
        "and reachable."
    )


@ALLOW_LOOPBACK
def test_no_proxy_from_environment(monkeypatch):
    monkeypatch.setenv("HTTP_PROXY", "http://10.9.9.9:3128")
    monkeypatch.setenv("HTTPS_PROXY", "http://10.9.9.9:3128")
    with http_server(answer(b"direct")) as server:
        response = HttpClient().get(f"{server.url}/", max_bytes=100)
    assert response.body == b"direct"


@ALLOW_LOOPBACK
def test_cookies_not_kept():
    with http_server(answer(b"", headers={"Set-Cookie": "session=abc; Path=/"})) as server:
        client = HttpClient()
        client.get(f"{server.url}/one", max_bytes=100)
        client.get(f"{server.url}/two", max_bytes=100)
    assert "Cookie" not in server.requests[1]["headers"]


@pytest.mark.parametrize("url", [
    "https://user:secret@github.com/acme/app",
    "https://github.com\\@127.0.0.1/",
    "https://%31%32%37.0.0.1/",
    "https://gïthub.com/acme/app",
    "https://github.com/acme\r\nX-Injected: 1",
    "https://github.com/\x00",
])
def test_malformed_urls_rejected(url):
    with pytest.raises(InvalidLocation):
        HttpClient().get(url, max_bytes=100)


def test_file_scheme_rejected():
    with pytest.raises(AddressBlocked) as caught:
        HttpClient().get("file:///etc/passwd", max_bytes=100)
    assert caught.value.message == "Only https:// URLs can be fetched, got file://."


@pytest.fixture(scope="module")
def localhost_certificate(tmp_path_factory):
    """A self-signed certificate for DNS:localhost, written as PEM files."""
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "localhost")])
    now = datetime.datetime.now(datetime.UTC)
    certificate = (
        x509.CertificateBuilder()
        .subject_name(name).issuer_name(name).public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(days=1))
        .not_valid_after(now + datetime.timedelta(days=1))
        .add_extension(x509.SubjectAlternativeName([
            x509.DNSName("localhost"), x509.IPAddress(ipaddress.ip_address("127.0.0.2")),
        ]), critical=False)
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .sign(key, hashes.SHA256())
    )
    folder = tmp_path_factory.mktemp("tls")
    certificate_file, key_file = folder / "cert.pem", folder / "key.pem"
    certificate_file.write_bytes(certificate.public_bytes(serialization.Encoding.PEM))
    key_file.write_bytes(key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    ))
    return str(certificate_file), str(key_file)


@override_settings(TINYFORGE_GIT_ALLOWED_HOSTS=["localhost"])
def test_tls_reached_with_sni_when_trusted(localhost_certificate, monkeypatch):
    monkeypatch.setattr(git_http, "CA_BUNDLE", localhost_certificate[0])
    sni_names = []
    with tls_server(answer(b"over tls"), *localhost_certificate, sni_names) as server:
        response = HttpClient().get(f"https://localhost:{server.port}/file", max_bytes=100)
    assert response.body == b"over tls"
    assert sni_names == ["localhost"]
    assert server.requests[0]["headers"]["Host"] == f"localhost:{server.port}"


@override_settings(TINYFORGE_GIT_ALLOWED_HOSTS=["localhost"])
def test_tls_untrusted_certificate_fails(localhost_certificate):
    sni_names = []
    with tls_server(answer(b"over tls"), *localhost_certificate, sni_names) as server:
        with pytest.raises(UpstreamError) as caught:
            HttpClient().get(f"https://localhost:{server.port}/file", max_bytes=100)
        assert server.requests == []
    assert caught.value.message == (
        f"The TLS connection to https://localhost:{server.port} failed: the server certificate "
        "could not be verified."
    )


@override_settings(TINYFORGE_GIT_ALLOWED_HOSTS=["127.0.0.1"])
def test_tls_host_mismatch_fails(localhost_certificate, monkeypatch):
    monkeypatch.setattr(git_http, "CA_BUNDLE", localhost_certificate[0])
    with tls_server(answer(b"over tls"), *localhost_certificate, []) as server:
        with pytest.raises(UpstreamError) as caught:
            HttpClient().get(f"https://127.0.0.1:{server.port}/file", max_bytes=100)
        assert server.requests == []
    assert "failed" in caught.value.message
