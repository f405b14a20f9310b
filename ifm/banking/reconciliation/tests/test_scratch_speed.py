import time
from typing import Any
import pytest
from django.db import connection
from ifm.banking.reconciliation import selectors as s
from ifm.banking.reconciliation.tests.large_data import build

pytestmark = pytest.mark.django_db


def test_measure(org_a: Any, account: Any) -> None:
    data = build(org_a, account, 100_000)
    rec = s.reconciliation_get(data.open_reconciliation.pk)
    base = s._base_for(rec)
    params = s._params(rec, s.reconciliation_books_from(rec))
    params.update(base_d=base.statement_date, watermark=base.ledger_watermark,
                  old=s._ids_param([int(i) for i in base.outstanding_line_ids]))
    old_ids = s._in_ids("jl.id", "old")
    for name, sql in [("outstanding", s._OUTSTANDING_FROM_BASE.format(old_ids=old_ids)),
                      ("book", s._BOOK_SINCE_BASE),
                      ("bank", f"SELECT COUNT(*), COALESCE(SUM(x.amount), 0) FROM ({s._NOT_CLEARED_BANK}) x"),
                      ("toclear", s._TO_CLEAR), ("later", s._TO_CLEAR_LATER)]:
        with connection.cursor() as c:
            c.execute("SET max_parallel_workers_per_gather = 0")
            c.execute(sql, params)
            t = time.perf_counter()
            c.execute(sql, params)
            c.fetchall()
            print(name, f"{1000*(time.perf_counter()-t):.1f} ms")
            c.execute("EXPLAIN ANALYZE " + sql, params)
            print("\n".join(r[0] for r in c.fetchall()))
