"""暗访 confidentiality: who may see which inspection records, as SQL for every read.

The rule (docs/inspections.md, "暗访 confidentiality"): a record is visible when

- it is a 明察 record (``kind = 'open'``), or a bulletin citing it was issued (``disclosed_on``);
- or the viewer is a supervisor (审核人);
- or the viewer's name is one of its plan's ``inspectors`` (or, for a record without a plan, one
  of the names on the record itself), or the viewer created it (``created_by``);
- or, while this laptop has no user name set, it was created here with no user name either
  (``created_by`` is empty and the change log says this device inserted it) — so a fresh install
  never locks its only user out of the records they made, while such a record stays hidden on
  every other laptop and from anyone who has said who they are (a named user sees what the name
  gives them: their plans, the records naming them, the ones they created).

``inspection_visible`` is the one place that rule is written (``bulletin_visible`` extends it to
drafts of 通报 that quote a record). Everything that reads records,
findings, checklist answers, rechecks or evidence — the services, the ``findings``/``status``/
``export`` commands, the ledger filter, the Excel ledger — adds it to its SQL (findings through
``finding_visible``), so a hidden record cannot leak through a count either. The viewer's values
are bound as named parameters (``Viewer.params``).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from app.domain.inspection import UserRole
from app.services.identity import USER_NAME_KEY, USER_ROLE_KEY, current_user_of, read_meta
from app.storage.changelog import created_on_device_sql

if TYPE_CHECKING:
    from sqlite_utils import Database


@dataclass(frozen=True)
class Viewer:
    """Who is reading: the current user of this laptop, and the laptop itself."""

    name: str
    role: UserRole
    device: str

    @property
    def is_supervisor(self) -> bool:
        return self.role is UserRole.SUPERVISOR

    def params(self) -> dict[str, Any]:
        return {
            "viewer_name": self.name,
            "viewer_supervisor": int(self.is_supervisor),
            "viewer_device": self.device,
        }


def viewer_of(db: Database) -> Viewer:
    """The current user of this database (read on every call: the setting may change)."""
    values = read_meta(db, USER_NAME_KEY, USER_ROLE_KEY, "device_id")
    user = current_user_of(values)
    return Viewer(user.name, user.role, values.get("device_id", ""))


def _created_here(alias: str, table: str) -> str:
    # The row's insert was logged by this device (the viewer's laptop), with no user name set.
    return (
        f"(:viewer_name = '' AND {alias}.created_by = ''"
        f" AND {created_on_device_sql(alias, table, ':viewer_device')})"
    )


def _named_in(json_list: str) -> str:
    return (
        f"EXISTS (SELECT 1 FROM json_each(CASE WHEN json_valid({json_list}) THEN {json_list}"
        " ELSE '[]' END) vj WHERE vj.value = :viewer_name)"
    )


def inspection_visible(alias: str = "i") -> str:
    """SQL true when the viewer may see the inspections row ``alias`` (and what hangs off it)."""
    a = alias
    return (
        f"({a}.kind = 'open' OR {a}.disclosed_on IS NOT NULL OR :viewer_supervisor"
        f" OR (:viewer_name <> '' AND ({a}.created_by = :viewer_name OR CASE"
        f" WHEN {a}.inspection_plan_id IS NULL"
        f" THEN instr('、' || {a}.inspector || '、', '、' || :viewer_name || '、') > 0"
        f" ELSE EXISTS (SELECT 1 FROM inspection_plans vp WHERE vp.id = {a}.inspection_plan_id"
        f" AND {_named_in('vp.inspectors')}) END))"
        f" OR {_created_here(a, 'inspections')})"
    )


def finding_visible(alias: str = "f") -> str:
    """SQL true when the viewer may see the findings row ``alias`` (its record's rule)."""
    return (
        f"EXISTS (SELECT 1 FROM inspections vi WHERE vi.id = {alias}.inspection_id"
        f" AND {inspection_visible('vi')})"
    )


def plan_visible(alias: str = "p") -> str:
    """SQL true when the viewer may see the inspection_plans row ``alias``.

    A 暗访 plan names whom it will visit, so it follows its records' rule: its inspectors,
    supervisors, its creator — and everyone once one of its records has been disclosed."""
    a = alias
    return (
        f"({a}.mode = 'open' OR :viewer_supervisor"
        f" OR (:viewer_name <> '' AND ({a}.created_by = :viewer_name"
        f" OR {_named_in(f'{a}.inspectors')}))"
        f" OR {_created_here(a, 'inspection_plans')}"
        " OR EXISTS (SELECT 1 FROM inspections vd WHERE vd.inspection_plan_id = "
        f"{a}.id AND vd.disclosed_on IS NOT NULL AND vd.deleted = 0))"
    )


def bulletin_visible(alias: str = "b") -> str:
    """SQL true when the viewer may see the bulletins row ``alias``: an issued one always (its
    cited 暗访 records were disclosed when it was issued); a draft or one waiting for review only
    when every record it cites is visible to the viewer — it quotes their problems."""
    a = alias
    return (
        f"({a}.state = 'issued' OR NOT EXISTS (SELECT 1 FROM json_each(CASE"
        f" WHEN json_valid({a}.cited) THEN {a}.cited ELSE '[]' END) vbc"
        " JOIN inspections vbi ON vbi.id = vbc.value"
        f" WHERE NOT COALESCE({inspection_visible('vbi')}, 0)))"
    )


def _hidden(predicate: str) -> str:
    return f"NOT COALESCE({predicate}, 0)"


_EVIDENCE_RECORD = (
    "COALESCE(e.inspection_id,"
    " (SELECT a.inspection_id FROM checklist_answers a WHERE a.id = e.answer_id),"
    " (SELECT f.inspection_id FROM findings f WHERE f.id = e.finding_id),"
    " (SELECT f.inspection_id FROM rechecks r JOIN findings f ON f.id = r.finding_id"
    " WHERE r.id = e.recheck_id))"
)

# For each table that holds confidential rows: SQL selecting the ids the viewer may NOT see.
HIDDEN_ROWS: dict[str, str] = {
    "inspection_plans": f"SELECT p.id FROM inspection_plans p WHERE {_hidden(plan_visible('p'))}",
    "inspection_plan_scope": (
        "SELECT s.id FROM inspection_plan_scope s JOIN inspection_plans p"
        f" ON p.id = s.inspection_plan_id WHERE {_hidden(plan_visible('p'))}"
    ),
    "inspection_feedback": (
        "SELECT s.id FROM inspection_feedback s JOIN inspection_plans p"
        f" ON p.id = s.inspection_plan_id WHERE {_hidden(plan_visible('p'))}"
    ),
    "inspections": f"SELECT i.id FROM inspections i WHERE {_hidden(inspection_visible('i'))}",
    "checklist_answers": (
        "SELECT x.id FROM checklist_answers x JOIN inspections i ON i.id = x.inspection_id"
        f" WHERE {_hidden(inspection_visible('i'))}"
    ),
    "findings": (
        "SELECT x.id FROM findings x JOIN inspections i ON i.id = x.inspection_id"
        f" WHERE {_hidden(inspection_visible('i'))}"
    ),
    "finding_events": (
        "SELECT x.id FROM finding_events x JOIN findings f ON f.id = x.finding_id"
        f" JOIN inspections i ON i.id = f.inspection_id WHERE {_hidden(inspection_visible('i'))}"
    ),
    "rechecks": (
        "SELECT x.id FROM rechecks x JOIN findings f ON f.id = x.finding_id"
        f" JOIN inspections i ON i.id = f.inspection_id WHERE {_hidden(inspection_visible('i'))}"
    ),
    "evidence": (
        f"SELECT e.id FROM evidence e JOIN inspections i ON i.id = {_EVIDENCE_RECORD}"
        f" WHERE {_hidden(inspection_visible('i'))}"
    ),
    "bulletins": f"SELECT b.id FROM bulletins b WHERE {_hidden(bulletin_visible('b'))}",
    "bulletin_files": (
        "SELECT x.id FROM bulletin_files x JOIN bulletins b ON b.id = x.bulletin_id"
        f" WHERE {_hidden(bulletin_visible('b'))}"
    ),
}


def hidden_rows(db: Database, viewer: Viewer) -> dict[str, frozenset[str]]:
    """table → ids of its rows the viewer may not see (only tables with any)."""
    hidden: dict[str, frozenset[str]] = {}
    for table, sql in HIDDEN_ROWS.items():
        ids = frozenset(row[0] for row in db.execute(sql, viewer.params()))
        if ids:
            hidden[table] = ids
    return hidden
