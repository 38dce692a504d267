"""A PEP 517 build backend in the standard library only: pure-Python wheels of src/<package>.

It exists because the machines this package targets have setuptools without
`wheel`, which cannot build at all; this writes the wheel's zip, METADATA,
WHEEL and RECORD itself. Editable installs put src/ on sys.path with a .pth.
"""

import base64
import hashlib
import io
import os
import re
import tarfile
import zipfile

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
SRC = os.path.join(ROOT, "src")
PACKAGE = "ipfs_kit_client"


def _project():
    with open(os.path.join(ROOT, "pyproject.toml"), encoding="utf-8") as f:
        text = f.read()
    section = text.split("[project]", 1)[1].split("\n[", 1)[0]

    def field(name):
        match = re.search(rf'^{name}\s*=\s*"([^"]*)"', section, re.MULTILINE)
        return match.group(1) if match else None

    return {"name": field("name"), "version": field("version"), "summary": field("description"),
            "requires_python": field("requires-python")}


def _dist_info_name():
    p = _project()
    return f"{p['name'].replace('-', '_')}-{p['version']}"


def _metadata():
    p = _project()
    lines = ["Metadata-Version: 2.1", f"Name: {p['name']}", f"Version: {p['version']}"]
    if p["summary"]:
        lines.append(f"Summary: {p['summary']}")
    if p["requires_python"]:
        lines.append(f"Requires-Python: {p['requires_python']}")
    lines.append("License: MIT")
    readme = os.path.join(ROOT, "README.md")
    body = ""
    if os.path.exists(readme):
        lines.append("Description-Content-Type: text/markdown")
        with open(readme, encoding="utf-8") as f:
            body = "\n" + f.read()
    return ("\n".join(lines) + "\n" + body).encode("utf-8")


_WHEEL = b"Wheel-Version: 1.0\nGenerator: ipfs_kit_build\nRoot-Is-Purelib: true\nTag: py3-none-any\n"


def get_requires_for_build_wheel(config_settings=None):
    return []


def get_requires_for_build_sdist(config_settings=None):
    return []


def get_requires_for_build_editable(config_settings=None):
    return []


def prepare_metadata_for_build_wheel(metadata_directory, config_settings=None):
    return _write_metadata_dir(metadata_directory)


def prepare_metadata_for_build_editable(metadata_directory, config_settings=None):
    return _write_metadata_dir(metadata_directory)


def _write_metadata_dir(metadata_directory):
    name = f"{_dist_info_name()}.dist-info"
    os.makedirs(os.path.join(metadata_directory, name), exist_ok=True)
    for file, data in (("METADATA", _metadata()), ("WHEEL", _WHEEL)):
        with open(os.path.join(metadata_directory, name, file), "wb") as f:
            f.write(data)
    return name


def _package_files():
    base = os.path.join(SRC, PACKAGE)
    for directory, dirs, files in os.walk(base):
        dirs[:] = sorted(d for d in dirs if d != "__pycache__")
        for file in sorted(files):
            if file.endswith(".py") or file == "py.typed":
                full = os.path.join(directory, file)
                yield os.path.relpath(full, SRC).replace(os.sep, "/"), full


def _write_wheel(wheel_directory, entries):
    dist_info = f"{_dist_info_name()}.dist-info"
    filename = f"{_dist_info_name()}-py3-none-any.whl"
    entries = list(entries) + [(f"{dist_info}/METADATA", _metadata()), (f"{dist_info}/WHEEL", _WHEEL)]
    record = []
    with zipfile.ZipFile(os.path.join(wheel_directory, filename), "w", zipfile.ZIP_DEFLATED) as wheel:
        for arcname, data in entries:
            wheel.writestr(arcname, data)
            digest = base64.urlsafe_b64encode(hashlib.sha256(data).digest()).rstrip(b"=").decode("ascii")
            record.append(f"{arcname},sha256={digest},{len(data)}")
        record.append(f"{dist_info}/RECORD,,")
        wheel.writestr(f"{dist_info}/RECORD", "\n".join(record) + "\n")
    return filename


def build_wheel(wheel_directory, config_settings=None, metadata_directory=None):
    entries = []
    for arcname, full in _package_files():
        with open(full, "rb") as f:
            entries.append((arcname, f.read()))
    return _write_wheel(wheel_directory, entries)


def build_editable(wheel_directory, config_settings=None, metadata_directory=None):
    return _write_wheel(wheel_directory, [(f"__editable__.{PACKAGE}.pth", (SRC + "\n").encode("utf-8"))])


def build_sdist(sdist_directory, config_settings=None):
    base = _dist_info_name()
    filename = f"{base}.tar.gz"
    with tarfile.open(os.path.join(sdist_directory, filename), "w:gz") as tar:
        for name in ("pyproject.toml", "README.md"):
            if os.path.exists(os.path.join(ROOT, name)):
                tar.add(os.path.join(ROOT, name), f"{base}/{name}")
        tar.add(os.path.join(ROOT, "build_backend", "ipfs_kit_build.py"), f"{base}/build_backend/ipfs_kit_build.py")
        for arcname, full in _package_files():
            tar.add(full, f"{base}/src/{arcname}")
        info = tarfile.TarInfo(f"{base}/PKG-INFO")
        data = _metadata()
        info.size = len(data)
        tar.addfile(info, io.BytesIO(data))
    return filename
