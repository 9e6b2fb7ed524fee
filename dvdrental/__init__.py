"""dvdrental-live: a Sakila-shaped DVD-rental database that keeps on living.

The package holds all logic; the top-level scripts are thin click commands.
`sim` is the pure simulation core, `storage` the per-engine database layer.
"""

__version__ = "0.1.0"

#: Bumped whenever the database layout changes; stored in sim_state.
SCHEMA_VERSION = 2
