"""The real coturn, configured as modules/turn_ec2 configures it, checks the credentials call_token issues.

The configuration is the one the module's boot script writes: Terraform renders
the script (tests/module_render.py), bash expands its heredoc with the boot-time
values (the private address becomes 127.0.0.1, the public one a documentation
address that is only announced, never contacted), and only what a loopback run
must change is changed: the ports, the certificate files, and the pid file and
user database, which go to a temporary folder. Every security setting stays.
"""

from __future__ import annotations

import asyncio
import datetime
import ipaddress
import os
import secrets
import signal
import socket
import ssl
import subprocess
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from aioice import stun, turn
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from cryptography.x509.oid import NameOID

from parley.domain.calls import turn_credentials
from tests.conftest import system_command
from tests.module_render import cloud_init, heredoc

HOST = "127.0.0.1"
PUBLIC_IP = "203.0.113.10"  # TEST-NET-3: announced as the relay address, never contacted
TTL_SECONDS = 3600
# Lines of the rendered configuration a loopback run changes, and lines it adds.
ADAPTED = {"listening-port", "tls-listening-port", "cert", "pkey"}
ADDED = {"pidfile", "userdb"}


def boot_config(script: str, private_ip: str, public_ip: str, secret: str) -> str:
    """turnserver.conf exactly as the boot script's shell writes it, for these boot-time values."""
    # An unquoted delimiter: the shell expands the variables, as at boot.
    assert "cat > /etc/coturn/turnserver.conf <<CONF\n" in script
    result = subprocess.run(
        ["bash", "-c", f"cat <<CONF\n{heredoc(script, '/etc/coturn/turnserver.conf')}CONF\n"],
        env={"PATH": os.environ["PATH"], "PRIVATE_IP": private_ip, "PUBLIC_IP": public_ip, "TURN_SECRET": secret},
        capture_output=True, text=True, check=True,
    )  # fmt: skip
    return result.stdout


def settings(config: str) -> list[tuple[str, str]]:
    return [(key, value) for key, _, value in (line.partition("=") for line in config.splitlines() if line)]


def adapt(config: str, changes: dict[str, str]) -> str:
    """The configuration with the values of ``changes`` (existing keys replaced, new ones appended)."""
    lines = [f"{k}={changes[k]}" if k in changes else (f"{k}={v}" if v else k) for k, v in settings(config)]
    present = {k for k, _ in settings(config)}
    lines += [f"{k}={v}" for k, v in changes.items() if k not in present]
    return "\n".join(lines) + "\n"


def self_signed(folder: Path, name: str, key: rsa.RSAPrivateKey | ec.EllipticCurvePrivateKey) -> tuple[Path, Path]:
    subject = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "turn.example.com")])
    now = datetime.datetime.now(datetime.UTC)
    certificate = (
        x509.CertificateBuilder()
        .subject_name(subject)
        .issuer_name(subject)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(minutes=5))
        .not_valid_after(now + datetime.timedelta(days=1))
        .add_extension(x509.SubjectAlternativeName([x509.IPAddress(ipaddress.ip_address(HOST))]), critical=False)
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .sign(key, hashes.SHA256())
    )
    cert, pkey = folder / f"{name}.crt", folder / f"{name}.key"
    cert.write_bytes(certificate.public_bytes(serialization.Encoding.PEM))
    pkey.write_bytes(
        key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())
    )
    return cert, pkey


def free_port() -> int:
    """A port free for both TCP and UDP on the loopback address (coturn listens on both)."""
    while True:
        with socket.socket() as tcp:
            tcp.bind((HOST, 0))
            port = int(tcp.getsockname()[1])
            with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as udp:
                try:
                    udp.bind((HOST, port))
                except OSError:
                    continue
                return port


@dataclass
class TurnServer:
    rendered: str
    config: str
    secret: str
    port: int
    tls_port: int
    folder: Path
    process: subprocess.Popen[bytes]

    def value(self, key: str) -> str:
        return dict(settings(self.config))[key]

    def log(self) -> str:
        return (self.folder / "turnserver.log").read_text(errors="replace")


