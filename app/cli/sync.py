"""sync: send this laptop's changes to a shared folder and merge everyone else's."""

from __future__ import annotations

import argparse
from pathlib import Path

from app.cli.common import (
    EXIT_ERROR,
    EXIT_OK,
    EXIT_REFUSED,
    error,
    open_storage,
    print_json,
    resolve_db,
)


def add_commands(commands: argparse._SubParsersAction, db: argparse.ArgumentParser) -> dict:
    sync = commands.add_parser(
        "sync",
        parents=[db],
        help="通过共享文件夹同步：发送本机的修改，合并其他电脑的修改，以 JSON 输出结果",
    )
    sync.add_argument("--share", type=Path, required=True, metavar="DIR", help="共享文件夹")
    sync.add_argument(
        "--digest",
        action="store_true",
        help="同时输出每台设备修改记录的校验值（各电脑同步完成后应相同）",
    )
    merge = commands.add_parser(
        "merge-db",
        parents=[db],
        help="合并同事的数据库文件中的全部修改（先复制到本机临时文件夹，只读，不改动原文件）",
    )
    merge.add_argument("other", type=Path, metavar="OTHER.sqlite")
    return {"sync": cmd_sync, "merge-db": cmd_merge_db}


def cmd_sync(args: argparse.Namespace) -> int:
    from app.sync import FolderShare, ShareFormatError, sync
    from app.sync.engine import log_digests

    if not args.share.is_dir():
        error(f"共享文件夹 {args.share} 不存在或不是文件夹，请检查路径（网络盘是否已连接）。")
        return EXIT_ERROR
    storage = open_storage(args, "create")  # a new laptop joins by syncing
    try:
        report = sync(storage, FolderShare(args.share))
        summary = report.to_json()
        if args.digest:
            summary["digests"] = log_digests(storage)
    except ShareFormatError as problem:
        error(str(problem))
        return EXIT_REFUSED
    except OSError as problem:
        error(
            f"共享文件夹 {args.share} 无法访问（{problem}）。"
            "请检查网络盘是否已连接、U 盘是否插好，然后重新同步。"
        )
        return EXIT_ERROR
    finally:
        storage.close()
    print_json(summary)
    return EXIT_REFUSED if report.problems else EXIT_OK


def cmd_merge_db(args: argparse.Namespace) -> int:
    from app.sync.dbfile import merge_database_file

    if not args.other.is_file():
        error(f"找不到数据库文件 {args.other}，请检查路径。")
        return EXIT_ERROR
    if resolve_db(args).absolute() == args.other.absolute():
        error("要合并的文件就是本机的数据库，请选择同事的数据库文件。")
        return EXIT_ERROR
    storage = open_storage(args, "create")
    try:
        report = merge_database_file(storage, args.other)
    finally:
        storage.close()
    print_json(report.to_json())
    return EXIT_REFUSED if report.pending else EXIT_OK
