"""The Parquet lake: a sharded chain simulated by Dask, written as Parquet any engine reads.

Each store of the chain is one task (`task.run_store`: the same `chain.shard.StoreSim` the database
path runs in its worker processes) on a local Dask cluster or a scheduler's workers; the tasks write
the stores' rows straight to the lake, a folder or an fsspec URL (file://, s3://, gs://, abfs://; an
object store's credentials come from fsspec's usual settings). The chain's few own rows are written
by the caller. The lake holds rows in their final state (as a database would after the same run):

    LAKE/
      language/ category/ country/ city/ actor/ film/ film_actor/ film_category/ staff/ store/
      sim_film_price/ sim_stock_plan/ sim_day/ sim_state/       the chain's: part-0.parquet each
      address/ customer/ inventory/ rental/ payment/ sim_customer_event/
          store=S/month=YYYY-MM/part-0.parquet                  a store's rows of one month
      _sim_state/chain.json          seed, config, last day, counters, the chain tables' index
      _sim_state/store=S.pkl         the store's state (a `Snapshot`, local ids) and partition index
      _staging/                      a run's files until it commits (see `files`)

The month of a store's row is that of rental_date (rental), payment_date (payment), create_date
(customer), created_at (inventory), event_date (sim_customer_event) and last_update (address, which has
no creation date); `tables` has the column types. Hive-style folders: Spark, DuckDB and Trino read
`store` and `month` as columns. Files starting with _ are the lake's own; readers skip them.

`continue_lake` simulates further days: every store task starts from its state file and rewrites only
the partitions whose rows change. `load_lake` loads a lake into any database; it then equals the
database `master_simulation` makes of the same chain (same checksum), with one difference:
sim_change_log is not kept in a lake (its change numbers need every store's changes of a day in one
place), so the equality needs late_changes.change_log off. Continuing a lake equals building it in one
go, and the number of workers or the scheduler changes nothing. State files are pickles: open lakes
you trust, as you would a database.
"""

from .build import LakeResult, build_lake, continue_lake
from .cluster import INLINE
from .load import load_lake, read_lake
from .snapshot import snapshot_of

__all__ = ["INLINE", "LakeResult", "build_lake", "continue_lake", "load_lake", "read_lake", "snapshot_of"]
