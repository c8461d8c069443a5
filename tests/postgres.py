"""A real PostgreSQL server for a test: Debian's ``postgresql``, initialised in a
temporary folder, listening on a Unix socket only, stopped and removed afterwards.

PostgreSQL refuses to run as root: under root the server runs as the ``postgres``
account the Debian package creates (or ``nobody``). Clients connect over the socket
with ``trust`` authentication, as the database user ``rnncourse``.
"""

import contextlib
import glob
import os
import pathlib
import pwd
import shutil
import subprocess
import tempfile

import pytest


def binaries():
    """The folder of initdb and pg_ctl, or None."""
    found = shutil.which("pg_ctl")
    if found:
        return pathlib.Path(os.path.realpath(found)).parent
    versions = sorted(glob.glob("/usr/lib/postgresql/*/bin/pg_ctl"), key=lambda p: int(p.split("/")[4]))
    return pathlib.Path(versions[-1]).parent if versions else None


def _server_user():
    if os.geteuid() != 0:
        return None
    for name in ("postgres", "nobody"):
        with contextlib.suppress(KeyError):
            return pwd.getpwnam(name)
    return None


@contextlib.contextmanager
def server(database="gradebook"):
    """Start a server; yield its SQLAlchemy URL (``postgresql+psycopg://...``)."""
    bin_dir = binaries()
    if bin_dir is None:
        pytest.skip("PostgreSQL is not installed (apt-get install postgresql)")
    user = _server_user()
    folder = pathlib.Path(tempfile.mkdtemp(prefix="rnncourse-pg-"))
    os.chmod(folder, 0o755)  # the socket is reached by the graders' processes, as other users too
    data, sock = folder / "data", folder / "socket"
    sock.mkdir()
    if user is not None:
        for path in (folder, sock):
            os.chown(path, user.pw_uid, user.pw_gid)
    run_as = {"user": user.pw_uid, "group": user.pw_gid, "extra_groups": []} if user else {}
    env = {"PATH": f"{bin_dir}:/usr/bin:/bin", "LANG": "C.UTF-8", "HOME": str(folder)}

    def pg(*args, **kwargs):
        return subprocess.run([str(bin_dir / args[0]), *args[1:]], env=env, cwd=folder, capture_output=True,
                              text=True, timeout=120, **run_as, **kwargs)

    try:
        done = pg("initdb", "-D", str(data), "-U", "rnncourse", "--auth=trust", "--no-sync", "-E", "UTF8")
        assert done.returncode == 0, done.stderr
        done = pg("pg_ctl", "-D", str(data), "-l", str(folder / "server.log"), "-w", "-t", "60",
                  "-o", f"-c listen_addresses='' -k {sock} -c fsync=off", "start")
        assert done.returncode == 0, done.stderr + (folder / "server.log").read_text()
        done = pg("createdb", "-h", str(sock), "-U", "rnncourse", database)
        assert done.returncode == 0, done.stderr
        yield f"postgresql+psycopg://rnncourse@/{database}?host={sock}"
    finally:
        pg("pg_ctl", "-D", str(data), "-m", "immediate", "-w", "stop")
        shutil.rmtree(folder, ignore_errors=True)
