"""Drafting: a first draft of a 通报 or 督办通知 from the ledger, through the kind's template.

    data (progress_data / inspection_data / notice_data) ─► template (templates.py, the office's
    or the default) ─► pieces ─► line markup (app/documents/markup.py) ─► GongwenDocument

What a draft may show is what the current user may see (the 暗访 rule in every read). A draft
consumes no number and writes nothing; storing it is ``Bulletins.create`` (store.py). A template
that does not render raises ``TemplateProblem`` (a ``BulletinError``) naming the line; no other
exception comes out of a template.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from app.documents.markup import build_document
from app.documents.templates import TemplateError, render
from app.services.bulletins.inspection_data import inspection_context, ranking_context
from app.services.bulletins.model import BulletinError, BulletinKind, Draft, DraftRequest
from app.services.bulletins.notice_data import notice_context
from app.services.bulletins.templates import BulletinTemplates, TemplateProblem

if TYPE_CHECKING:
    from app.domain.workdays import WorkCalendar
    from app.storage import Repository


class BulletinDrafting:
    def __init__(self, repository: Repository, calendar: WorkCalendar | None = None) -> None:
        self.repo = repository
        if calendar is None:
            from app.services.calendar import HolidayTable

            calendar = HolidayTable(repository).calendar()
        self.calendar = calendar
        self.templates = BulletinTemplates(repository)

    def context(self, request: DraftRequest) -> tuple[dict[str, Any], list[str]]:
        """The data a kind's template is rendered with, and the records it cites."""
        kind = request.kind
        if kind is BulletinKind.PROGRESS:
            # Imported here: 调度 pulls in openpyxl, which the app need not load to start.
            from app.services.bulletins.progress_data import progress_context

            return progress_context(self.repo, self.calendar, request), []
        if kind is BulletinKind.INSPECTION:
            context, cited = inspection_context(self.repo, request)
            totals = context["totals"]
            if not totals["records"]:
                hidden = totals["hidden_records"]
                where = (
                    f"督查方案“{request.plan_name}”"
                    if request.plan_name
                    else context["period"]["label"]
                )
                raise BulletinError(
                    f"{where}没有可以通报的检查记录"
                    + (f"（另有 {hidden} 条暗访记录您无权查看）" if hidden else "")
                    + "，不能生成明察暗访情况通报。请换一个统计期间或督查方案。"
                )
            return context, cited
        if kind is BulletinKind.NOTICE:
            context, cited = notice_context(self.repo, self.calendar, request)
            if not context["overdue"] and not context["findings"]:
                raise BulletinError(
                    f"{context['department']['name']}截至{context['as_of']}没有逾期未完成的任务，"
                    "也没有未整改的问题，不需要督办通知。"
                )
            return context, cited
        context = ranking_context(self.repo, self.calendar, request)
        listed = context["ranking"]["red" if kind is BulletinKind.PRAISE else "black"]
        if not listed:
            board = "红榜" if kind is BulletinKind.PRAISE else "黑榜"
            raise BulletinError(
                f"{context['period']['label']}没有列入{board}的单位，不能生成{kind.label}。"
                "请换一个统计期间。"
            )
        return context, []

    def draft(self, request: DraftRequest, *, template: str | None = None) -> Draft:
        """The first draft of ``request.kind`` (``template``: this text instead of the stored
        one, e.g. to preview an edit before saving it)."""
        context, cited = self.context(request)
        source = template if template is not None else self.templates.text(request.kind)
        try:
            marked = build_document(render(source, context), day=request.as_of)
        except TemplateError as error:
            raise TemplateProblem(request.kind, error) from error
        document = marked.document
        if not document.printer:
            document.printer = document.signature
        hidden = context.get("totals", {}).get("hidden_records", 0)
        return Draft(request.kind, document, marked.code, request, cited, hidden_records=hidden)