def _wait_listening(server: TurnServer, timeout_seconds: float = 15) -> None:
    deadline = time.monotonic() + timeout_seconds
    waiting = [server.port, server.tls_port]
    while waiting:
        if server.process.poll() is not None:
            pytest.fail(f"turnserver exited with {server.process.returncode}:\n{server.log()[-3000:]}")
        if time.monotonic() > deadline:
            pytest.fail(f"turnserver did not listen on {waiting}:\n{server.log()[-3000:]}")
        with socket.socket() as probe:
            probe.settimeout(0.5)
            if probe.connect_ex((HOST, waiting[0])) == 0:
                waiting.pop(0)
                continue
        time.sleep(0.1)


@pytest.fixture(scope="module")
def coturn(tmp_path_factory: pytest.TempPathFactory) -> Iterator[TurnServer]:
    binary = system_command("coturn")
    folder = tmp_path_factory.mktemp("coturn")
    secret = secrets.token_urlsafe(36)
    rendered = boot_config(cloud_init("turn_ec2", "defaults", folder / "render"), HOST, PUBLIC_IP, secret)
    cert, pkey = self_signed(folder, "boot", rsa.generate_private_key(public_exponent=65537, key_size=2048))
    port, tls_port = free_port(), free_port()
    config = adapt(rendered, {
        "listening-port": str(port), "tls-listening-port": str(tls_port),
        "cert": str(cert), "pkey": str(pkey),
        "pidfile": str(folder / "turnserver.pid"), "userdb": str(folder / "turndb"),
    })  # fmt: skip
    (folder / "turnserver.conf").write_text(config)
    with (folder / "turnserver.log").open("wb") as log:
        process = subprocess.Popen(
            [binary, "-c", str(folder / "turnserver.conf")], stdout=log, stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL, start_new_session=True,
        )  # fmt: skip
    server = TurnServer(rendered, config, secret, port, tls_port, folder, process)
    try:
        _wait_listening(server)
        yield server
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def _client_tls(server: TurnServer) -> ssl.SSLContext:
    """A client that verifies the server against the certificate file coturn was given."""
    return ssl.create_default_context(cafile=server.value("cert"))


async def _allocate(
    server: TurnServer, username: str, password: str, transport: str = "udp", bind_peer: tuple[str, int] | None = None
) -> tuple[str, int]:
    """Allocate a relay (and optionally bind a channel to a peer) with these credentials; the relayed address."""
    loop = asyncio.get_running_loop()
    protocol: turn.TurnClientUdpProtocol | turn.TurnClientTcpProtocol
    if transport == "udp":
        address = (HOST, server.port)
        _, protocol = await loop.create_datagram_endpoint(
            lambda: turn.TurnClientUdpProtocol(address, username, password, 600, 500), remote_addr=address
        )
    else:
        address = (HOST, server.tls_port if transport == "tls" else server.port)
        _, protocol = await loop.create_connection(
            lambda: turn.TurnClientTcpProtocol(address, username, password, 600, 500),
            host=HOST, port=address[1], ssl=_client_tls(server) if transport == "tls" else None,
        )  # fmt: skip
    try:
        relayed = await asyncio.wait_for(protocol.connect(), timeout=10)
        if bind_peer is not None:
            await asyncio.wait_for(protocol.channel_bind(0x4000, bind_peer), timeout=10)
        await protocol.delete()
        return relayed
    finally:
        protocol.transport.close()


def _refusal(server: TurnServer, username: str, password: str, bind_peer: tuple[str, int] | None = None) -> int:
    """The STUN error code the server answers these credentials (or this channel) with."""
    with pytest.raises(stun.TransactionFailed) as refused:
        asyncio.run(_allocate(server, username, password, bind_peer=bind_peer))
    code = refused.value.response.error_code
    assert code is not None
    return code


def test_turn_server_runs_the_module_configuration_with_every_security_setting(coturn: TurnServer) -> None:
    rendered, running = settings(coturn.rendered), settings(coturn.config)
    changed = {k for k, v in running if (k, v) not in rendered}
    assert changed == ADAPTED | ADDED
    assert [s for s in running if s[0] not in changed] == [s for s in rendered if s[0] not in ADAPTED]
    # The boot-time values the shell filled in, and the settings that keep the relay safe.
    for expected in (
        ("listening-ip", HOST), ("relay-ip", HOST), ("external-ip", f"{PUBLIC_IP}/{HOST}"),
        ("use-auth-secret", ""), ("static-auth-secret", coturn.secret), ("realm", "turn.example.com"),
        ("no-cli", ""), ("no-multicast-peers", ""), ("no-tlsv1", ""), ("no-tlsv1_1", ""), ("fingerprint", ""),
        ("denied-peer-ip", "127.0.0.0-127.255.255.255"), ("denied-peer-ip", "10.0.0.0-10.255.255.255"),
    ):  # fmt: skip
        assert expected in running, expected
    assert sum(k == "denied-peer-ip" for k, _ in running) == 13


