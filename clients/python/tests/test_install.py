"""The package installs into a fresh venv with pip, offline and without build isolation (the
in-tree PEP 517 backend needs nothing, not even `wheel`), and works from there."""

import json
import subprocess
import sys
import venv

from conftest import PACKAGE_DIR

CHECK = r"""
import json, sys, ipfs_kit_client
from ipfs_kit_client import get_storage
storage = get_storage(cache_dir=sys.argv[1], force_fallback=True)
cid = storage.store(b"hello world", filename="hello.txt", pin=True)
print(json.dumps({"file": ipfs_kit_client.__file__, "cid": cid, "files": storage.list_files(), "version": ipfs_kit_client.__version__}))
"""


def test_pip_installs_the_package_into_a_fresh_venv(tmp_path):
    env_dir = tmp_path / "venv"
    venv.create(env_dir, with_pip=False)  # the machine's pip installs into it (--python): no ensurepip run
    python = env_dir / "bin" / "python"
    done = subprocess.run([sys.executable, "-m", "pip", "--python", str(python), "install", "--no-index", "--no-build-isolation",
                           "--no-deps", "--no-cache-dir", "--quiet", str(PACKAGE_DIR)], capture_output=True, timeout=300)
    assert done.returncode == 0, done.stderr.decode()
    run = subprocess.run([str(python), "-I", "-c", CHECK, str(tmp_path / "cache")], capture_output=True, timeout=60, cwd=tmp_path)
    assert run.returncode == 0, run.stderr.decode()
    out = json.loads(run.stdout)
    assert out["file"].startswith(str(env_dir))
    assert out["cid"] == "bafkreifzjut3te2nhyekklss27nh3k72ysco7y32koao5eei66wof36n5e"
    assert out["files"][0]["filename"] == "hello.txt" and out["files"][0]["pinned"] is True
    assert out["version"] == "0.1.0"
    record = list(env_dir.glob("lib/python*/site-packages/ipfs_kit_client-0.1.0.dist-info/RECORD"))
    assert len(record) == 1
    assert "ipfs_kit_client/unixfs.py,sha256=" in record[0].read_text()
