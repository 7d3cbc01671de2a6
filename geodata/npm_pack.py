"""The build scripts' registry step: a pinned npm package, extracted into a work folder."""

from __future__ import annotations

import subprocess
import tarfile
from pathlib import Path


def npm_package(spec: str, tgz: Path | None, workdir: Path) -> Path:
    """The extracted package folder of ``spec`` (``name@version``): ``npm pack`` fetches
    the tarball from the registry unless a local ``tgz`` of it is given."""
    if tgz is None:
        out = subprocess.run(
            ["npm", "pack", spec, "--silent"],
            cwd=workdir,
            check=True,
            capture_output=True,
            text=True,
        )
        tgz = workdir / out.stdout.strip().splitlines()[-1]
    with tarfile.open(tgz) as tar:
        tar.extractall(workdir, filter="data")
    return workdir / "package"
