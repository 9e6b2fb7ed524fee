"""Sharded chains: every store simulated on its own, in any number of processes or machines.

`shard.StoreSim` steps one store (its own seed, demand share, customers and stock, in local ids);
`globalize` gives its rows their chain ids (`sim.ids`); `merge` makes one chain day of the stores'
days, whose changes are numbered like any run's; `workers` runs stores in parallel processes, and
`run` puts it together for the commands. What a store draws depends on (seed, store, day) only, so
the database is the same whatever the number of workers.
"""
