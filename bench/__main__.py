"""`make bench`: run every benchmark and print its figures. `python -m bench NAME` runs one."""

from __future__ import annotations

import sys

from bench import (
    api_floor,
    banking,
    donors,
    fundraising,
    http_latency,
    ledger,
    lighthouse,
    receipts,
    reports,
    usage,
    volunteers,
)

BENCHMARKS = {
    "http": api_floor.main,
    "latency": http_latency.main,
    "lighthouse": lighthouse.main,
    "ledger": ledger.main,
    "donors": donors.main,
    "receipts": receipts.main,
    "banking": banking.main,
    "reports": reports.main,
    "fundraising": fundraising.main,
    "volunteers": volunteers.main,
    "usage": usage.main,
}


def main() -> int:
    names = sys.argv[1:] or list(BENCHMARKS)
    for name in names:
        BENCHMARKS[name]()
        print()
    return 0


if __name__ == "__main__":
    sys.exit(main())
