"""Test PKI for the stand-in: an "upstream" CA and the certificates the stand-in serves.

The proxy under test verifies upstream TLS against this CA
(`ssl_verify_upstream_trusted_ca`), so the stand-in must present certificates that are
valid for the real hostnames the clients ask for.
"""

from __future__ import annotations

import datetime
import hashlib
import ipaddress
import threading
from dataclasses import dataclass, field
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

# Hostnames the stand-in answers for with its main certificate. Wildcards cover the
# per-tenant hosts (Azure OpenAI resources, ChatGPT upload blobs).
AI_HOSTNAMES: tuple[str, ...] = (
    "api.openai.com",
    "chatgpt.com",
    "chat.openai.com",
    "*.oaiusercontent.com",
    "*.openai.azure.com",
    "api.anthropic.com",
    "claude.ai",
    "generativelanguage.googleapis.com",
    "gemini.google.com",
    "api.mistral.ai",
    "chat.mistral.ai",
    "api.cohere.com",
    "api.cohere.ai",
    "copilot.microsoft.com",
    "api.githubcopilot.com",
    "api.perplexity.ai",
    "www.perplexity.ai",
    "api.deepseek.com",
    "chat.deepseek.com",
    "localhost",
    "127.0.0.1",
    "::1",
)

# A non-AI host: the proxy must tunnel it untouched, so the client sees this exact cert.
PLAIN_HOSTNAME = "plain.example.test"

_VALIDITY = datetime.timedelta(days=30)


def sha256_fingerprint(der: bytes) -> str:
    """Lower-case hex SHA-256 of a DER certificate (no colons)."""
    return hashlib.sha256(der).hexdigest()


def hostname_matches(pattern: str, hostname: str) -> bool:
    """RFC 6125 matching of one SAN pattern: a leading `*.` stands for exactly one label."""
    pattern, hostname = pattern.lower(), hostname.lower().rstrip(".")
    if pattern.startswith("*."):
        head, _, rest = hostname.partition(".")
        return bool(head) and rest == pattern[2:]
    return pattern == hostname


@dataclass(frozen=True)
class IssuedCert:
    """A leaf certificate and its key, as PEM files."""

    cert_path: Path
    key_path: Path
    sha256: str
    hostnames: tuple[str, ...]

    def covers(self, hostname: str) -> bool:
        return any(hostname_matches(p, hostname) for p in self.hostnames)


@dataclass(frozen=True)
class StandinPKI:
    """The test upstream CA and the stand-in's certificates (all files under `directory`)."""

    directory: Path
    ca_cert: Path
    ca_key: Path
    ca_sha256: str
    ai: IssuedCert
    plain: IssuedCert
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False, compare=False)

    def issue(self, hostname: str) -> IssuedCert:
        """A certificate for a hostname the fixed ones do not cover (written once, reused)."""
        name = hostname.lower().rstrip(".")
        if not name or "/" in name or name.startswith("."):
            raise ValueError("not a hostname")
        with self._lock:
            cert_path = self.directory / f"extra-{name}.pem"
            key_path = self.directory / f"extra-{name}-key.pem"
            if cert_path.exists():
                der = x509.load_pem_x509_certificate(cert_path.read_bytes()).public_bytes(
                    serialization.Encoding.DER
                )
                return IssuedCert(cert_path, key_path, sha256_fingerprint(der), (name,))
            ca_key = serialization.load_pem_private_key(self.ca_key.read_bytes(), password=None)
            ca_cert = x509.load_pem_x509_certificate(self.ca_cert.read_bytes())
            assert isinstance(ca_key, ec.EllipticCurvePrivateKey)
            return _issue_leaf(ca_cert, ca_key, (name,), cert_path, key_path)


def make_pki(directory: Path, extra_hostnames: tuple[str, ...] = ()) -> StandinPKI:
    """Create the CA, the multi-SAN AI certificate and the plain-host certificate."""
    directory.mkdir(parents=True, exist_ok=True)
    ca_key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name(
        [
            x509.NameAttribute(NameOID.ORGANIZATION_NAME, "aipolicy tests"),
            x509.NameAttribute(NameOID.COMMON_NAME, "aipolicy test upstream CA"),
        ]
    )
    now = datetime.datetime.now(datetime.UTC)
    ca_cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(ca_key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(days=1))
        .not_valid_after(now + _VALIDITY)
        .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
        .add_extension(
            x509.KeyUsage(
                digital_signature=True,
                content_commitment=False,
                key_encipherment=False,
                data_encipherment=False,
                key_agreement=False,
                key_cert_sign=True,
                crl_sign=True,
                encipher_only=False,
                decipher_only=False,
            ),
            critical=True,
        )
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(ca_key.public_key()), False)
        .sign(ca_key, hashes.SHA256())
    )
    ca_cert_path = directory / "ca.pem"
    ca_key_path = directory / "ca-key.pem"
    ca_cert_path.write_bytes(ca_cert.public_bytes(serialization.Encoding.PEM))
    _write_key(ca_key, ca_key_path)

    ai = _issue_leaf(
        ca_cert,
        ca_key,
        AI_HOSTNAMES + tuple(extra_hostnames),
        directory / "ai.pem",
        directory / "ai-key.pem",
    )
    plain = _issue_leaf(
        ca_cert, ca_key, (PLAIN_HOSTNAME,), directory / "plain.pem", directory / "plain-key.pem"
    )
    return StandinPKI(
        directory=directory,
        ca_cert=ca_cert_path,
        ca_key=ca_key_path,
        ca_sha256=sha256_fingerprint(ca_cert.public_bytes(serialization.Encoding.DER)),
        ai=ai,
        plain=plain,
    )


def _issue_leaf(
    ca_cert: x509.Certificate,
    ca_key: ec.EllipticCurvePrivateKey,
    hostnames: tuple[str, ...],
    cert_path: Path,
    key_path: Path,
) -> IssuedCert:
    key = ec.generate_private_key(ec.SECP256R1())
    sans: list[x509.GeneralName] = []
    for host in hostnames:
        try:
            sans.append(x509.IPAddress(ipaddress.ip_address(host)))
        except ValueError:
            sans.append(x509.DNSName(host))
    now = datetime.datetime.now(datetime.UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, hostnames[0])]))
        .issuer_name(ca_cert.subject)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(days=1))
        .not_valid_after(now + _VALIDITY)
        .add_extension(x509.SubjectAlternativeName(sans), critical=False)
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(
            x509.KeyUsage(
                digital_signature=True,
                content_commitment=False,
                key_encipherment=False,
                data_encipherment=False,
                key_agreement=False,
                key_cert_sign=False,
                crl_sign=False,
                encipher_only=False,
                decipher_only=False,
            ),
            critical=True,
        )
        .add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.SERVER_AUTH]), critical=False)
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), False)
        .add_extension(
            x509.AuthorityKeyIdentifier.from_issuer_public_key(ca_key.public_key()), False
        )
        .sign(ca_key, hashes.SHA256())
    )
    cert_path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    _write_key(key, key_path)
    return IssuedCert(
        cert_path=cert_path,
        key_path=key_path,
        sha256=sha256_fingerprint(cert.public_bytes(serialization.Encoding.DER)),
        hostnames=hostnames,
    )


def _write_key(key: ec.EllipticCurvePrivateKey, path: Path) -> None:
    path.touch(mode=0o600)
    path.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
