"""The proxy's certificate authority in ``certs/`` (mitmproxy's confdir layout).

Creating the CA uses mitmproxy's own certificate store so the proxy can read it; this
module imports mitmproxy lazily and only here, for the launcher's ``ca`` commands.
"""

from __future__ import annotations

import os
import socket
import stat
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization

BASENAME = "mitmproxy"  # mitmproxy looks for <confdir>/mitmproxy-ca.pem
SECRET_FILES = (f"{BASENAME}-ca.pem", f"{BASENAME}-ca.p12")


def ca_paths(confdir: Path) -> tuple[Path, Path]:
    """(private key + cert, public cert)"""
    return confdir / f"{BASENAME}-ca.pem", confdir / f"{BASENAME}-ca-cert.pem"


def ensure_ca(confdir: Path) -> bool:
    """Create the CA if there is none; make sure private files are mode 0600.

    Returns True when a new CA was created.
    """
    key_file, _ = ca_paths(confdir)
    created = False
    if not key_file.exists():
        from mitmproxy.certs import CertStore

        confdir.mkdir(parents=True, exist_ok=True)
        CertStore.create_store(
            confdir, BASENAME, 2048, organization="aipolicy",
            cn=f"aipolicy proxy CA ({socket.gethostname()})",
        )
        created = True
    for name in SECRET_FILES:
        path = confdir / name
        if path.exists() and stat.S_IMODE(path.stat().st_mode) != 0o600:
            os.chmod(path, 0o600)
    return created


def public_certificate(confdir: Path) -> x509.Certificate:
    _, cert_file = ca_paths(confdir)
    return x509.load_pem_x509_certificate(cert_file.read_bytes())


def export_certificate(confdir: Path, der: bool = False) -> bytes:
    cert = public_certificate(confdir)
    encoding = serialization.Encoding.DER if der else serialization.Encoding.PEM
    return cert.public_bytes(encoding)


def system_bundle() -> bytes:
    """The CA bundle clients trust today, so ours can be appended for SSL_CERT_FILE."""
    import ssl

    cafile = ssl.get_default_verify_paths().openssl_cafile
    if cafile and Path(cafile).is_file():
        return Path(cafile).read_bytes()
    import certifi

    return Path(certifi.where()).read_bytes()


def fingerprint(confdir: Path) -> str:
    digest = public_certificate(confdir).fingerprint(hashes.SHA256())
    return ":".join(f"{b:02X}" for b in digest)
