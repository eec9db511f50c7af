# SPDX-License-Identifier: MIT
"""A minimal kuori protocol client for the tests (docs/formats/kuori-protocol.md):
TLS 1.2 with Python's ssl module, the agent checked by its certificate's
fingerprint (the pin), 4-byte length framing, JSON messages. Used by
os/tools/tests/agent_e2e.py until kuori itself drives the agent."""
import hashlib
import json
import socket
import ssl
import struct
import time


class ProtocolError(RuntimeError):
    pass


def new_key(directory, name):
    """A P-256 key for enrolment: (key PEM path, base64 DER SubjectPublicKeyInfo)."""
    import base64
    import os
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    key = ec.generate_private_key(ec.SECP256R1())
    path = os.path.join(directory, f"{name}.key")
    with open(path, "wb") as f:
        f.write(key.private_bytes(serialization.Encoding.PEM,
                                  serialization.PrivateFormat.PKCS8,
                                  serialization.NoEncryption()))
    spki = key.public_key().public_bytes(serialization.Encoding.DER,
                                         serialization.PublicFormat.SubjectPublicKeyInfo)
    return path, base64.b64encode(spki).decode()


def save_cert(directory, name, der_b64):
    """Write an issued certificate (base64 DER) as PEM -> its path."""
    import base64
    import os
    from cryptography import x509
    from cryptography.hazmat.primitives import serialization
    cert = x509.load_der_x509_certificate(base64.b64decode(der_b64))
    path = os.path.join(directory, f"{name}.crt")
    with open(path, "wb") as f:
        f.write(cert.public_bytes(serialization.Encoding.PEM))
    return path, cert


def self_signed(directory, name):
    """A self-signed P-256 certificate and key (a client no agent issued) -> (crt, key)."""
    import datetime
    import os
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID
    key = ec.generate_private_key(ec.SECP256R1())
    subject = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, name),
                         x509.NameAttribute(NameOID.ORGANIZATION_NAME, "init")])
    now = datetime.datetime(2020, 1, 1)
    cert = (x509.CertificateBuilder().subject_name(subject).issuer_name(subject)
            .public_key(key.public_key()).serial_number(1).not_valid_before(now)
            .not_valid_after(now + datetime.timedelta(days=36500))
            .sign(key, hashes.SHA256()))
    crt, kp = os.path.join(directory, f"{name}.crt"), os.path.join(directory, f"{name}.key")
    with open(crt, "wb") as f:
        f.write(cert.public_bytes(serialization.Encoding.PEM))
    with open(kp, "wb") as f:
        f.write(key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                  serialization.NoEncryption()))
    return crt, kp


class Conn:
    """One TLS connection to an agent."""

    def __init__(self, port, cert=None, key=None, timeout=60):
        ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
        ctx.check_hostname = False
        ctx.verify_mode = ssl.CERT_NONE  # the agent is checked by its pin below
        ctx.minimum_version = ssl.TLSVersion.TLSv1_2
        if cert:
            ctx.load_cert_chain(cert, key)
        raw = socket.create_connection(("127.0.0.1", port), timeout=timeout)
        try:
            self.s = ctx.wrap_socket(raw)
            # TLS 1.2: a refused client certificate fails the handshake itself.
            self.fingerprint = hashlib.sha256(self.s.getpeercert(binary_form=True)).hexdigest()
        except BaseException:
            raw.close()
            raise
        self.next_id = 1

    def close(self):
        try:
            self.s.close()
        except OSError:
            pass

    def send(self, obj):
        body = json.dumps(obj).encode()
        self.s.sendall(struct.pack(">I", len(body)) + body)

    def _exact(self, n):
        out = bytearray()
        while len(out) < n:
            chunk = self.s.recv(n - len(out))
            if not chunk:
                raise ProtocolError(f"connection closed after {len(out)} of {n} bytes")
            out += chunk
        return bytes(out)

    def recv(self):
        (n,) = struct.unpack(">I", self._exact(4))
        if n == 0 or n > (1 << 20):
            raise ProtocolError(f"message length {n}")
        return json.loads(self._exact(n))

    def call(self, op, **fields):
        """Send a request; return its reply (stream messages before it are kept)."""
        rid = self.next_id
        self.next_id += 1
        self.send(dict(op=op, id=rid, **fields))
        self.pending = []
        while True:
            m = self.recv()
            if m.get("id") == rid and "ok" in m:
                return m
            self.pending.append(m)

    def hello(self):
        r = self.call("hello", versions=[1], client="agent_e2e/1")
        if not r.get("ok"):
            raise ProtocolError(f"hello: {r}")
        return r["result"]


def connect(port, deadline, cert=None, key=None):
    """Connect, retrying while QEMU's forward resets (the guest not serving yet)."""
    last = None
    while time.monotonic() < deadline:
        try:
            return Conn(port, cert, key)
        except (OSError, ssl.SSLError) as e:
            last = e
            if isinstance(e, ssl.SSLError) and "alert" in str(e).lower():
                raise  # the agent answered and refused: not a start-up race
        time.sleep(0.5)  # a retry interval, not synchronisation: the deadline decides
    raise ProtocolError(f"port {port}: no TLS connection before the deadline ({last})")