@pytest.mark.parametrize("transport", ["udp", "tcp", "tls"])
def test_turn_server_allocates_with_call_token_credentials(coturn: TurnServer, transport: str) -> None:
    credentials = turn_credentials(coturn.secret, "user-a", int(time.time()), TTL_SECONDS)
    relayed_ip, relayed_port = asyncio.run(
        _allocate(coturn, credentials["username"], credentials["password"], transport)
    )
    # The relay is announced at the public address (external-ip), on a port of the configured range.
    assert relayed_ip == PUBLIC_IP
    assert int(coturn.value("min-port")) <= relayed_port <= int(coturn.value("max-port"))


def test_turn_server_refuses_expired_credentials(coturn: TurnServer) -> None:
    issued_two_hours_ago = turn_credentials(coturn.secret, "user-a", int(time.time()) - 7200, TTL_SECONDS)
    assert issued_two_hours_ago["expires_at"] < time.time()
    assert _refusal(coturn, issued_two_hours_ago["username"], issued_two_hours_ago["password"]) == 401


def _tampered(secret: str, how: str) -> tuple[str, str]:
    now = int(time.time())
    own = turn_credentials(secret, "user-a", now, TTL_SECONDS)
    if how == "password":
        flipped = "A" if own["password"][0] != "A" else "B"
        return own["username"], flipped + own["password"][1:]
    if how == "user":  # someone else's name with one's own password
        return own["username"].replace(":user-a", ":user-b"), own["password"]
    if how == "expiry":  # one's own credentials, made to last longer
        return f"{now + 30 * 86400}:user-a", own["password"]
    forged = turn_credentials(secrets.token_urlsafe(36), "user-a", now, TTL_SECONDS)  # signed with another secret
    return forged["username"], forged["password"]


@pytest.mark.parametrize("how", ["password", "user", "expiry", "secret"])
def test_turn_server_refuses_tampered_credentials(coturn: TurnServer, how: str) -> None:
    username, password = _tampered(coturn.secret, how)
    assert _refusal(coturn, username, password) == 401


# The VPC's range, the instance metadata service, the private ranges and loopback. A channel binding
# only asks the server for a permission: nothing is sent to these addresses, whatever the answer.
@pytest.mark.parametrize("peer", ["10.40.0.10", "169.254.169.254", "192.168.1.1", "172.16.0.1", "127.0.0.1"])
def test_turn_server_refuses_to_relay_to_a_denied_peer(coturn: TurnServer, peer: str) -> None:
    credentials = turn_credentials(coturn.secret, "user-a", int(time.time()), TTL_SECONDS)
    assert _refusal(coturn, credentials["username"], credentials["password"], bind_peer=(peer, 9)) == 403


def test_turn_server_reloads_its_certificate_on_sigusr2(coturn: TurnServer) -> None:
    """What the boot script relies on when Caddy renews the domain's certificate."""
    served_before = ssl.get_server_certificate((HOST, coturn.tls_port))
    assert served_before == Path(coturn.value("cert")).read_text()
    renewed_cert, renewed_key = self_signed(coturn.folder, "renewed", ec.generate_private_key(ec.SECP256R1()))
    Path(coturn.value("cert")).write_bytes(renewed_cert.read_bytes())
    Path(coturn.value("pkey")).write_bytes(renewed_key.read_bytes())
    os.kill(coturn.process.pid, signal.SIGUSR2)
    deadline = time.monotonic() + 10
    while ssl.get_server_certificate((HOST, coturn.tls_port)) != renewed_cert.read_text():
        assert time.monotonic() < deadline, "coturn still serves the old certificate after SIGUSR2"
        time.sleep(0.1)
    credentials = turn_credentials(coturn.secret, "user-a", int(time.time()), TTL_SECONDS)
    assert asyncio.run(_allocate(coturn, credentials["username"], credentials["password"], "tls"))[0] == PUBLIC_IP
