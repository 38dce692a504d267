"""examples/python/demo.py runs on the package, against the daemon and without one."""

import subprocess
import sys

from conftest import REPO, TOKEN, closed_port_url

HELLO_CID = "bafkreifzjut3te2nhyekklss27nh3k72ysco7y32koao5eei66wof36n5e"


def run_demo(api, tmp_path, token=None):
    args = [sys.executable, str(REPO / "examples" / "python" / "demo.py"), "--api", api]
    if token:
        args += ["--token", token]
    env = {"PATH": "/usr/bin:/bin", "HOME": str(tmp_path), "XDG_CACHE_HOME": str(tmp_path / "cache")}
    done = subprocess.run(args, capture_output=True, timeout=60, env=env)
    assert done.returncode == 0, done.stderr.decode()
    return done.stdout.decode()


def test_the_demo_through_the_daemon(daemon, tmp_path):
    out = run_demo(daemon.api, tmp_path, TOKEN)
    assert f"backend   daemon at {daemon.api}" in out
    assert f"stored    {HELLO_CID}" in out
    assert f"node      {daemon.info['peerId']}" in out
    assert "inference {'echo': 'hi'}" in out
    daemon.wipe()


def test_the_demo_without_a_daemon(tmp_path):
    out = run_demo(closed_port_url(), tmp_path)
    assert "backend   fallback store" in out
    assert f"stored    {HELLO_CID}" in out
    assert "retrieved hello world" in out
    assert (tmp_path / "cache" / "ipfs_accelerate" / "fallback" / HELLO_CID).exists()
