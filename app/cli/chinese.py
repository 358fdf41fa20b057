"""argparse's own words (usage, options, error lines) in Chinese, like the rest of the CLI.

argparse looks its messages up through gettext's ``_`` at the moment it prints them; Python ships
no Chinese catalogue for them, so the ones a user meets are listed here. Messages not listed stay
as argparse writes them.
"""

from __future__ import annotations

import argparse

MESSAGES = {
    "usage: ": "用法：",
    "positional arguments": "参数",
    "options": "选项",
    "show this help message and exit": "显示本帮助并退出",
    "show program's version number and exit": "显示版本号并退出",
    "argument %(argument_name)s: %(message)s": "参数 %(argument_name)s：%(message)s",
    "unrecognized arguments: %s": "无法识别的参数：%s",
    "the following arguments are required: %s": "缺少必需的参数：%s",
    "one of the arguments %s is required": "必须给出以下参数之一：%s",
    "not allowed with argument %s": "不能与参数 %s 同时使用",
    "expected one argument": "需要一个值",
    "expected at most one argument": "最多一个值",
    "expected at least one argument": "至少需要一个值",
    "ambiguous option: %(option)s could match %(matches)s": (
        "选项 %(option)s 有歧义，可能是 %(matches)s"
    ),
    "invalid %(type)s value: %(value)r": "无效的值：%(value)r",
    "invalid choice: %(value)r (choose from %(choices)s)": (
        "无效的选择：%(value)r（可选：%(choices)s）"
    ),
    "%(prog)s: error: %(message)s\n": "%(prog)s：错误：%(message)s\n",
}


def install() -> None:
    """Route argparse's messages through the table above (idempotent)."""
    original = getattr(argparse, "_ducha_original_gettext", None) or argparse._
    argparse._ducha_original_gettext = original  # type: ignore[attr-defined]
    argparse._ = lambda text: MESSAGES.get(text) or original(text)  # type: ignore[attr-defined]
