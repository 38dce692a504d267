"""Store, retrieve, pin, list and unpin through a running `ipfs-kit daemon`.

    ipfs-kit daemon &                       # serves the RPC API on 127.0.0.1:5001
    python3 examples/python/demo.py [--api http://127.0.0.1:5001] [--token TOKEN] [--model org/name]
"""

import argparse
import os

from ipfs_kit_client import IPFSKitClient

parser = argparse.ArgumentParser()
parser.add_argument("--api", default="http://127.0.0.1:5001")
parser.add_argument("--token", default=os.environ.get("IPFS_KIT_API_TOKEN"))
parser.add_argument("--model", help="also list the peers that hold this model")
args = parser.parse_args()

client = IPFSKitClient(args.api, token=args.token)
cid = client.store("hello world", filename="hello.txt", pin=False)
print("stored   ", cid)
print("retrieved", client.retrieve(cid).decode())
print("pinned   ", client.pin(cid))
print("pins     ", ", ".join(client.list()))
print("unpinned ", client.unpin(cid))
status = client.status()
print("node     ", status["peerId"], f"{status['repo']['blocks']} blocks, {status['peers']} peers")
if args.model:
    for provider in client.find_providers(args.model):
        print("provider ", provider["ID"], provider["Revision"], provider["Root"])
