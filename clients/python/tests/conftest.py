"""Fixtures: the package from the source tree, one real `ipfs-kit daemon` for the session, and
`storage`, which runs a test once in fallback mode and once against that daemon.

The daemon runs the repo's built CLI (bin/ipfs-kit.js over dist/: `npm run build`, or `npm ci`,
which builds through `prepare`) on a temp data directory, with free ports chosen by the OS,
loopback only, and an API token (so every daemon-mode test also exercises IPFS_KIT_API_TOKEN).
"""

import contextlib
import json
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import threading
from pathlib import Path

import pytest

PACKAGE_DIR = Path(__file__).resolve().parents[1]
REPO = PACKAGE_DIR.parents[1]
sys.path.insert(0, str(PACKAGE_DIR / "src"))

import ipfs_kit_client  # noqa: E402

TOKEN = "python-tests-token-0123456789abcdef"
DAEMON_READY_SECONDS = 60
ABSENT_TIMEOUT = "500ms"
"""How long daemon-mode tests let the node look for content nobody has (config `retrieve_timeout`)."""

ENV_VARS = ("IPFS_KIT_API", "IPFS_KIT_API_TOKEN", "IPFS_KIT_DISABLE", "IPFS_ACCELERATE_CACHE_DIR", "IPFS_KIT_CACHE_DIR", "XDG_CACHE_HOME")


def node_binary():
    """A Node >= 22 to run the CLI with: node_modules' (what npm scripts use), else the PATH's."""
    local = REPO / "node_modules" / ".bin" / "node"
    if local.exists():
        return str(local)
    found = shutil.which("node")
    if found is None:
        pytest.fail("no node binary: run `npm ci` in the repository first")
    return found


def cli(*args, **kwargs):
    """Run the ipfs-kit CLI to completion."""
    if not (REPO / "dist" / "src" / "cli" / "main.js").exists():
        pytest.fail("dist/ is not built: run `npm run build` (or `npm ci`) in the repository first")
    return subprocess.run([node_binary(), str(REPO / "bin" / "ipfs-kit.js"), *args], capture_output=True, timeout=120, **kwargs)


