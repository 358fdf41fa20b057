"""The vocabulary of 通报 and 督办通知: kinds, states and what the services hand back."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from enum import StrEnum
from typing import Any

from app.documents.model import GongwenDocument
from app.storage import WriteError


class BulletinKind(StrEnum):
    PROGRESS = "progress"  # 调度情况通报
    INSPECTION = "inspection"  # 明察暗访情况通报
    NOTICE = "notice"  # 督办通知 / 整改通知书 to one department
    PRAISE = "praise"  # 表扬通报 (红榜)
    CRITICISM = "criticism"  # 批评通报 (黑榜)

    @property
    def label(self) -> str:
        return {
            "progress": "调度情况通报",
            "inspection": "明察暗访情况通报",
            "notice": "督办通知（整改通知书）",
            "praise": "表扬通报",
            "criticism": "批评通报",
        }[self.value]


class BulletinState(StrEnum):
    DRAFT = "draft"  # 草稿: edited freely
    REVIEW = "review"  # 待审核: waiting for a supervisor to issue it or send it back
    ISSUED = "issued"  # 已签发: numbered and frozen (its files stored)

    @property
    def label(self) -> str:
        return {"draft": "草稿", "review": "待审核", "issued": "已签发"}[self.value]


class BulletinError(WriteError):
    """Why a bulletin operation was refused, in Chinese; nothing was written."""


def parse_kind(text: str) -> BulletinKind:
    cleaned = text.strip()
    for kind in BulletinKind:
        if cleaned in (kind.value, kind.label):
            return kind
    choices = "、".join(f"{kind.value}（{kind.label}）" for kind in BulletinKind)
    raise BulletinError(f"不认识的公文种类“{text}”。可选：{choices}。")


@dataclass(frozen=True)
class DraftRequest:
    """What a draft is made from. Which fields a kind uses: progress ``round_name`` (default:
    the newest round) and ``as_of``; inspection ``plan_name`` (a 督查方案) or the period
    ``starts_on``–``ends_on`` (default: the month of ``as_of`` up to it); notice
    ``department_name``; praise / criticism the period."""

    kind: BulletinKind
    as_of: date
    round_name: str | None = None
    department_name: str | None = None
    plan_name: str | None = None
    starts_on: date | None = None
    ends_on: date | None = None

    @classmethod
    def from_json(cls, data: dict[str, Any], today: date) -> DraftRequest:
        """The request ``as_json`` stored (a draft's ``source``); ``today`` where it has no
        date. Raises BulletinError (an unknown kind) or ValueError (a malformed date)."""

        def day(key: str) -> date | None:
            text = data.get(key)
            return date.fromisoformat(text) if isinstance(text, str) and text else None

        return cls(
            kind=parse_kind(str(data.get("kind", ""))),
            as_of=day("as_of") or today,
            round_name=data.get("round"),
            department_name=data.get("department"),
            plan_name=data.get("plan"),
            starts_on=day("from"),
            ends_on=day("to"),
        )

    def as_json(self) -> dict[str, Any]:
        return {
            "kind": self.kind.value,
            "as_of": self.as_of.isoformat(),
            "round": self.round_name,
            "department": self.department_name,
            "plan": self.plan_name,
            "from": self.starts_on.isoformat() if self.starts_on else None,
            "to": self.ends_on.isoformat() if self.ends_on else None,
        }


@dataclass
class Draft:
    """A first draft from the data: the document, the 机关代字 of its future number, and the
    inspection records it cites (issuing it discloses the 暗访 ones)."""

    kind: BulletinKind
    document: GongwenDocument
    code: str
    request: DraftRequest
    cited: list[str] = field(default_factory=list)
    # 暗访 records of the period the drafter may not see: left out of the draft (the 暗访 rule)
    hidden_records: int = 0


class BulletinAction(StrEnum):
    SUBMIT = "submit"  # 送审: a draft goes to the supervisor
    SEND_BACK = "send_back"  # 退回修改: back to the drafter
    ISSUE = "issue"  # 签发: numbered, files frozen, cited 暗访 records disclosed

    @property
    def label(self) -> str:
        return {"submit": "送审", "send_back": "退回修改", "issue": "签发"}[self.value]


# The one table of legal moves; the service refuses anything else. A change to an issued
# document is not a move: it is a new version (更正, ``Bulletins.correct``).
TRANSITIONS: dict[tuple[BulletinState, BulletinAction], BulletinState] = {
    (BulletinState.DRAFT, BulletinAction.SUBMIT): BulletinState.REVIEW,
    (BulletinState.REVIEW, BulletinAction.SEND_BACK): BulletinState.DRAFT,
    (BulletinState.REVIEW, BulletinAction.ISSUE): BulletinState.ISSUED,
}
SUPERVISOR_ACTIONS = frozenset({BulletinAction.SEND_BACK, BulletinAction.ISSUE})
