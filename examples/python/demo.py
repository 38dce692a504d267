"""The seed's storage calls from Python, through a running `ipfs-kit daemon` (or, without one, the
fallback store, with the same CIDs).

    pip install ./clients/python            # or run from a checkout: this script finds clients/python/src
    npx ipfs-kit daemon &                   # serves the RPC API on 127.0.0.1:5001
    python3 examples/python/demo.py [--api http://127.0.0.1:5001] [--token TOKEN] [--model org/name]
"""

import argparse
import os
import pathlib
import sys

try:
    from ipfs_kit_client import get_storage
except ImportError:  # not installed: the package's source in this checkout
    sys.path.insert(0, str(pathlib.Path(__file__).resolve().parents[2] / "clients" / "python" / "src"))
    from ipfs_kit_client import get_storage

parser = argparse.ArgumentParser()
parser.add_argument("--api", default=os.environ.get("IPFS_KIT_API", "http://127.0.0.1:5001"))
parser.add_argument("--token", default=os.environ.get("IPFS_KIT_API_TOKEN"))
parser.add_argument("--model", help="also list the peers that hold this model")
args = parser.parse_args()

storage = get_storage(config={"api": args.api, "api_token": args.token})
print("backend  ", "fallback store" if storage.using_fallback else f"daemon at {args.api}")
cid = storage.store("hello world", filename="hello.txt")
print("stored   ", cid)
print("retrieved", storage.retrieve(cid).decode())
print("pinned   ", storage.pin(cid))
print("files    ", ", ".join(f"{f['filename']} {f['cid']} pinned={f['pinned']}" for f in storage.list_files()))
print("unpinned ", storage.unpin(cid))
status = storage.get_backend_status()
if not storage.using_fallback:
    print("node     ", status["peer_id"], f"{status['repo']['blocks']} blocks, {status['peers']} peers")
answer = storage.cached_inference("acme/echo", "hi", lambda text: {"echo": text})
print("inference", answer)
if args.model:
    for provider in storage.find_providers(args.model):
        print("provider ", provider["ID"], provider["Revision"], provider["Root"])
