"""Demo data for `manage.py seed_demo`: a catalogue, and customers with two years of orders.

Two paths, both deterministic (a fixed random seed; dates are relative to today):

- `seed_demo_shop(out=...)`, the small demo behind `make run`: about a hundred
  customers registered through `accounts.services.account_register`, their order
  history bulk-inserted, the facts a first order teaches and an `order_placed`
  touchpoint per order written through `profiles.services`, then a full
  `patterns_refresh()`. Customers are keyed by username and products by SKU, so a
  second run adds nothing.
- `seed_demo_scaled(customers=N, orders=M, out=...)`, benchmark data: exactly N
  customers (`bench-customer-000001` …) and M orders written in batches with
  PostgreSQL's COPY (bulk_create elsewhere). Per customer it writes what
  registration writes (three facts, four consents, a touchpoint), and per order
  its lines and its `order_placed` touchpoint, plus the facts of each customer's
  first order, all as bulk rows; it skips the per-order `learn()` calls (the
  merged `categories_bought` / `brands_bought` history of later orders) because
  they cost a dozen queries an order. The same N and M already loaded is a no-op.
"""

from shop.demo.scaled import seed_demo_scaled
from shop.demo.small import seed_demo_shop
from shop.demo.world import BENCH_PREFIX, DEMO_PREFIX

__all__ = ["BENCH_PREFIX", "DEMO_PREFIX", "seed_demo_scaled", "seed_demo_shop"]
