"""Stop paging that does not move forward, whatever cursor the server hands out.

A repeated cursor is the easy case. A server that hands out a *fresh* cursor every page while
serving the same records (or nothing) loops just as surely, so :class:`PageProgress` also stops on:

* a page with a next cursor that brings nothing new: empty, or every id already seen in this
  paging run (a last page of repeats is let through: it ends paging anyway, and HubSpot search
  is known to repeat a record across a page boundary);
* ids going backwards where the API promises an order (HubSpot search sorted by ``hs_object_id``,
  Xero collections by ``UpdatedDateUTC``);
* a next page beyond the count the API said there are (HubSpot search's ``total`` over the page
  size, Xero's ``pagination.pageCount``).

What the API cannot promise is bounded elsewhere: the stream's deadline and the run's request
budget (``connectors.http.HttpSettings``).
"""

from __future__ import annotations

import math
from collections.abc import Hashable, Iterable

from connectors.base import NoProgressError, RepeatingCursorError


class CursorGuard:
    """Remembers every paging cursor of one query: a cursor handed back twice is an error, not a loop."""

    def __init__(self, what: str) -> None:
        self._what = what
        self._seen: set[str] = set()

    def advance(self, cursor: str) -> str:
        if cursor in self._seen:
            raise RepeatingCursorError(f"{self._what}: paging cursor repeated; stopping")
        self._seen.add(cursor)
        return cursor


class PageProgress:
    """One paging run's progress checks (see the module docstring); ``what`` prefixes messages."""

    def __init__(self, what: str) -> None:
        self._what = what
        self._seen: set[Hashable] = set()
        self._pages = 0
        self._highest: Hashable | None = None
        self._query_pages = 0
        self._promised: int | None = None

    def new_query(self) -> None:
        """The next pages answer another query (a search restarted past the result cap): its own
        promise; ids seen stay seen and the order goes on."""
        self._query_pages, self._promised = 0, None

    def promise(self, records: int | None, page_size: int) -> None:
        """The API's count of the records this query returns (its first answer's count holds)."""
        if self._promised is None and records is not None and records >= 0 and page_size > 0:
            self._promised = max(1, math.ceil(records / page_size))

    def promise_pages(self, pages: int | None) -> None:
        """The API's count of this query's pages (Xero ``pageCount``)."""
        if self._promised is None and pages is not None and pages >= 0:
            self._promised = max(1, pages)

    def page(self, ids: Iterable[Hashable], *, has_next: bool, order: Iterable[Hashable] = ()) -> None:
        """Check one page: its record ids, whether it hands out a next cursor, its sort keys."""
        self._pages += 1
        self._query_pages += 1
        ids = list(ids)
        new = [i for i in ids if i not in self._seen]
        self._seen.update(new)
        where = f"{self._what}: page {self._pages}"
        if has_next and not ids:
            raise NoProgressError(f"{where} is empty yet hands out a next page; stopping instead of looping")
        if has_next and not new:
            raise NoProgressError(
                f"{where} repeats only records already read in this run ({len(ids)} of them) yet hands "
                "out a next page; stopping instead of looping"
            )
        keys = [k for k in order if k is not None]
        if keys:
            lowest = min(keys)  # type: ignore[type-var]
            if self._highest is not None and lowest < self._highest:  # type: ignore[operator]
                raise NoProgressError(
                    f"{where} goes backwards ({lowest!r} after {self._highest!r}) although the API sorts "
                    "ascending; stopping instead of re-reading"
                )
            highest = max(keys)  # type: ignore[type-var]
            self._highest = highest if self._highest is None else max(self._highest, highest)  # type: ignore[type-var]
        if has_next and self._promised is not None and self._query_pages >= self._promised:
            raise NoProgressError(
                f"{where} of {self._promised} the API said there are hands out yet another page; stopping"
            )
