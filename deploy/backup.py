"""Backups of the primary with pg_dump, and a restore that is checked.

    python deploy/backup.py dump            [--dir DIR] [--keep N]
    python deploy/backup.py restore-check   [DUMP]      (default: the newest dump in DIR)

`dump` writes DIR/<db>-<UTC time>.dump (pg_dump custom format: compressed, restorable table by
table) and beside it <same>.counts.json, the row count of every table, taken in the same snapshot
as the dump (pg_dump --snapshot), so that the counts are exactly what the dump holds even while
registrations keep coming. It keeps the newest N dumps (default 14).

`restore-check` restores a dump into a scratch database (<db>_restore_check, created and dropped),
compares every table's row count with the .counts.json and exits non-zero on any difference: a
backup is only a backup once it has been restored.

The database is DATABASE_URL (from the stack's env file when run through deploy/with-env);
DIR is PILOTS_BACKUP_DIR, default <state>/backups. pg_dump/pg_restore come from PILOTS_PG_BIN.
"""

import argparse
import datetime as dt
import json
import os
import subprocess
import sys
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import psycopg
from psycopg import sql

ROOT = Path(__file__).resolve().parent.parent
STATE = Path(os.environ.get("PILOTS_PROD_STATE", ROOT / "deploy" / "state"))
PG_BIN = Path(os.environ.get("PILOTS_PG_BIN", "/usr/lib/postgresql/15/bin"))

TABLES_SQL = """
SELECT quote_ident(schemaname) || '.' || quote_ident(tablename) FROM pg_tables
WHERE schemaname NOT IN ('pg_catalog', 'information_schema') ORDER BY 1
"""


def database_url() -> str:
    url = os.environ.get("DATABASE_URL", "")
    if not url.startswith("postgres"):
        raise SystemExit("DATABASE_URL must name the PostgreSQL database to back up")
    return url


def with_database(url: str, name: str) -> str:
    parts = urlsplit(url)
    return urlunsplit(parts._replace(path="/" + name))


def row_counts(conn) -> dict:
    tables = [row[0] for row in conn.execute(TABLES_SQL).fetchall()]
    return {table: conn.execute(sql.SQL("SELECT count(*) FROM {}").format(sql.SQL(table))).fetchone()[0]
            for table in tables}


def dump(directory: Path, keep: int) -> Path:
    url = database_url()
    name = urlsplit(url).path.lstrip("/")
    directory.mkdir(parents=True, exist_ok=True, mode=0o700)
    stamp = dt.datetime.now(dt.UTC).strftime("%Y%m%dT%H%M%SZ")
    target = directory / f"{name}-{stamp}.dump"
    with psycopg.connect(url) as conn:
        conn.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
        snapshot = conn.execute("SELECT pg_export_snapshot()").fetchone()[0]
        subprocess.run([str(PG_BIN / "pg_dump"), "--format=custom", f"--snapshot={snapshot}",
                        f"--file={target}", url], check=True)
        counts = row_counts(conn)
    target.with_suffix(".counts.json").write_text(json.dumps(counts, indent=1, sort_keys=True))
    dumps = sorted(directory.glob(f"{name}-*.dump"))
    for old in dumps[:-keep] if keep > 0 else []:
        old.unlink()
        old.with_suffix(".counts.json").unlink(missing_ok=True)
    print(f"dump {target} ({target.stat().st_size // 1024} KiB, {sum(counts.values())} rows in {len(counts)} tables)")
    return target


def restore_check(dump_file: Path) -> int:
    url = database_url()
    scratch = urlsplit(url).path.lstrip("/") + "_restore_check"
    expected = json.loads(dump_file.with_suffix(".counts.json").read_text())
    admin_url = with_database(url, "postgres")
    with psycopg.connect(admin_url, autocommit=True) as conn:
        conn.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(scratch)))
        conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(scratch)))
    try:
        subprocess.run([str(PG_BIN / "pg_restore"), "--no-owner", "--exit-on-error",
                        f"--dbname={with_database(url, scratch)}", str(dump_file)], check=True)
        with psycopg.connect(with_database(url, scratch)) as conn:
            restored = row_counts(conn)
    finally:
        with psycopg.connect(admin_url, autocommit=True) as conn:
            conn.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(scratch)))
    differences = {t: (expected.get(t), restored.get(t)) for t in set(expected) | set(restored)
                   if expected.get(t) != restored.get(t)}
    key = [t for t in ("public.pilots_teacher", "public.pilots_enrolment", "public.auth_user") if t in restored]
    print(f"restore of {dump_file.name} into {scratch}: {len(restored)} tables, {sum(restored.values())} rows; "
          + ", ".join(f"{t.split('.')[-1]} {restored[t]}" for t in key))
    if differences:
        print(f"row counts differ (expected, restored): {differences}")
        return 1
    print("row counts equal to the dump's snapshot")
    return 0


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("action", choices=["dump", "restore-check"])
    parser.add_argument("dump_file", nargs="?", type=Path)
    parser.add_argument("--dir", type=Path, default=Path(os.environ.get("PILOTS_BACKUP_DIR", STATE / "backups")))
    parser.add_argument("--keep", type=int, default=14)
    args = parser.parse_args(argv)
    if args.action == "dump":
        dump(args.dir, args.keep)
        return 0
    dump_file = args.dump_file
    if dump_file is None:
        dumps = sorted(args.dir.glob("*.dump"))
        if not dumps:
            raise SystemExit(f"no dump in {args.dir}: run `backup.py dump` first")
        dump_file = dumps[-1]
    return restore_check(dump_file)


if __name__ == "__main__":
    sys.exit(main())