def closed_port_url():
    """A loopback URL where nothing listens (a port the OS just handed out and took back)."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    return f"http://127.0.0.1:{port}"


class Daemon:
    def __init__(self, root, extra_config=""):
        if not (REPO / "dist" / "src" / "cli" / "main.js").exists():
            pytest.fail("dist/ is not built: run `npm run build` (or `npm ci`) in the repository first")
        self.data_dir = root / "node"
        config = root / "ipfs-kit.yaml"
        # no hot tier: the seed's "manual deletion" test removes a block file behind the node's back,
        # and a verified copy kept in memory (performance.memory_cache_size) would still be served
        config.write_text(f'ipfs_kit:\n  api:\n    auth_token: "{TOKEN}"\n  performance:\n    memory_cache_size: 0\n{extra_config}')
        self.stderr = tempfile.TemporaryFile(dir=root)
        # the node binary directly (not a wrapper that would not forward SIGTERM)
        self.process = subprocess.Popen(
            [node_binary(), "--max-semi-space-size=8", str(REPO / "bin" / "ipfs-kit.js"), "daemon", "--json",
             "--data-dir", str(self.data_dir), "--config", str(config),
             "--api", "127.0.0.1:0", "--gateway", "127.0.0.1:0", "--listen", "/ip4/127.0.0.1/tcp/0"],
            stdout=subprocess.PIPE, stderr=self.stderr, stdin=subprocess.DEVNULL)
        line = {}
        reader = threading.Thread(target=lambda: line.update(text=self.process.stdout.readline()), daemon=True)
        reader.start()
        reader.join(DAEMON_READY_SECONDS)
        if not line.get("text"):
            self.stop()
            pytest.fail(f"the daemon did not start: {self.stderr_text()}")
        self.info = json.loads(line["text"])
        self.api = self.info["api"]
        self.client = ipfs_kit_client.IPFSKitClient(self.api, token=TOKEN)

    def stderr_text(self):
        self.stderr.seek(0)
        return self.stderr.read().decode("utf-8", "replace")

    def wipe(self):
        """Back to an empty node between tests: every listed file deleted, every pin removed."""
        for entry in self.client.list_files():
            self.client.delete(entry["Cid"])
        for cid in self.client.pins():
            self.client.unpin(cid)

    def stop(self):
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(20)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        return self.process.returncode


@contextlib.contextmanager
def running_daemon(prefix, extra_config=lambda root: ""):
    """A daemon on a fresh temporary data directory, stopped and removed afterwards; it must exit 0.
    `extra_config(root)` gives config lines for it (e.g. a server started under `root`)."""
    root = Path(tempfile.mkdtemp(prefix=prefix))
    node = None
    try:
        node = Daemon(root, extra_config=extra_config(root))
        yield node
    finally:
        code = node.stop() if node is not None else 0
        shutil.rmtree(root, ignore_errors=True)
        assert code == 0, f"the daemon exited {code}: {node.stderr_text()}"


@pytest.fixture(scope="session")
def daemon():
    with running_daemon("ipfs-kit-py-daemon-") as node:
        yield node


S3RVER_SCRIPT = """
const S3rver = require('s3rver')
const [directory, bucket] = process.argv.slice(1)
new S3rver({ address: '127.0.0.1', port: 0, silent: true, directory, configureBuckets: [{ name: bucket }] }).run().then(address => {
  process.stdout.write(JSON.stringify({ port: address.port }) + '\\n')
  process.stdin.resume()
  process.stdin.on('end', () => process.exit(0))
})
"""


class S3rver:
    """s3rver (the repo's devDependency, an S3-compatible server) in a node process on a loopback port
    the OS picks, objects under `directory`; ends when its stdin closes."""

    def __init__(self, directory, bucket):
        self.directory = Path(directory)
        self.bucket = bucket
        self.directory.mkdir(parents=True, exist_ok=True)
        self.process = subprocess.Popen([node_binary(), "-e", S3RVER_SCRIPT, str(self.directory), bucket], cwd=REPO,
                                        stdin=subprocess.PIPE, stdout=subprocess.PIPE)
        line = {}
        reader = threading.Thread(target=lambda: line.update(text=self.process.stdout.readline()), daemon=True)
        reader.start()
        reader.join(DAEMON_READY_SECONDS)
        if not line.get("text"):
            self.stop()
            pytest.fail("s3rver did not start")
        self.endpoint = f"http://127.0.0.1:{json.loads(line['text'])['port']}"

    def kit_config(self):
        """The `backends.s3` section (indented under `ipfs_kit:`) pointing a daemon at this bucket, 1 MiB packs."""
        return ("  backends:\n    s3:\n      enabled: true\n"
                f"      bucket: {self.bucket}\n      region: us-east-1\n      endpoint: {self.endpoint}\n"
                "      access_key_id: S3RVER\n      secret_access_key: S3RVER\n      force_path_style: true\n"
                "      prefix: kit/\n      pack_size: 1MiB\n")

    def object_keys(self, prefix):
        """Keys of the objects in the bucket under `prefix`, from s3rver's directory (no client needed)."""
        root = self.directory / self.bucket
        suffix = "._S3rver_object"
        return sorted(str(p.relative_to(root))[:-len(suffix)] for p in root.rglob("*" + suffix)
                      if str(p.relative_to(root)).startswith(prefix))

    def stop(self):
        if self.process.poll() is None:
            self.process.stdin.close()
            try:
                self.process.wait(10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()


@pytest.fixture(scope="module")
def s3_daemon():
    """A second daemon whose cold tier is an s3rver bucket (for `backends=["s3"]`), with that server."""
    servers = []

    def start_server(root):
        servers.append(S3rver(root / "s3", "py-test"))
        return servers[0].kit_config()
    try:
        with running_daemon("ipfs-kit-py-s3-", start_server) as node:
            yield node, servers[0]
    finally:
        for server in servers:
            server.stop()


@pytest.fixture(autouse=True)
def clean_env(monkeypatch, tmp_path):
    """No test sees the caller's ipfs-kit variables, a daemon that happens to run on :5001, or the singleton of another test."""
    for name in ENV_VARS:
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("IPFS_KIT_API", closed_port_url())
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    ipfs_kit_client.reset_storage()
    yield
    ipfs_kit_client.reset_storage()


@pytest.fixture(params=["fallback", "daemon"])
def mode(request, monkeypatch):
    """Run the test in fallback mode, then against the session's daemon (found through IPFS_KIT_API and IPFS_KIT_API_TOKEN)."""
    if request.param == "daemon":
        node = request.getfixturevalue("daemon")
        node.wipe()
        monkeypatch.setenv("IPFS_KIT_API", node.api)
        monkeypatch.setenv("IPFS_KIT_API_TOKEN", TOKEN)
    return request.param


@pytest.fixture
def make_storage(mode, tmp_path):
    """`IPFSKitStorage` for the mode: fallback mode forces the fallback (as the seed's tests did); daemon mode
    lets the storage find the daemon. Tests that read content no peer has pass config `retrieve_timeout`
    (ABSENT_TIMEOUT); the others keep the daemon's deadlines, so a loaded machine cannot fail them."""
    def make(**kwargs):
        kwargs.setdefault("cache_dir", tmp_path / "cache")
        if mode == "fallback":
            kwargs.setdefault("force_fallback", True)
        return ipfs_kit_client.IPFSKitStorage(**kwargs)
    return make


@pytest.fixture
def storage(make_storage):
    return make_storage()


@pytest.fixture
def daemon_if_daemon_mode(request, mode):
    return request.getfixturevalue("daemon") if mode == "daemon" else None
