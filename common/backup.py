"""Backup and restore of the whole database: pg_dump/pg_restore on PostgreSQL, the SQLite backup
API on the embedded default."""

from __future__ import annotations

import os
import shutil
import sqlite3
import subprocess
from pathlib import Path

from django.db import connections


class BackupError(RuntimeError):
    pass


def _pg_env(settings_dict) -> dict:
    env = {**os.environ}
    if settings_dict.get("PASSWORD"):
        env["PGPASSWORD"] = str(settings_dict["PASSWORD"])
    return env


def _pg_args(settings_dict) -> list[str]:
    args = []
    for flag, key in (("--host", "HOST"), ("--port", "PORT"), ("--username", "USER")):
        if settings_dict.get(key):
            args += [flag, str(settings_dict[key])]
    return args


def _tool(name: str) -> str:
    found = shutil.which(name)
    if found:
        return found
    candidates = sorted(Path("/usr/lib/postgresql").glob(f"*/bin/{name}"))
    if candidates:
        return str(candidates[-1])
    raise BackupError(f"{name} was not found: install the PostgreSQL client (apt-get install postgresql-client).")


def backup(path: Path, *, alias: str = "default") -> Path:
    settings_dict = connections[alias].settings_dict
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    if connections[alias].vendor == "postgresql":
        command = [_tool("pg_dump"), "--format=custom", "--no-owner", "--file", str(path), *_pg_args(settings_dict)]
        command.append(settings_dict["NAME"])
        result = subprocess.run(command, env=_pg_env(settings_dict), capture_output=True, text=True, check=False)
        if result.returncode != 0:
            raise BackupError(result.stderr.strip())
        return path
    if connections[alias].vendor == "sqlite":
        source = sqlite3.connect(settings_dict["NAME"])
        target = sqlite3.connect(path)
        with target:
            source.backup(target)
        source.close()
        target.close()
        return path
    raise BackupError(f"Unsupported database: {connections[alias].vendor}")


def restore(path: Path, *, alias: str = "default") -> None:
    path = Path(path)
    if not path.exists():
        raise BackupError(f"{path} does not exist")
    connection = connections[alias]
    settings_dict = connection.settings_dict
    connection.close()
    if connection.vendor == "postgresql":
        command = [
            _tool("pg_restore"),
            "--clean",
            "--if-exists",
            "--no-owner",
            "--single-transaction",
            "--dbname",
            settings_dict["NAME"],
            *_pg_args(settings_dict),
            str(path),
        ]
        result = subprocess.run(command, env=_pg_env(settings_dict), capture_output=True, text=True, check=False)
        if result.returncode != 0:
            raise BackupError(result.stderr.strip())
        return
    if connection.vendor == "sqlite":
        source = sqlite3.connect(path)
        target = sqlite3.connect(settings_dict["NAME"])
        with target:
            source.backup(target)
        source.close()
        target.close()
        return
    raise BackupError(f"Unsupported database: {connection.vendor}")
